/**
 * The analysis layer's public surface: pure functions from stored captures (StoredCall + StoredChunk) to
 * page sessions, conversations, turns, linked calls, latency and flow checks. No browser APIs; derived on
 * read, so improving it never needs a data migration.
 *
 * Typical use:
 * - List view: `summarizeConversations(allCalls)` (no stream decoded), optionally with
 *   `{ bodies }` holding the chunks of `summaryBodyCallIds(allCalls)` for titles. Search in `searchText`.
 * - Detail view: load the calls of the conversation's page sessions (`callsByPageSession`) and their chunks,
 *   then `analyzeConversation(calls, chunks, { conversationId, cache })`. Keep one `DecodeCache` per open
 *   view: while a stream is live, re-analysing only decodes the chunks that arrived since the last time.
 * - Message tree: `buildMessageTree(conversation.turns)`.
 */

export { isLive } from '../store/call-facts';
export { type AnalyzeOptions, analyzeConversation } from './analyze';
export type { ChunkMap } from './bodies';
export { runChecks } from './checks';
export { bodyIssues, DecodeCache, decodeCall } from './decode';
export {
  type GroupOptions,
  type GroupResult,
  groupCalls,
  PROVISIONAL_PREFIX,
  summarizeConversations,
  summaryBodyCallIds,
} from './group';
export { compareLatency, latencyStats, percentile, turnLatency } from './latency';
export { buildMessageTree } from './tree';
export type * from './types';
