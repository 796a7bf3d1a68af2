/**
 * OpenTelemetry traces in the OTLP/JSON encoding (`.otlp.json`): the body an OTLP/HTTP receiver accepts on
 * `POST /v1/traces` with `Content-Type: application/json` (an `ExportTraceServiceRequest`).
 *
 * Conventions followed: OpenTelemetry semantic conventions v1.37.0 — GenAI client spans
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/, `gen_ai.provider.name`, with the older
 * `gen_ai.system` kept for backends that predate it) and HTTP client spans
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/). OTLP/JSON rules
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): trace and span ids are lowercase hex
 * (32 / 16 characters), 64-bit integers (times in unix nanoseconds, `intValue`) are decimal strings, enums
 * (`kind`, `status.code`) are integers, field names are lowerCamelCase.
 *
 * Shape: one trace per conversation (trace id from the conversation id), whose root span covers the
 * conversation; a `chat {model}` span per turn (kind CLIENT) under it; under each turn, an HTTP CLIENT span
 * per call tied to the turn (the send, resumes, sockets, telemetry and the rest of its window) and INTERNAL
 * spans for its phases (`waiting`, `reasoning`, `execute_tool {tool}` per tool call, `answer`). Calls of
 * the conversation tied to no turn hang off the root. Calls of no conversation get one trace per page
 * session. Body chunks (stream reads, socket frames) are span events, at most OTLP_MAX_CHUNK_EVENTS per
 * span; the rest are counted in `droppedEventsCount` and the `chatgpt_flow.chunks.dropped_count` attribute.
 * Prompt and answer text are never written (the semantic conventions make content opt-in).
 */
import type { StoredCall } from '../store/schema';
import type { ExportedAnalysis, ExportedConversation } from './format';
import { GENERATOR } from './generator';
import type { Slicer } from './slicer';

/** Chunk facts kept for the trace and Parquet writers (the body text itself is not needed). */
export interface ChunkMeta {
  seq: number;
  /** Arrival, epoch ms. */
  time: number;
  bytes: number;
  direction?: 'in' | 'out';
}

/** At most this many chunk events per span; more are counted as dropped. */
export const OTLP_MAX_CHUNK_EVENTS = 64;

/** The semantic conventions version the attributes follow (written as the scope's schema URL). */
export const OTEL_SEMCONV_VERSION = '1.37.0';

/** OTLP span kinds (opentelemetry/proto/trace/v1/trace.proto `Span.SpanKind`). */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
/** OTLP status codes (`Status.StatusCode`). */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/** An OTLP/JSON `AnyValue` (the subset we write). `intValue` is a decimal string (int64). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } };

/** An OTLP/JSON `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** An OTLP/JSON `Span.Event`: time in unix nanoseconds (decimal string). */
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

/** An OTLP/JSON `Span`. Ids are lowercase hex; times unix nanoseconds as decimal strings. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  status?: { code: number; message?: string };
}

// ---- ids -------------------------------------------------------------------------------------------

/** 32-bit murmur3-style hash of `s` with a seed, as 8 hex characters. */
function hash32(s: string, seed: number): string {
  let h = seed ^ 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** An all-zero id is invalid in OTLP. */
const nonZero = (hex: string) => (/^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex);

/** Deterministic 16-byte trace id (32 hex) for a key such as `conversation:<id>`: the same in every export. */
export function traceIdOf(key: string): string {
  return nonZero(hash32(key, 1) + hash32(key, 2) + hash32(key, 3) + hash32(key, 4));
}

/** Deterministic 8-byte span id (16 hex) for a key such as `http:<callId>`. */
export function spanIdOf(key: string): string {
  return nonZero(hash32(key, 5) + hash32(key, 6));
}

// ---- values ----------------------------------------------------------------------------------------

/**
 * Epoch milliseconds (fractional) → unix nanoseconds as a decimal string. Rounded to the microsecond: a
 * double holding epoch ms carries ~0.2 µs of precision, and the browser's clocks are coarser still.
 */
export function unixNanos(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1e3);
  if (micros >= 1e3) {
    whole += 1;
    micros -= 1e3;
  }
  return `${whole}${String(micros).padStart(3, '0')}000`;
}

