/**
 * The analysis output shapes that the JSON export carries too, defined once as zod schemas: types.ts
 * re-exports their `z.infer` types, and src/export/format.ts composes the export format from them.
 *
 * Where the analysis is stricter than the export (an enum of metrics or rules here, any string in the
 * file so that a newer version's values still import), format.ts widens that field; everything else is
 * shared as is. Descriptions here end up in docs/chatgpt-flows.schema.json.
 *
 * Times are epoch milliseconds as stored; durations are milliseconds.
 */
import { z } from 'zod';
import { KINDS } from '../protocol/classify';

const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();
const ids = z.array(z.string());

/**
 * One tool call of a turn, timed from the send (docs/protocol.md §13.2): from the call message appearing
 * to its result's last content. Source: the decoded turn's `phases.toolCalls` (src/protocol/decoded.ts).
 */
export const toolCallStats = z.object({
  tool: z.string().describe("The tool called (`web.run`, `python`, …): the call message's recipient."),
  callId: z.string().describe('Message id of the tool call.'),
  resultId: nullableString.describe('Message id of the tool result; null when none arrived.'),
  startMs: z.number().describe('When the call message appeared, ms after the send started.'),
  durationMs: nullableNumber.describe('Call → result (its last content), ms; null when no result arrived.'),
});
export type ToolCallStats = z.infer<typeof toolCallStats>;

/**
 * The phases of a turn, as durations and offsets in ms measured by the recorder from chunk arrival times
 * (the decoded turn's `phases`, src/protocol/decoded.ts) and the send's start: waiting (send → first
 * byte), reasoning (first → last thought), each tool call (call → result), answer (first answer text → the
 * stream's last event). Offsets (`…AtMs`) count from the send's start. Null: the turn has no such phase
 * (yet). Turns without channels (older models) have only waiting and answer. Since 2026-11.
 */
export const phaseStats = z.object({
  ttfbMs: nullableNumber.describe(
    'Time to first byte: the waiting phase, from the send to its first body byte (or WebSocket frame).',
  ),
  firstAnswerTextMs: nullableNumber.describe(
    'Time to the first event that added answer text (reasoning, tools and commentary excluded), ms.',
  ),
  reasoningAtMs: nullableNumber.describe('When the first thought (or recap) appeared, ms after the send.'),
  reasoningMs: nullableNumber.describe('First → last thought (reasoning content growth), ms.'),
  reportedThoughtSeconds: nullableNumber.describe(
    'ChatGPT\'s own "Thought for N s" (`finished_duration_sec` or the recap text), seconds.',
  ),
  tools: z.array(toolCallStats).describe('Each tool call, in the order the calls appeared.'),
  answerMs: nullableNumber.describe("First answer text → the stream's last event (or last data so far), ms."),
  endAtMs: nullableNumber.describe("The stream's last event, ms after the send."),
});
export type PhaseStats = z.infer<typeof phaseStats>;

/** Latency measured by the recorder, from the call's captured timings. Null: not measurable (yet). */
export const latencyStats = z.object({
  /** headersTime − startTime. */
  timeToHeadersMs: nullableNumber,
  /** First decoded event with `content: true` − startTime (time to first answer text). */
  ttftMs: nullableNumber.describe('Time from the send to the first event that added answer text.'),
  /** endTime − startTime; null while the call is still open. */
  totalMs: nullableNumber,
  /** Number of decoded events that added answer text. */
  contentEvents: z.number().int(),
  /** Last − first content event time: the generation window. */
  generationMs: nullableNumber,
  /**
   * (contentEvents − 1) / generation window in seconds: the rate of text updates after the first one
   * (the first update opens the window). Null with fewer than two content events or a zero window.
   */
  eventsPerSecond: nullableNumber,
  /**
   * Percentiles of the gaps between consecutive content events (linear interpolation between closest
   * ranks, like numpy's default), i.e. "per token without first" in lat/r's terms.
   */
  gapP50Ms: nullableNumber,
  gapP95Ms: nullableNumber,
  gapP99Ms: nullableNumber,
  /** Longest gap between consecutive content events: the longest visible stall. */
  maxStallMs: nullableNumber,
  /** The turn's phases (since 2026-11; absent in older exports and from `latencyStats()` alone). */
  phases: phaseStats.optional().describe('The phases of the turn, timed (since 2026-11).'),
});
export type LatencyStats = z.infer<typeof latencyStats>;

