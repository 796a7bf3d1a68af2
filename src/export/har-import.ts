/**
 * HAR entry → stored call. The entry is turned into the capture events the page hook would have sent
 * (start, response, timed chunks, end) and merged by the store's own `applyEvents`, so an imported call
 * has exactly the shape of a recorded one: kind from the classifier, conversation id from the URL,
 * request or stream, and the capture schema's bounds on every field.
 *
 * Chunks: WebSocket frames from `_webSocketMessages`; an event stream cut into its events, timed by
 * `_sseEvents` when the HAR has them; otherwise the body as one chunk at the end of the response.
 * Bodies above the recorder's cap are cut and flagged `truncated`, as a recording would be.
 */
import { z } from 'zod';
import { type CaptureEvent, captureEvent, epochMs } from '../capture/events';
import {
  DEFAULT_MAX_BODY_BYTES,
  MAX_HEADER_NAME_CHARS,
  MAX_HEADER_VALUE_CHARS,
  MAX_HEADERS,
  MAX_STATUS_TEXT_CHARS,
  MAX_URL_CHARS,
} from '../capture/limits';
import { header, isEventStreamType } from '../store/call-facts';
import { applyEvents } from '../store/db';
import type { StoredCall, StoredChunk } from '../store/schema';
import { harFlowRecorder, harSseEvent, harWebSocketMessage } from './har-fields';
import { splitSseBlocks } from './sse-blocks';

const nameValue = z.object({ name: z.string(), value: z.string() });

const id = z.string().min(1).max(128);
const time = epochMs;
/** What the importer reads of `_flowRecorder`: the identity fields required, the rest optional, bounded. */
const flowRecorder = harFlowRecorder
  .pick({
    callId: true,
    pageSessionId: true,
    conversationId: true,
    transport: true,
    startTime: true,
    headersTime: true,
    endTime: true,
    outcome: true,
    error: true,
    truncated: true,
    requestTruncated: true,
    requestBodyEncoding: true,
    keepalive: true,
    bodyBytes: true,
  })
  .partial()
  .extend({
    callId: id,
    pageSessionId: id,
    conversationId: z.string().max(128).nullable().optional(),
    startTime: time.optional(),
    headersTime: time.optional(),
    endTime: time.optional(),
    bodyBytes: z.number().int().nonnegative().optional(),
  });

/**
 * HAR writers disagree on absent values: Chrome omits them, other tools (and the shared digests) write
 * `null` (`"postData": null`, `"text": null`). Both mean "not there": nulls are dropped from the entry,
 * its request, postData, response and content before validation (`_flowRecorder` keeps its own).
 */
function dropNulls(v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > 2) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // A `__proto__` member would become the copy's prototype and supply fields it does not own.
    if (x === null || k === '__proto__') continue;
    out[k] = k === '_flowRecorder' ? x : dropNulls(x, depth + 1);
  }
  return out;
}

/** What the importer reads of an entry; everything else in it is ignored. */
export const harEntrySchema = z.preprocess(
  (v) => dropNulls(v),
  z.object({
    pageref: z.string().optional(),
    startedDateTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'),
    time: z.number().finite().optional(),
    request: z.object({
      method: z.string().min(1).max(32),
      url: z.string().min(1),
      headers: z.array(nameValue).optional(),
      postData: z
        .object({
          mimeType: z.string().optional(),
          text: z.string().optional(),
          params: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
          _encoding: z.string().optional(),
        })
        .optional(),
    }),
    response: z.object({
      status: z.number().int().min(0).max(999),
      statusText: z.string().optional(),
      headers: z.array(nameValue).optional(),
      content: z
        .object({
          size: z.number().optional(),
          mimeType: z.string().optional(),
          text: z.string().optional(),
          encoding: z.string().optional(),
        })
        .optional(),
      _error: z.string().nullable().optional(),
    }),
    timings: z.record(z.string(), z.unknown()).optional(),
    _resourceType: z.string().optional(),
    _sseEvents: z.array(harSseEvent.pick({ time: true })).optional(),
    // Any frame type: other tools' HARs are read too; frames other than send/receive are skipped.
    _webSocketMessages: z
      .array(
        harWebSocketMessage.pick({ time: true }).extend({ type: z.string(), data: z.string().optional() }),
      )
      .optional(),
    _flowRecorder: flowRecorder.optional(),
  }),
);
export type HarEntryIn = z.infer<typeof harEntrySchema>;

export const harPageSchema = z.object({ id: z.string(), title: z.string().optional() });

export interface HarImportContext {
  /** Page id → page URL (a HAR page's title is its URL in Chrome's and our HARs). */
  pages: Map<string, string>;
  /** Prefix that makes derived ids unique to this file (foreign HARs have no call ids). */
  fileKey: string;
  index: number;
}

