/**
 * The telemetry inspector: what the app's own telemetry sends about the session. Sources (docs/protocol.md
 * §9): CES/Segment (`/ces/v1/b` batches, `/ces/v1/{t,p,i}` single events), Statsig (`rgstr`/`log_event`
 * batches and `initialize` on ab.chatgpt.com; 2026 logged-out bodies are gzip, inflated here with
 * DecompressionStream) and the Datadog logs intake (NDJSON). Only request bodies (kept on the call record)
 * are read: no chunks.
 */
import type { StoredCall } from '../store/schema';

/** One event as a telemetry body carried it. */
export interface TelemetryEvent {
  source: 'ces' | 'statsig' | 'datadog';
  /** Segment `event` (or `page`/`identify`…), Statsig `eventName`, Datadog `message`, or the endpoint. */
  name: string;
  time: number;
  /** Size of the event's own JSON, characters. */
  bytes: number;
  payload: unknown;
}

/** Which telemetry source a call is, or null. */
export function telemetrySource(c: Pick<StoredCall, 'kind' | 'url'>): TelemetryEvent['source'] | null {
  if (
    /\/(?:ces\/v1\/telemetry\/intake|api\/v2\/(?:logs|rum))/.test(c.url) ||
    /datadoghq|browser-intake/.test(c.url)
  )
    return 'datadog';
  if (
    c.kind === 'statsig' ||
    (/\/(?:rgstr|initialize|log_event(?:_beacon)?)(?:[/?]|$)/.test(c.url) && c.kind === 'ces')
  )
    return 'statsig';
  if (c.kind === 'ces') return 'ces';
  return null;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The request body as text: base64 bodies are decoded, gzip ones inflated (DecompressionStream). */
export async function requestText(
  c: Pick<StoredCall, 'requestBody' | 'requestBodyEncoding'>,
): Promise<string | null> {
  const body = c.requestBody;
  if (body === null) return null;
  if (c.requestBodyEncoding === 'text') return body;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
  if (!isGzip(bytes)) return new TextDecoder().decode(bytes);
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return await new Response(stream).text();
  } catch {
    return null;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const rec = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The events in one telemetry call's (already decoded) request text. */
export function telemetryEvents(
  c: Pick<StoredCall, 'kind' | 'url' | 'startTime'>,
  text: string | null,
): TelemetryEvent[] {
  const source = telemetrySource(c);
  if (!source || text === null) return [];
  const ev = (name: string, payload: unknown): TelemetryEvent => ({
    source,
    name,
    time: c.startTime,
    bytes: JSON.stringify(payload)?.length ?? 0,
    payload,
  });
  if (source === 'datadog') {
    const lines = text.split('\n').filter((l) => l.trim().length > 0);
    const parsed = tryJson(text);
    const items = Array.isArray(parsed) ? parsed : lines.map(tryJson).filter((x) => x !== undefined);
    return items.map((x) => ev(String(rec(x)?.message ?? rec(x)?.type ?? 'log'), x));
  }
  const body = tryJson(text);
  const obj = rec(body);
  if (source === 'statsig') {
    const events = obj?.events;
    if (Array.isArray(events)) return events.map((e) => ev(String(rec(e)?.eventName ?? 'event'), e));
    const path = /\/([a-z_]+)\/?(?:\?|$)/i.exec(c.url)?.[1] ?? 'statsig';
    return obj ? [ev(path, obj)] : [];
  }
  const segName = (e: unknown) => {
    const r = rec(e);
    return String(r?.event ?? r?.type ?? 'event');
  };
  if (Array.isArray(obj?.batch)) return obj.batch.map((e) => ev(segName(e), e));
  if (Array.isArray(obj?.events)) return obj.events.map((e) => ev(String(rec(e)?.eventName ?? 'event'), e));
  if (Array.isArray(obj?.series)) return obj.series.map((e) => ev(String(rec(e)?.metric ?? 'metric'), e));
  return obj ? [ev(segName(obj), obj)] : [];
}

/** One event name's totals. Times are epoch ms. */
export interface TelemetryRow {
  source: TelemetryEvent['source'];
  name: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  bytes: number;
  /** The first payload seen, as sent. */
  sample: unknown;
}

/** Counts per (source, name), most frequent first (then by name). */
export function telemetryTable(events: readonly TelemetryEvent[]): TelemetryRow[] {
  const rows = new Map<string, TelemetryRow>();
  for (const e of events) {
    const key = `${e.source}\u0000${e.name}`;
    const r = rows.get(key);
    if (!r) {
      rows.set(key, {
        source: e.source,
        name: e.name,
        count: 1,
        firstSeen: e.time,
        lastSeen: e.time,
        bytes: e.bytes,
        sample: e.payload,
      });
      continue;
    }
    r.count++;
    r.bytes += e.bytes;
    if (e.time < r.firstSeen) {
      r.firstSeen = e.time;
      r.sample = e.payload;
    }
    r.lastSeen = Math.max(r.lastSeen, e.time);
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}