/** The app's own timings, as posted to `lat/r` (docs/protocol.md §3.6). */
export const latRReport = z
  .object({
    serverRequestId: nullableString,
    model: nullableString,
    countTokens: nullableNumber,
    preflightTimeMs: nullableNumber,
    tsFirstTokenMs: nullableNumber,
    tsMedianTokenWithoutFirstMs: nullableNumber,
    tsMeanTokenWithoutFirstMs: nullableNumber,
    tsP95TokenWithoutFirstMs: nullableNumber,
    tsP99TokenWithoutFirstMs: nullableNumber,
    tsMaxTokenTimeMs: nullableNumber,
    tsMinTokenTimeMs: nullableNumber,
    tsTotalRequestMs: nullableNumber,
  })
  .describe("The app's own timings, as it posted them to lat/r.");
export type LatRReport = z.infer<typeof latRReport>;

/**
 * What a comparison row compares. `reasoning`: the recorder's reasoning time (first → last thought) against
 * ChatGPT's "Thought for N s" (`finished_duration_sec`), in ms; the others against lat/r.
 */
export const comparedMetric = z.enum([
  'ttft',
  'contentEvents',
  'gapP50',
  'gapP95',
  'gapP99',
  'total',
  'reasoning',
]);
export type ComparedMetric = z.infer<typeof comparedMetric>;

/** One row of "recorder vs app" for a turn. difference = measured − reported (null if either is null). */
export const latencyComparisonRow = z.object({
  metric: comparedMetric,
  /** What lat/r calls it (`ts_first_token_ms`, `count_tokens`, …). */
  reportedField: z.string(),
  measured: nullableNumber,
  reported: nullableNumber,
  difference: nullableNumber,
});
export type LatencyComparisonRow = z.infer<typeof latencyComparisonRow>;

/**
 * Recorder vs what ChatGPT reported for a turn: the lat/r rows when a lat/r report is linked, and the
 * `reasoning` row when the turn reasoned or ChatGPT reported a thought time.
 */
export const latencyComparison = z.object({
  /** The lat/r link was a guess (no server_request_id matched); false without lat/r. */
  guess: z.boolean().describe('The lat/r link was a guess by time (no request id matched).'),
  rows: z.array(latencyComparisonRow),
});
export type LatencyComparison = z.infer<typeof latencyComparison>;

/** Model as asked for by the client and as answered by the server (they differ: `auto` → `gpt-5-3`). */
export const turnModel = z.object({ requested: nullableString, resolved: nullableString });
export type TurnModel = z.infer<typeof turnModel>;

export const turnMessageIds = z.object({
  /** The user message id sent in the request (`messages[…].id`), else the stream's. */
  user: nullableString,
  /** The request's `parent_message_id`. */
  parent: nullableString,
  /** The answer's id from the stream. */
  assistant: nullableString,
});
export type TurnMessageIds = z.infer<typeof turnMessageIds>;

