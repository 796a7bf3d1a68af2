/**
 * The one IndexedDB schema. `calls` holds one record per captured call, merged from its start/response/end
 * events; `chunks` holds each body read (or socket frame) with its arrival time, keyed [callId, seq], so a
 * re-sent batch overwrites instead of duplicating and a stream cut mid-way keeps every chunk committed.
 */
import type { DBSchema } from 'idb';
import { z } from 'zod';
import { bodyEncoding, callOutcome, epochMs, headerList, transport } from '../capture/events';
import type { DailyRollup } from '../insights/rollup';
import type { CallSummary, TurnSummary } from '../insights/summary';
import { KINDS } from '../protocol/classify';

export const storedCall = z.object({
  callId: z.string(),
  pageSessionId: z.string(),
  /** Browser tab the call came from; null when unknown (imported data). */
  tabId: z.number().int().nullable(),
  transport,
  method: z.string(),
  url: z.string(),
  pageUrl: z.string(),
  kind: z.enum(KINDS),
  /** The conversation this call belongs to, when its URL, request or stream names one. */
  conversationId: z.string().nullable(),
  requestHeaders: headerList,
  requestBody: z.string().nullable(),
  requestBodyEncoding: bodyEncoding,
  requestTruncated: z.boolean(),
  keepalive: z.boolean().optional(),
  startTime: epochMs,
  status: z.number().int().min(0).max(999).optional(),
  statusText: z.string().optional(),
  responseHeaders: headerList.optional(),
  responseBodyEncoding: bodyEncoding.optional(),
  headersTime: epochMs.optional(),
  firstChunkTime: epochMs.optional(),
  lastChunkTime: epochMs.optional(),
  endTime: epochMs.optional(),
  outcome: callOutcome.optional(),
  error: z.string().optional(),
  truncated: z.boolean().optional(),
  bodyBytes: z.number().int().nonnegative().optional(),
  chunkCount: z.number().int().nonnegative().optional(),
  /** The text body was not valid UTF-8 (bytes replaced with U+FFFD when decoded in the page). */
  malformedText: z.boolean().optional(),
  /** The bodies were dropped after capture (`retention`: the telemetry-body rule of the retention policy). */
  bodiesDropped: z.enum(['retention']).optional(),
  /** Set on calls that came from an import, not a recording (the import's id). */
  importId: z.string().optional(),
});
export type StoredCall = z.infer<typeof storedCall>;

export const storedChunk = z.object({
  callId: z.string(),
  seq: z.number().int().nonnegative(),
  time: epochMs,
  bytes: z.number().int().nonnegative(),
  data: z.string(),
  direction: z.enum(['in', 'out']).optional(),
});
export type StoredChunk = z.infer<typeof storedChunk>;

export interface CaptureDB extends DBSchema {
  calls: {
    key: string;
    value: StoredCall;
    indexes: {
      byTime: number;
      byKind: [string, number];
      byPageSession: [string, number];
      byConversation: [string, number];
      byTab: [number, number];
    };
  };
  chunks: {
    key: [string, number];
    value: StoredChunk;
  };
  /**
   * One summary per ended send (src/insights/summary.ts), keyed by the send's callId: derived data, deleted
   * with its call and recomputed from the raw captures when its `version` is older than ANALYSIS_VERSION.
   */
  turnSummaries: {
    key: string;
    value: TurnSummary;
    indexes: { byTime: number; byVersion: number };
  };
  /**
   * One small summary per call (src/insights/summary.ts `summarizeCall`), keyed by callId, written with the
   * call record: Insights counts volume, bytes and errors from these instead of the full records.
   */
  callSummaries: {
    key: string;
    value: CallSummary;
    indexes: { byTime: number };
  };
  /**
   * Daily rollups of the call and turn summaries (src/insights/rollup.ts), keyed by JSON [day, host, model,
   * kind]: merged in the same transaction as each summary put or delete.
   */
  dailyRollups: {
    key: string;
    value: DailyRollup;
  };
  /** `version`: the ROLLUP_VERSION the dailyRollups rows were built with. */
  rollupMeta: {
    key: string;
    value: { key: string; value: number };
  };
}