const str = (key: string, v: string): OtlpKeyValue => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): OtlpKeyValue => ({ key, value: { intValue: String(Math.trunc(v)) } });
const dbl = (key: string, v: number): OtlpKeyValue => ({ key, value: { doubleValue: v } });

/** Adds the attribute when the value is present (null/undefined/non-finite are left out, per the conventions). */
function put(
  attrs: OtlpKeyValue[],
  key: string,
  v: string | number | boolean | null | undefined,
  asInt = false,
) {
  if (v === null || v === undefined) return;
  if (typeof v === 'string') attrs.push(str(key, v));
  else if (typeof v === 'boolean') attrs.push({ key, value: { boolValue: v } });
  else if (Number.isFinite(v)) attrs.push(asInt ? int(key, v) : dbl(key, v));
}

/** UTF-8 byte length of a string (no allocation). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bytes of a stored request body: UTF-8 for text, decoded size for base64. */
export function requestBodyBytes(call: StoredCall): number | null {
  const b = call.requestBody;
  if (b === null) return null;
  if (call.requestBodyEncoding === 'base64') {
    const pad = b.endsWith('==') ? 2 : b.endsWith('=') ? 1 : 0;
    return Math.max(0, Math.floor((b.length * 3) / 4) - pad);
  }
  return utf8Length(b);
}

/** When a call ended, as well as known: end, last chunk, headers, else its start. */
export function callEnd(c: StoredCall): number {
  return c.endTime ?? c.lastChunkTime ?? c.headersTime ?? c.startTime;
}

/** The stream's finish reasons (`finish_details.type`, e.g. `stop`, `max_tokens`, `interrupted`). */
export function finishReasons(details: unknown): string[] {
  if (details && typeof details === 'object' && 'type' in details) {
    const t = (details as { type: unknown }).type;
    if (typeof t === 'string') return [t];
  }
  return [];
}

// ---- spans -----------------------------------------------------------------------------------------

