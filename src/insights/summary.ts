/**
 * Per-turn summaries: the few figures Insights needs about each send (a conversation POST), derived from its
 * raw captures (the call record and its chunks) by the same decoder and phase timing as the detail view.
 * Kept in the `turnSummaries` store (src/store/schema.ts) so that Insights never decodes 10,000 streams
 * when it opens. The raw captures stay the source of truth: a summary of an older `ANALYSIS_VERSION` is
 * recomputed from them (src/store/summaries.ts), never migrated.
 *
 * Times are epoch ms; durations ms; days are UTC calendar days (`YYYY-MM-DD`).
 */
import { z } from 'zod';
import { hostOf, isTurnPost, parseSendRequest, sendRequestIds } from '../analysis/bodies';
import { decodeCall } from '../analysis/decode';
import { turnLatency } from '../analysis/latency';
import type { StoredCall, StoredChunk } from '../store/schema';

/**
 * Version of the summary computation. Raise it whenever `summarizeTurn` changes what it computes: summaries
 * of an older version are recomputed from the raw captures when Insights opens.
 */
export const ANALYSIS_VERSION = 1;

const ms = z.number().nullable();

/** One turn (one send) as Insights sees it. */
export const turnSummary = z.object({
  /** The send's callId (also the store key). */
  callId: z.string(),
  /** `ANALYSIS_VERSION` that computed it. */
  version: z.number().int(),
  conversationId: z.string().nullable(),
  pageSessionId: z.string(),
  /** The send's start, epoch ms. */
  startTime: z.number(),
  /** UTC day of `startTime`, `YYYY-MM-DD`. */
  day: z.string(),
  /** chatgpt.com, chat.openai.com… (from the send's URL). */
  host: z.string().nullable(),
  /** Model asked for in the request (`auto`, `gpt-4o`…). */
  modelRequested: z.string().nullable(),
  /** Model the stream says answered (`gpt-5-3`…). */
  modelResolved: z.string().nullable(),
  /** HTTP status of the send; null when no response arrived. */
  httpStatus: z.number().int().nullable(),
  /** The call's outcome (`complete`, `aborted`, `error`, `cancelled`, `interrupted`); null while open. */
  outcome: z.string().nullable(),
  /** What ended the stream (`[DONE]`, `message_stream_complete`, `aborted`…). */
  terminator: z.string(),
  /** The user stopped the answer (outcome aborted/cancelled, or the stream said so). */
  stopped: z.boolean(),
  /** HTTP ≥ 400, a network error, or the stream reported an error. */
  failed: z.boolean(),
  /** Moderation flagged / blocked any message of the turn. */
  moderationFlagged: z.boolean(),
  moderationBlocked: z.boolean(),
  /** Time to first byte, ms (send → first body byte). */
  ttfbMs: ms,
  /** Thinking time, ms (first → last thought); null without reasoning. */
  thinkingMs: ms,
  /** Time to first answer text, ms. */
  firstAnswerTextMs: ms,
  /** First answer text → the stream's last event, ms. */
  answerMs: ms,
  /** Characters of the answer's final text. */
  answerChars: z.number().int(),
  /** Answer rate in characters per second: answerChars / answerMs (null without a positive answer time). */
  answerCharsPerSec: ms,
  /** Answer-text events per second after the first (the detail view's `eventsPerSecond`). */
  answerEventsPerSec: ms,
  /** Send → end of the call, ms; null while open. */
  totalMs: ms,
  /** ChatGPT's own "Thought for N s", seconds. */
  reportedThoughtSeconds: ms,
  /** Ids by which a lat/r report names this send (x-oai-request-id, cf-ray, stream request id). */
  requestIds: z.array(z.string()),
  /** Stream format (`v1`, `legacy`, `websocket-json`, `unknown`). */
  format: z.string(),
  /** Distinct frame labels of the stream (`delta`, `message_stream_complete`…), sorted: protocol drift. */
  frameLabels: z.array(z.string()),
  /** Frames and shapes the decoder did not know (distinct, sorted). */
  unknownFrames: z.array(z.string()),
  /** The send came from an import. */
  imported: z.boolean(),
});
export type TurnSummary = z.infer<typeof turnSummary>;

const dayNames = new Map<number, string>();

/** UTC calendar day of an epoch-ms time, `YYYY-MM-DD` (memoized per day: Insights asks 100,000 times). */
export function utcDay(time: number): string {
  const d = Math.floor(time / 86_400_000);
  let name = dayNames.get(d);
  if (name === undefined) {
    name = new Date(d * 86_400_000).toISOString().slice(0, 10);
    if (dayNames.size < 100_000) dayNames.set(d, name);
  }
  return name;
}

/**
 * Summarizes one send from its call record and its chunks (answers delivered on a WebSocket are timed from
 * the send's own stream only). Pure.
 */
