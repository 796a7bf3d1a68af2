/**
 * The HAR custom fields this recorder writes (names start with `_`, as HAR 1.2 allows), defined once:
 * har.ts writes them with these types, har-import.ts reads them with schemas picked from these (the
 * importer reads fewer fields, and more leniently, since it also takes other tools' HARs).
 *
 * Times here are seconds since the epoch (fractional), Chrome's convention for `_webSocketMessages`,
 * except inside `_flowRecorder`, which keeps the store's epoch milliseconds.
 */
import { z } from 'zod';
import { storedCall } from '../store/schema';

/** One event of an event-stream response (`_sseEvents`), with the time its read completed. */
export const harSseEvent = z.object({
  /** Seconds since the epoch (fractional), like Chrome's `_webSocketMessages`. */
  time: z.number(),
  event: z.string().optional(),
  id: z.string().optional(),
  data: z.string(),
  comment: z.string().optional(),
});
export type HarSseEvent = z.infer<typeof harSseEvent>;

/** One WebSocket frame (`_webSocketMessages`), in Chrome DevTools' own shape (its Messages tab reads it). */
export const harWebSocketMessage = z.object({
  type: z.enum(['send', 'receive']),
  /** Seconds since the epoch (fractional). */
  time: z.number(),
  /** WebSocket opcode: 1 text, 2 binary. */
  opcode: z.number().int(),
  data: z.string(),
});
export type HarWebSocketMessage = z.infer<typeof harWebSocketMessage>;

/**
 * `_flowRecorder`: the recorder's record of the call, minus what the standard fields already carry
 * (method, URL, headers, bodies, status), so a HAR made here imports back with the same identity and
 * exact sub-millisecond times. The stored call's own fields, by the same names.
 */
export const harFlowRecorder = storedCall.pick({
  callId: true,
  pageSessionId: true,
  tabId: true,
  kind: true,
  conversationId: true,
  transport: true,
  startTime: true,
  headersTime: true,
  firstChunkTime: true,
  lastChunkTime: true,
  endTime: true,
  outcome: true,
  error: true,
  truncated: true,
  requestTruncated: true,
  requestBodyEncoding: true,
  keepalive: true,
  bodyBytes: true,
  chunkCount: true,
  malformedText: true,
  bodiesDropped: true,
  importId: true,
});
export type HarFlowRecorder = z.infer<typeof harFlowRecorder>;