/** HTTP client span for one call (HTTP semantic conventions v1.37.0), its chunks as events. */
export function httpSpan(
  call: StoredCall,
  chunks: readonly ChunkMeta[],
  traceId: string,
  parentSpanId: string,
): OtlpSpan {
  const attrs: OtlpKeyValue[] = [];
  put(attrs, 'http.request.method', call.method.toUpperCase());
  put(attrs, 'url.full', call.url);
  try {
    const u = new URL(call.url);
    put(attrs, 'server.address', u.hostname);
    put(
      attrs,
      'server.port',
      u.port ? Number(u.port) : u.protocol === 'http:' || u.protocol === 'ws:' ? 80 : 443,
      true,
    );
    put(attrs, 'url.scheme', u.protocol.replace(/:$/, ''));
  } catch {
    // Not a URL (a corrupt import): url.full alone.
  }
  if (call.status !== undefined && call.status > 0)
    put(attrs, 'http.response.status_code', call.status, true);
  put(attrs, 'http.request.body.size', requestBodyBytes(call), true);
  put(attrs, 'http.response.body.size', call.bodyBytes, true);
  const failed = (call.status ?? 0) >= 400 || call.outcome === 'error';
  if (failed)
    put(attrs, 'error.type', (call.status ?? 0) >= 400 ? String(call.status) : (call.outcome ?? 'error'));
  put(attrs, 'chatgpt_flow.call.id', call.callId);
  put(attrs, 'chatgpt_flow.call.kind', call.kind);
  put(attrs, 'chatgpt_flow.transport', call.transport);
  put(attrs, 'chatgpt_flow.page_session.id', call.pageSessionId);
  put(attrs, 'chatgpt_flow.outcome', call.outcome);
  if (call.headersTime !== undefined)
    put(attrs, 'chatgpt_flow.time_to_headers_ms', call.headersTime - call.startTime);
  if (call.firstChunkTime !== undefined)
    put(attrs, 'chatgpt_flow.time_to_first_chunk_ms', call.firstChunkTime - call.startTime);
  put(attrs, 'chatgpt_flow.chunks.count', chunks.length, true);
  const dropped = Math.max(0, chunks.length - OTLP_MAX_CHUNK_EVENTS);
  if (dropped > 0) put(attrs, 'chatgpt_flow.chunks.dropped_count', dropped, true);
  const span: OtlpSpan = {
    traceId,
    spanId: spanIdOf(`http:${call.callId}`),
    parentSpanId,
    name: call.method.toUpperCase(),
    kind: SPAN_KIND.client,
    startTimeUnixNano: unixNanos(call.startTime),
    endTimeUnixNano: unixNanos(Math.max(call.startTime, callEnd(call))),
    attributes: attrs,
  };
  if (chunks.length > 0) {
    span.events = chunks.slice(0, OTLP_MAX_CHUNK_EVENTS).map((ch) => {
      const ev: OtlpKeyValue[] = [
        int('chatgpt_flow.chunk.seq', ch.seq),
        int('chatgpt_flow.chunk.bytes', ch.bytes),
      ];
      if (ch.direction) ev.push(str('chatgpt_flow.chunk.direction', ch.direction));
      return { timeUnixNano: unixNanos(ch.time), name: 'chatgpt_flow.chunk', attributes: ev };
    });
  }
  if (dropped > 0) span.droppedEventsCount = dropped;
  if (failed) span.status = { code: STATUS_CODE.error, message: call.error ?? call.statusText ?? '' };
  return span;
}

type ExportedTurn = ExportedConversation['turns'][number];