export interface HarMapped {
  call: StoredCall;
  chunks: StoredChunk[];
  /** Things the import changed (cut bodies, headers over the bounds). */
  notes: string[];
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

function timing(t: Record<string, unknown> | undefined, name: string): number {
  const v = t?.[name];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

function headers(list: readonly { name: string; value: string }[] | undefined, notes: string[]) {
  const out: [string, string][] = [];
  let cut = false;
  for (const h of list ?? []) {
    // HTTP/2 pseudo-headers (:authority, :path…) describe the transport; fetch never reports them.
    if (h.name.startsWith(':')) continue;
    if (out.length >= MAX_HEADERS) {
      cut = true;
      break;
    }
    if (h.name.length > MAX_HEADER_NAME_CHARS || h.value.length > MAX_HEADER_VALUE_CHARS) cut = true;
    out.push([h.name.slice(0, MAX_HEADER_NAME_CHARS), h.value.slice(0, MAX_HEADER_VALUE_CHARS)]);
  }
  if (cut) notes.push('headers cut to the recorder’s bounds');
  return out;
}

/** Cuts a body at the recorder's cap: base64 at a 4-character boundary, text by characters. */
function capBody(text: string, encoding: 'text' | 'base64'): { text: string; cut: boolean } {
  if (encoding === 'base64') {
    const max = Math.floor((DEFAULT_MAX_BODY_BYTES * 4) / 3 / 4) * 4;
    return text.length > max ? { text: text.slice(0, max), cut: true } : { text, cut: false };
  }
  // Characters, not bytes: cheap and within a factor 3 of the byte cap.
  return text.length > DEFAULT_MAX_BODY_BYTES
    ? { text: text.slice(0, DEFAULT_MAX_BODY_BYTES), cut: true }
    : { text, cut: false };
}

const TRANSPORTS: Record<string, StoredCall['transport']> = {
  fetch: 'fetch',
  xhr: 'xhr',
  ping: 'beacon',
  beacon: 'beacon',
  websocket: 'websocket',
};

/** Maps one validated entry; throws an Error whose message says what is wrong with it. */
export function mapHarEntry(e: HarEntryIn, ctx: HarImportContext): HarMapped {
  const notes: string[] = [];
  const meta = e._flowRecorder;
  const callId = meta?.callId ?? `${ctx.fileKey}-${ctx.index}`;
  const pageref = e.pageref ?? 'page';
  const pageSessionId = meta?.pageSessionId ?? `${ctx.fileKey}-${pageref}`.slice(0, 128);
  const isWebSocket =
    meta?.transport === 'websocket' ||
    e._resourceType === 'websocket' ||
    /^wss?:/i.test(e.request.url) ||
    e._webSocketMessages !== undefined;
  const transport: StoredCall['transport'] =
    meta?.transport ?? (isWebSocket ? 'websocket' : (TRANSPORTS[e._resourceType ?? ''] ?? 'fetch'));
  if (e.request.url.length > MAX_URL_CHARS) throw new Error(`URL longer than ${MAX_URL_CHARS} characters`);
  const startTime = meta?.startTime ?? Date.parse(e.startedDateTime);
  if (!(startTime >= 0)) throw new Error('startedDateTime is before 1970');

  const requestHeaders = headers(e.request.headers, notes);
  const post = e.request.postData;
  let requestBody: string | null = null;
  let requestBodyEncoding: 'text' | 'base64' = 'text';
  let requestTruncated = meta?.requestTruncated ?? false;
  if (post) {
    const base64 = post._encoding === 'base64' || meta?.requestBodyEncoding === 'base64';
    const text =
      post.text ??
      (post.params
        ? post.params
            .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value ?? '')}`)
            .join('&')
        : null);
    if (text !== null) {
      const capped = capBody(text, base64 ? 'base64' : 'text');
      if (base64 && !BASE64.test(capped.text)) {
        throw new Error('request.postData: _encoding is base64 but the text is not');
      }
      requestBody = capped.text;
      requestBodyEncoding = base64 ? 'base64' : 'text';
      if (capped.cut) {
        requestTruncated = true;
        notes.push('request body cut at the size cap');
      }
    }
  }

  const events: CaptureEvent[] = [];
  events.push({
    type: 'start',
    callId,
    pageSessionId,
    transport,
    method: e.request.method,
    url: e.request.url,
    pageUrl: ctx.pages.get(pageref) ?? '',
    requestHeaders,
    requestBody,
    requestBodyEncoding,
    requestTruncated,
    ...(meta?.keepalive !== undefined ? { keepalive: meta.keepalive } : {}),
    startTime,
  });

  const t = e.timings;
  const headersTime =
    meta?.headersTime ??
    startTime +
      timing(t, 'blocked') +
      timing(t, 'dns') +
      timing(t, 'connect') +
      timing(t, 'send') +
      timing(t, 'wait');
  const endTime =
    meta?.endTime ?? startTime + Math.max(0, e.time ?? headersTime - startTime + timing(t, 'receive'));
  const status = e.response.status;
  const content = e.response.content;
  const encoding: 'text' | 'base64' = content?.encoding === 'base64' ? 'base64' : 'text';
  const responseHeaders = headers(e.response.headers, notes);
  if (status > 0) {
    events.push({
      type: 'response',
      callId,
      status,
      statusText: (e.response.statusText ?? '').slice(0, MAX_STATUS_TEXT_CHARS),
      responseHeaders,
      responseBodyEncoding: transport === 'websocket' ? 'text' : encoding,
      headersTime: Math.max(startTime, headersTime),
    });
  }

  let truncated = meta?.truncated ?? false;
  let bodyBytes = 0;
  const chunks: { time: number; data: string; bytes: number; direction?: 'in' | 'out' }[] = [];
  if (transport === 'websocket') {
    let size = 0;
    for (const m of e._webSocketMessages ?? []) {
      const data = m.data ?? '';
      size += data.length;
      if (size > DEFAULT_MAX_BODY_BYTES) {
        truncated = true;
        notes.push('WebSocket frames cut at the size cap');
        break;
      }
      const bytes = byteLength(data);
      bodyBytes += bytes;
      chunks.push({ time: m.time * 1000, data, bytes, direction: m.type === 'send' ? 'out' : 'in' });
    }
  } else if (content?.text !== undefined && content.text.length > 0) {
    const capped = capBody(content.text, encoding);
    if (encoding === 'base64' && !BASE64.test(capped.text)) {
      throw new Error('response.content: encoding is base64 but the text is not');
    }
    if (capped.cut) {
      truncated = true;
      notes.push('response body cut at the size cap');
    }
    const isStream = isEventStreamType(header(responseHeaders, 'content-type') ?? content.mimeType);
    const times = e._sseEvents?.map((ev) => ev.time * 1000);
    if (isStream && encoding === 'text' && times && times.length > 0) {
      const blocks = splitSseBlocks(capped.text);
      blocks.forEach((data, i) => {
        const bytes = byteLength(data);
        bodyBytes += bytes;
        chunks.push({ time: times[Math.min(i, times.length - 1)] ?? endTime, data, bytes });
      });
    } else {
      const bytes =
        encoding === 'base64' ? Math.floor((capped.text.length * 3) / 4) : byteLength(capped.text);
      bodyBytes = bytes;
      chunks.push({ time: endTime, data: capped.text, bytes });
    }
  } else if ((content?.size ?? 0) > 0) {
    // DevTools leaves bodies out of a HAR it did not keep: the call is real, its body is unknown.
    truncated = true;
    notes.push('response body not in the HAR');
  }
  const outChunks: StoredChunk[] = [];
  chunks.forEach((c, seq) => {
    const ev: CaptureEvent = {
      type: 'chunk',
      callId,
      seq,
      time: Math.max(0, c.time),
      bytes: c.bytes,
      data: c.data,
    };
    if (c.direction) ev.direction = c.direction;
    events.push(ev);
    const stored: StoredChunk = { callId, seq, time: ev.time, bytes: c.bytes, data: c.data };
    if (c.direction) stored.direction = c.direction;
    outChunks.push(stored);
  });

  const error = meta?.error ?? e.response._error ?? undefined;
  const outcome = meta?.outcome ?? (status === 0 || error ? 'error' : 'complete');
  const end: CaptureEvent = {
    type: 'end',
    callId,
    endTime: Math.max(startTime, endTime),
    outcome,
    truncated,
    bodyBytes: meta?.bodyBytes ?? Math.max(bodyBytes, content?.size ?? 0),
    chunkCount: chunks.length,
  };
  if (error) end.error = error.slice(0, 4096);
  events.push(end);

  // The capture schema's bounds apply to imported data too.
  for (const ev of events) {
    const r = captureEvent.safeParse(ev);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${issue?.path.join('.') || ev.type}: ${issue?.message ?? 'invalid'}`);
    }
  }
  const call = applyEvents(undefined, events, { tabId: null });
  if (!call) throw new Error('no call could be built from this entry');
  if (meta?.conversationId) call.conversationId = meta.conversationId;
  return { call, chunks: outChunks, notes };
}