/** Calls tied to a turn. Ids refer to StoredCall.callId. */
export const turnLinks = z
  .object({
    /** gen_title for this turn's answer: matched by URL id (and body message_id when the URL id differs). */
    genTitle: z
      .object({
        callId: z.string(),
        /** Conversation id named in the gen_title URL. */
        urlConversationId: nullableString,
        /** Body `message_id` (the assistant message it titles). */
        messageId: nullableString,
        /** Response `title`, when the response body was available. */
        title: nullableString,
      })
      .optional(),
    /** The stream's `title_generation` frame(s), last one wins (v1 era). */
    streamTitle: z.string().optional(),
    /** lat/r for this turn: by server_request_id, or (guess) the nearest following unclaimed one. */
    latR: z.object({ callId: z.string(), guess: z.boolean() }).optional(),
    /** The first conversations list refresh after the send, before the next send. */
    conversationsList: z.string().optional(),
    /**
     * f/conversation/resume calls that continue this turn's stream, in time order. Their events are
     * decoded as the continuation of the send's stream (docs/protocol.md §6.3), so `decoded` and the text are
     * the whole answer.
     */
    resumes: ids,
    /** WebSocket connections whose frames carried this turn's answer (see `Turn.answerSource`). */
    sockets: ids,
    /**
     * Calls of this conversation in the turn's window (from this send to the next send of the same page
     * session), by role. Per docs/protocol.md §3.4, sentinel/prepare calls after a send prepare the next
     * send: they are listed by where they happened in time, not as the tokens this send used.
     */
    telemetry: ids,
    sentinel: ids,
    prepare: ids,
    /** Everything else in the window (accounts_check, conversation_get, auth_session, other…). */
    other: ids,
    /** Calls of this conversation before this send that no earlier turn in the page session covers. */
    before: ids,
  })
  .describe('Calls tied to the turn, by callId.');
export type TurnLinks = z.infer<typeof turnLinks>;

export const flowRule = z.enum([
  'new-chat-request', // first request: no conversation_id, client-made parent
  'new-chat-suggestions', // 2023 era: first request carries starter suggestions
  'continuation-request', // follow-up: conversation_id + parent_message_id, no/empty suggestions
  'conversation-id-stable', // one conversation id across all turns and streams
  'gen-title-id', // gen_title URL id = conversation id
  'parent-known', // parent_message_id names a message seen earlier
  'lat-r-linked', // each finished turn has a lat/r matching its request id
  'bodies-recognized', // no body flagged `unrecognized` by the schemas
]);
export type FlowRule = z.infer<typeof flowRule>;

export const flowCheck = z.object({
  /** Unique within a conversation: `<rule>` or `<rule>#<turn index>`. */
  id: z.string(),
  rule: flowRule,
  /** Human-readable name. */
  name: z.string(),
  status: z.enum(['pass', 'fail', 'skip']),
  /** Why: the values looked at, or why the check does not apply. */
  evidence: z.string(),
  callIds: ids,
  turnIndex: z.number().int().optional(),
});
export type FlowCheck = z.infer<typeof flowCheck>;

export const callCounts = z.object({
  total: z.number().int(),
  byKind: z.partialRecord(z.enum(KINDS), z.number().int()),
  /** HTTP status >= 400 or outcome `error`. */
  errors: z.number().int(),
  /** Calls without endTime (still running, or the tab closed before the end was recorded). */
  open: z.number().int(),
});
export type CallCounts = z.infer<typeof callCounts>;

/** A body that `validateBody` did not recognize (schema drift), kept for the UI. */
export const bodyIssue = z.object({
  callId: z.string(),
  side: z.enum(['request', 'response']),
  status: z.string(),
  path: nullableString,
  message: nullableString,
});
export type BodyIssue = z.infer<typeof bodyIssue>;

/** One page load in one tab (the hook's `pageSessionId`). */
export const pageSession = z.object({
  id: z.string(),
  tabId: z.number().int().nullable(),
  /** Host of the page (chatgpt.com, chat.openai.com), from the page URL, else from the first call. */
  host: nullableString,
  /** Page URL of the first call (the app may navigate later: /c/{id} after a new chat's first turn). */
  pageUrl: z.string(),
  startedAt: z.number(),
  /** Latest known time of any call (end, last chunk, headers or start). */
  endedAt: z.number(),
  /** Every call of the page session, in time order. */
  callIds: ids,
  /** Conversations that received at least one call of this page session, in order of first call. */
  conversationIds: ids,
  /** Calls that belong to no conversation (e.g. a page load where nothing was sent). */
  unassignedCallIds: ids,
  /** Some call has not ended yet (recording in progress). */
  live: z.boolean(),
  /** Calls that came from an import rather than a recording. */
  imported: z.boolean(),
});
export type PageSession = z.infer<typeof pageSession>;