/** The GenAI `chat` span of a turn (GenAI semantic conventions v1.37.0) and its phase spans. */
export function turnSpans(
  conv: ExportedConversation,
  turn: ExportedTurn,
  traceId: string,
  parentSpanId: string,
): OtlpSpan[] {
  const lat = turn.latency;
  const ph = lat.phases;
  const t0 = turn.startTime;
  const endMs = ph?.endAtMs ?? lat.totalMs ?? 0;
  const spanId = spanIdOf(`turn:${turn.callId}`);
  const model = turn.model.requested ?? turn.model.resolved;
  const attrs: OtlpKeyValue[] = [];
  put(attrs, 'gen_ai.operation.name', 'chat');
  put(attrs, 'gen_ai.provider.name', 'openai');
  put(attrs, 'gen_ai.system', 'openai');
  put(attrs, 'gen_ai.request.model', turn.model.requested);
  put(attrs, 'gen_ai.response.model', turn.model.resolved);
  if (!conv.id.startsWith('provisional:')) put(attrs, 'gen_ai.conversation.id', conv.id);
  put(attrs, 'gen_ai.response.id', turn.messageIds.assistant);
  const reasons = finishReasons(turn.decoded.finishDetails);
  if (reasons.length > 0)
    attrs.push({
      key: 'gen_ai.response.finish_reasons',
      value: { arrayValue: { values: reasons.map((r) => ({ stringValue: r })) } },
    });
  // Seconds, like the conventions' gen_ai.client.operation.time_to_first_chunk metric.
  if (ph?.ttfbMs !== null && ph?.ttfbMs !== undefined)
    put(attrs, 'gen_ai.response.time_to_first_chunk', ph.ttfbMs / 1000);
  put(attrs, 'chatgpt_flow.turn.index', turn.index, true);
  put(attrs, 'chatgpt_flow.turn.action', turn.action);
  put(attrs, 'chatgpt_flow.call.id', turn.callId);
  put(attrs, 'chatgpt_flow.ttft_ms', lat.ttftMs);
  put(attrs, 'chatgpt_flow.ttfb_ms', ph?.ttfbMs);
  put(attrs, 'chatgpt_flow.reasoning_ms', ph?.reasoningMs);
  put(attrs, 'chatgpt_flow.reported_thought_seconds', ph?.reportedThoughtSeconds);
  put(attrs, 'chatgpt_flow.answer_ms', ph?.answerMs);
  put(attrs, 'chatgpt_flow.content_events', lat.contentEvents, true);
  put(attrs, 'chatgpt_flow.incomplete', turn.incomplete);
  const failed = (turn.status ?? 0) >= 400;
  if (failed) put(attrs, 'error.type', String(turn.status));
  const root: OtlpSpan = {
    traceId,
    spanId,
    parentSpanId,
    name: model ? `chat ${model}` : 'chat',
    kind: SPAN_KIND.client,
    startTimeUnixNano: unixNanos(t0),
    endTimeUnixNano: unixNanos(t0 + Math.max(0, endMs)),
    attributes: attrs,
  };
  if (failed) root.status = { code: STATUS_CODE.error, message: `HTTP ${turn.status}` };
  const out = [root];
  if (!ph) return out;
  const phase = (
    key: string,
    name: string,
    at: number | null,
    ms: number | null,
    extra: OtlpKeyValue[] = [],
  ) => {
    if (at === null || ms === null) return;
    out.push({
      traceId,
      spanId: spanIdOf(`phase:${turn.callId}:${key}`),
      parentSpanId: spanId,
      name,
      kind: SPAN_KIND.internal,
      startTimeUnixNano: unixNanos(t0 + at),
      endTimeUnixNano: unixNanos(t0 + at + Math.max(0, ms)),
      attributes: [str('chatgpt_flow.phase', key), ...extra],
    });
  };
  phase('waiting', 'waiting', 0, ph.ttfbMs);
  phase('reasoning', 'reasoning', ph.reasoningAtMs, ph.reasoningMs);
  ph.tools.forEach((tc, i) => {
    const extra: OtlpKeyValue[] = [
      str('gen_ai.operation.name', 'execute_tool'),
      str('gen_ai.tool.name', tc.tool),
      str('gen_ai.tool.call.id', tc.callId),
    ];
    phase(`tool:${i}:${tc.callId}`, `execute_tool ${tc.tool}`, tc.startMs, tc.durationMs ?? 0, extra);
  });
  phase('answer', 'answer', ph.firstAnswerTextMs, ph.answerMs);
  return out;
}

/** Calls tied to a turn, by call id → the turn's call id. */
function turnOfCalls(conv: ExportedConversation): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of conv.turns) {
    const l = t.linkedCalls;
    const ids = [
      t.callId,
      ...l.resumes,
      ...l.sockets,
      ...l.telemetry,
      ...l.sentinel,
      ...l.prepare,
      ...l.other,
      ...(l.genTitle ? [l.genTitle.callId] : []),
      ...(l.latR ? [l.latR.callId] : []),
      ...(l.conversationsList ? [l.conversationsList] : []),
    ];
    for (const id of ids) if (!m.has(id)) m.set(id, t.callId);
  }
  return m;
}

const resource = () => ({
  attributes: [
    str('service.name', 'chatgpt-web'),
    str('chatgpt_flow.recorder.name', GENERATOR.name),
    str('chatgpt_flow.recorder.version', GENERATOR.version),
  ],
});

/**
 * Writes the OTLP/JSON file (an `ExportTraceServiceRequest`) from the exported calls, their chunk facts and
 * the analysis, yielding between slices. Returns the file as string parts.
 */