export function summarizeTurn(post: StoredCall, chunks: readonly StoredChunk[] | undefined): TurnSummary {
  const decoded = decodeCall(post, chunks);
  const latency = turnLatency(post, decoded);
  const p = latency.phases;
  const req = parseSendRequest(post);
  const answerMs = p?.answerMs ?? null;
  const answerChars = decoded.text.length;
  const outcome = post.outcome ?? null;
  const status = post.status ?? null;
  const stopped = outcome === 'aborted' || outcome === 'cancelled' || decoded.terminator === 'aborted';
  const failed =
    (status !== null && status >= 400) ||
    outcome === 'error' ||
    decoded.errors.length > 0 ||
    decoded.terminator === 'error';
  const requestIds = sendRequestIds(post);
  if (decoded.requestId) requestIds.push(decoded.requestId);
  return {
    callId: post.callId,
    version: ANALYSIS_VERSION,
    conversationId: post.conversationId ?? decoded.conversationId,
    pageSessionId: post.pageSessionId,
    startTime: post.startTime,
    day: utcDay(post.startTime),
    host: hostOf(post.url),
    modelRequested: req?.model ?? null,
    modelResolved: decoded.model,
    httpStatus: status === 0 ? null : status,
    outcome,
    terminator: decoded.terminator,
    stopped,
    failed,
    moderationFlagged: decoded.moderation.some((m) => m.flagged === true),
    moderationBlocked: decoded.moderation.some((m) => m.blocked === true),
    ttfbMs: p?.ttfbMs ?? (post.firstChunkTime !== undefined ? post.firstChunkTime - post.startTime : null),
    thinkingMs: p?.reasoningMs ?? null,
    firstAnswerTextMs: p?.firstAnswerTextMs ?? latency.ttftMs,
    answerMs,
    answerChars,
    answerCharsPerSec: answerMs !== null && answerMs > 0 ? answerChars / (answerMs / 1000) : null,
    answerEventsPerSec: latency.eventsPerSecond,
    totalMs: latency.totalMs,
    reportedThoughtSeconds: p?.reportedThoughtSeconds ?? null,
    requestIds: [...new Set(requestIds)],
    format: decoded.format,
    frameLabels: [...new Set(decoded.events.map((e) => e.label))].sort(),
    unknownFrames: [...new Set(decoded.unknown)].sort(),
    imported: post.importId !== undefined,
  };
}

/**
 * One call as Insights counts it (volume, bytes, HTTP errors, request-field drift): a few dozen bytes per
 * call, so that Insights reads 100,000 of them in a fraction of a second instead of the full call records.
 * Written in the same transaction as the call record (src/store/db.ts writeBatch), derived, deleted with it.
 */
export const callSummary = z.object({
  callId: z.string(),
  /** Epoch ms. */
  startTime: z.number(),
  kind: z.string(),
  /** Host of the page that made the call (chatgpt.com…), else of the URL. */
  host: z.string().nullable(),
  /** HTTP status; null when none (network error, still open, WebSocket). */
  status: z.number().int().nullable(),
  /** Request body bytes (base64 decoded; text counted in UTF-16 code units). */
  bytesUp: z.number().int(),
  /** Response bytes the page read (`bodyBytes`, including any beyond the cap); 0 while open. */
  bytesDown: z.number().int(),
  /** Top-level fields of a JSON object request body, sorted (protocol drift); empty otherwise. */
  fields: z.array(z.string()),
  /** An ended turn send: it has (or gets) a turn summary. */
  send: z.boolean(),
});
export type CallSummary = z.infer<typeof callSummary>;

/** Request body bytes: base64 decoded; text in UTF-16 code units (the stored string's length). */
export function bytesUp(c: Pick<StoredCall, 'requestBody' | 'requestBodyEncoding'>): number {
  const body = c.requestBody;
  if (!body) return 0;
  if (c.requestBodyEncoding !== 'base64') return body.length;
  const pad = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - pad;
}

/** The top-level fields of a text JSON object request body (sorted); empty otherwise. */
export function requestFields(
  c: Pick<StoredCall, 'requestBody' | 'requestBodyEncoding' | 'requestTruncated'>,
): string[] {
  if (c.requestBodyEncoding !== 'text' || !c.requestBody || c.requestTruncated) return [];
  const t = c.requestBody.trimStart();
  if (!t.startsWith('{')) return [];
  try {
    const v = JSON.parse(t) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v).sort() : [];
  } catch {
    return [];
  }
}

/** A call's summary, from its record alone (no chunks). Pure. */
export function summarizeCall(c: StoredCall): CallSummary {
  return {
    callId: c.callId,
    startTime: c.startTime,
    kind: c.kind,
    host: hostOf(c.pageUrl || c.url),
    status: c.status === undefined || c.status === 0 ? null : c.status,
    bytesUp: bytesUp(c),
    bytesDown: c.bodyBytes ?? 0,
    fields: requestFields(c),
    send: isTurnPost(c) && c.endTime !== undefined,
  };
}
