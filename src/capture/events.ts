/**
 * The capture event model: what the page hook emits, the relay forwards and the background stores.
 * One schema per event; types come from the schemas. The page hook imports only the types (erased at
 * build time), so zod never reaches the page world.
 */
import { z } from 'zod';
import {
  MAX_HEADER_NAME_CHARS,
  MAX_HEADER_VALUE_CHARS,
  MAX_HEADERS,
  MAX_METHOD_CHARS,
  MAX_STATUS_TEXT_CHARS,
  MAX_URL_CHARS,
} from './limits';

/** Milliseconds since the Unix epoch, as `performance.timeOrigin + performance.now()` (sub-ms precision). */
/** The largest time a JavaScript Date can hold (ECMA-262, "Time Values and Time Range"): later ones cannot be written as dates. */
export const MAX_EPOCH_MS = 8.64e15;
export const epochMs = z.number().finite().nonnegative().max(MAX_EPOCH_MS);
const time = epochMs;
const id = z.string().min(1).max(128);

export const headerList = z
  .array(z.tuple([z.string().max(MAX_HEADER_NAME_CHARS), z.string().max(MAX_HEADER_VALUE_CHARS)]))
  .max(MAX_HEADERS);
export type HeaderList = z.infer<typeof headerList>;

/** How a body is carried: text as-is, or bytes as base64 (gzip Statsig bodies, images…). */
export const bodyEncoding = z.enum(['text', 'base64']);
export type BodyEncoding = z.infer<typeof bodyEncoding>;

export const transport = z.enum(['fetch', 'xhr', 'beacon', 'websocket']);
export type Transport = z.infer<typeof transport>;

export const callStart = z.object({
  type: z.literal('start'),
  callId: id,
  pageSessionId: id,
  transport,
  method: z.string().max(MAX_METHOD_CHARS),
  url: z.string().max(MAX_URL_CHARS),
  pageUrl: z.string().max(MAX_URL_CHARS),
  requestHeaders: headerList,
  requestBody: z.string().nullable(),
  requestBodyEncoding: bodyEncoding,
  /** The request body was cut at the size cap. */
  requestTruncated: z.boolean(),
  /** `keepalive` as given in fetch's init (Segment sets it on unload). */
  keepalive: z.boolean().optional(),
  startTime: time,
});

export const callResponse = z.object({
  type: z.literal('response'),
  callId: id,
  status: z.number().int().min(0).max(999),
  statusText: z.string().max(MAX_STATUS_TEXT_CHARS),
  responseHeaders: headerList,
  responseBodyEncoding: bodyEncoding,
  headersTime: time,
});

/** One read of the response body (or one WebSocket frame), stamped when it arrived. */
export const callChunk = z.object({
  type: z.literal('chunk'),
  callId: id,
  /** 0, 1, 2… in arrival order; with callId, the chunk's key (re-sent batches overwrite, never duplicate). */
  seq: z.number().int().nonnegative(),
  time,
  /** Bytes this read carried on the wire (before text decoding). */
  bytes: z.number().int().nonnegative(),
  data: z.string(),
  /** `base64` when `data` is bytes (binary bodies and frames): never run text redaction over it. */
  encoding: bodyEncoding.optional(),
  /** WebSocket frames only: who sent it. */
  direction: z.enum(['in', 'out']).optional(),
});

/**
 * How a call ended: `complete`; `error` (network error, failed beacon, unclean socket close); `aborted`
 * (the page's AbortSignal, XHR abort()); `cancelled` (the page cancelled the response body: reader.cancel(),
 * body.cancel(), a pipe or iterator that stopped); `interrupted` (the page went away or recording stopped
 * before it ended: set by the background, never by the hook).
 */
export const callOutcome = z.enum(['complete', 'error', 'aborted', 'cancelled', 'interrupted']);
export type CallOutcome = z.infer<typeof callOutcome>;

export const callEnd = z.object({
  type: z.literal('end'),
  callId: id,
  endTime: time,
  outcome: callOutcome,
  error: z.string().max(4096).optional(),
  /** The response body went past the size cap; chunks beyond it were not recorded. */
  truncated: z.boolean(),
  /** Total response bytes seen, including any beyond the cap. */
  bodyBytes: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  /** The text body was not valid UTF-8: the stored text has U+FFFD where the bad bytes were. */
  malformedText: z.boolean().optional(),
});

export const captureEvent = z.discriminatedUnion('type', [callStart, callResponse, callChunk, callEnd]);
export type CaptureEvent = z.infer<typeof captureEvent>;
export type CallStart = z.infer<typeof callStart>;
export type CallResponse = z.infer<typeof callResponse>;
export type CallChunk = z.infer<typeof callChunk>;
export type CallEnd = z.infer<typeof callEnd>;

/** Settings the relay hands the hook during the handshake. */
export interface HookSettings {
  recording: boolean;
  maxBodyBytes: number;
  /** Which calls are recorded (settings.ts `RecordingScope`): every call, or ChatGPT's own hosts only. */
  scope: 'all' | 'chatgpt';
}