export async function* writeOtlp(
  calls: readonly StoredCall[],
  chunkMeta: ReadonlyMap<string, readonly ChunkMeta[]>,
  analysis: ExportedAnalysis,
  slicer: Slicer,
  onProgress: (done: number) => void = () => {},
): AsyncGenerator<void, string[], void> {
  const byId = new Map(calls.map((c) => [c.callId, c]));
  const parts: string[] = [
    `{"resourceSpans":[{"resource":${JSON.stringify(resource())},"scopeSpans":[{"scope":` +
      `{"name":"chatgpt-flow-recorder","version":${JSON.stringify(GENERATOR.version)}},` +
      `"schemaUrl":"https://opentelemetry.io/schemas/${OTEL_SEMCONV_VERSION}","spans":[\n`,
  ];
  let first = true;
  const emit = (spans: OtlpSpan[]) => {
    for (const s of spans) {
      parts.push((first ? '' : ',\n') + JSON.stringify(s));
      first = false;
    }
    slicer.spend(spans.length);
  };
  const written = new Set<string>();
  let done = 0;
  const step = async function* () {
    if (slicer.due()) {
      onProgress(done);
      yield;
      await slicer.pause();
    }
  };
  for (const conv of analysis.conversations) {
    const traceId = traceIdOf(`conversation:${conv.id}`);
    const rootId = spanIdOf(`conversation:${conv.id}`);
    const rootAttrs: OtlpKeyValue[] = [];
    if (!conv.id.startsWith('provisional:')) put(rootAttrs, 'gen_ai.conversation.id', conv.id);
    put(rootAttrs, 'gen_ai.provider.name', 'openai');
    put(rootAttrs, 'chatgpt_flow.conversation.turns', conv.turnCount, true);
    put(rootAttrs, 'chatgpt_flow.conversation.calls', conv.callIds.length, true);
    put(rootAttrs, 'chatgpt_flow.conversation.errors', conv.counts.errors, true);
    put(rootAttrs, 'chatgpt_flow.host', conv.host);
    const spans: OtlpSpan[] = [
      {
        traceId,
        spanId: rootId,
        name: 'conversation',
        kind: SPAN_KIND.internal,
        startTimeUnixNano: unixNanos(conv.startedAt),
        endTimeUnixNano: unixNanos(Math.max(conv.startedAt, conv.endedAt)),
        attributes: rootAttrs,
      },
    ];
    for (const t of conv.turns) spans.push(...turnSpans(conv, t, traceId, rootId));
    const owner = turnOfCalls(conv);
    for (const id of conv.callIds) {
      const call = byId.get(id);
      if (!call || written.has(id)) continue;
      written.add(id);
      done++;
      const turnCall = owner.get(id);
      spans.push(
        httpSpan(call, chunkMeta.get(id) ?? [], traceId, turnCall ? spanIdOf(`turn:${turnCall}`) : rootId),
      );
    }
    emit(spans);
    yield* step();
  }
  // Calls of no conversation: one trace per page session.
  const rest = new Map<string, StoredCall[]>();
  for (const c of calls) {
    if (written.has(c.callId)) continue;
    const list = rest.get(c.pageSessionId);
    if (list) list.push(c);
    else rest.set(c.pageSessionId, [c]);
  }
  for (const [page, list] of rest) {
    const traceId = traceIdOf(`page:${page}`);
    const rootId = spanIdOf(`page:${page}`);
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    for (const c of list) {
      start = Math.min(start, c.startTime);
      end = Math.max(end, callEnd(c));
    }
    const spans: OtlpSpan[] = [
      {
        traceId,
        spanId: rootId,
        name: 'page session',
        kind: SPAN_KIND.internal,
        startTimeUnixNano: unixNanos(start),
        endTimeUnixNano: unixNanos(Math.max(start, end)),
        attributes: [str('chatgpt_flow.page_session.id', page)],
      },
    ];
    for (const c of list) {
      spans.push(httpSpan(c, chunkMeta.get(c.callId) ?? [], traceId, rootId));
      done++;
      if (spans.length >= 256) {
        emit(spans.splice(0));
        yield* step();
      }
    }
    emit(spans);
    yield* step();
  }
  parts.push('\n]}]}]}\n');
  return parts;
}
