/**
 * The output model of the analysis layer: what the UI shows, derived on read from stored captures
 * (StoredCall + StoredChunk), so better analysis never needs a data migration.
 *
 * Two levels, because a list of 100,000 calls must be cheap while one conversation may be examined closely:
 * - `ConversationSummary` (from `summarizeConversations`): grouping and request bodies only; no stream is
 *   decoded unless asked for.
 * - `Conversation` (from `analyzeConversation`): every turn decoded, linked calls, latency, flow checks.
 *
 * Times are epoch milliseconds as stored (`performance.timeOrigin + performance.now()`); durations are ms.
 */
import type { Kind } from '../protocol/classify';
import type { DecodedTurn } from '../protocol/decoded';

/** One page load in one tab (the hook's `pageSessionId`). */
export interface PageSession {
  id: string;
  tabId: number | null;
  /** Host of the page (chatgpt.com, chat.openai.com), from the page URL, else from the first call. */
  host: string | null;
  /** Page URL of the first call (the app may navigate later: /c/{id} after a new chat's first turn). */
  pageUrl: string;
  startedAt: number;
  /** Latest known time of any call (end, last chunk, headers or start). */
  endedAt: number;
  /** Every call of the page session, in time order. */
  callIds: string[];
  /** Conversations that received at least one call of this page session, in order of first call. */
  conversationIds: string[];
  /** Calls that belong to no conversation (e.g. a page load where nothing was sent). */
  unassignedCallIds: string[];
  /** Some call has not ended yet (recording in progress). */
  live: boolean;
  /** Calls that came from an import rather than a recording. */
  imported: boolean;
}

/** How a conversation's id is known. */
export type ConversationIdSource =
  /** Request body `conversation_id`, stream frame, or a URL such as gen_title/{id} or conversation/{id}. */
  | 'server'
  /**
   * Not known (yet): a new chat whose stream has not named its conversation (still streaming, aborted
   * early, or the body was not captured). The id is `provisional:<callId of the first POST>`.
   */
  | 'provisional';

export interface CallCounts {
  total: number;
  byKind: Partial<Record<Kind, number>>;
  /** HTTP status >= 400 or outcome `error`. */
  errors: number;
  /** Calls without endTime (still running, or the tab closed before the end was recorded). */
  open: number;
}

/** Short machine-readable markers for a list row; details live in `Conversation.checks`. */
export type ConversationFlag =
  | 'live' // a call is still in progress
  | 'incomplete' // some turn's answer is not known to be complete (aborted, cut, in progress)
  | 'error' // a call failed (HTTP >= 400 or network error)
  | 'imported' // data came from an import
  | 'provisional-id' // see ConversationIdSource
  | 'multi-page-session' // the conversation spans reloads or tabs
  | 'check-failed' // a flow check failed (detail view only)
  | 'unrecognized-body'; // a body did not match its schema (detail view only)

/** What a conversation list row needs; computed without decoding streams unless asked to. */
export interface ConversationSummary {
  id: string;
  idSource: ConversationIdSource;
  /** Best known title (see `titleSource`); null when none was captured. */
  title: string | null;
  titleSource: 'stream' | 'gen_title' | 'conversations_list' | 'conversation_get' | null;
  host: string | null;
  startedAt: number;
  endedAt: number;
  pageSessionIds: string[];
  /** Number of conversation POSTs (turns). */
  turnCount: number;
  /** First user prompt (from the request body), for a row's subtitle. */
  firstPrompt: string | null;
  /** Every call joined to the conversation, in time order. */
  callIds: string[];
  /** The conversation POSTs, in time order. */
  turnCallIds: string[];
  counts: CallCounts;
  flags: ConversationFlag[];
  live: boolean;
  /**
   * Lower-cased text for a search box: title, prompts, reply texts (when streams were decoded), the
   * conversation id, page URLs and send URLs.
   */
  searchText: string;
}

/** Model as asked for by the client and as answered by the server (they differ: `auto` → `gpt-5-3`). */
export interface TurnModel {
  requested: string | null;
  resolved: string | null;
}

export interface TurnMessageIds {
  /** The user message id sent in the request (`messages[…].id`), else the stream's. */
  user: string | null;
  /** The request's `parent_message_id`. */
  parent: string | null;
  /** The answer's id from the stream. */
  assistant: string | null;
}

/** Latency measured by the recorder, from the call's captured timings. Null: not measurable (yet). */
export interface LatencyStats {
  /** headersTime − startTime. */
  timeToHeadersMs: number | null;
  /** First decoded event with `content: true` − startTime (time to first answer text). */
  ttftMs: number | null;
  /** endTime − startTime; null while the call is still open. */
  totalMs: number | null;
  /** Number of decoded events that added answer text. */
  contentEvents: number;
  /** Last − first content event time: the generation window. */
  generationMs: number | null;
  /**
   * (contentEvents − 1) / generation window in seconds: the rate of text updates after the first one
   * (the first update opens the window). Null with fewer than two content events or a zero window.
   */
  eventsPerSecond: number | null;
  /**
   * Percentiles of the gaps between consecutive content events (linear interpolation between closest
   * ranks, like numpy's default), i.e. "per token without first" in lat/r's terms.
   */
  gapP50Ms: number | null;
  gapP95Ms: number | null;
  gapP99Ms: number | null;
  /** Longest gap between consecutive content events: the longest visible stall. */
  maxStallMs: number | null;
}

/** The app's own timings, as posted to `lat/r` (docs/protocol.md §3.6). */
export interface LatRReport {
  serverRequestId: string | null;
  model: string | null;
  countTokens: number | null;
  preflightTimeMs: number | null;
  tsFirstTokenMs: number | null;
  tsMedianTokenWithoutFirstMs: number | null;
  tsMeanTokenWithoutFirstMs: number | null;
  tsP95TokenWithoutFirstMs: number | null;
  tsP99TokenWithoutFirstMs: number | null;
  tsMaxTokenTimeMs: number | null;
  tsMinTokenTimeMs: number | null;
  tsTotalRequestMs: number | null;
}

export type ComparedMetric = 'ttft' | 'contentEvents' | 'gapP50' | 'gapP95' | 'gapP99' | 'total';

/** One row of "recorder vs app" for a turn. difference = measured − reported (null if either is null). */
export interface LatencyComparisonRow {
  metric: ComparedMetric;
  /** What lat/r calls it (`ts_first_token_ms`, `count_tokens`, …). */
  reportedField: string;
  measured: number | null;
  reported: number | null;
  difference: number | null;
}

export interface LatencyComparison {
  /** The lat/r link was a guess (no server_request_id matched). */
  guess: boolean;
  rows: LatencyComparisonRow[];
}

/** Calls tied to a turn. Ids refer to StoredCall.callId. */
export interface TurnLinks {
  /** gen_title for this turn's answer: matched by URL id (and body message_id when the URL id differs). */
  genTitle?: {
    callId: string;
    /** Conversation id named in the gen_title URL. */
    urlConversationId: string | null;
    /** Body `message_id` (the assistant message it titles). */
    messageId: string | null;
    /** Response `title`, when the response body was available. */
    title: string | null;
  };
  /** The stream's `title_generation` frame(s), last one wins (v1 era). */
  streamTitle?: string;
  /** lat/r for this turn: by server_request_id, or (guess) the nearest following unclaimed one. */
  latR?: { callId: string; guess: boolean };
  /** The first conversations list refresh after the send, before the next send. */
  conversationsList?: string;
  /**
   * f/conversation/resume calls that continue this turn's stream, in time order. Their events are decoded
   * as the continuation of the send's stream (docs/protocol.md §6.3), so `decoded` and the text are the whole
   * answer.
   */
  resumes: string[];
  /** WebSocket connections whose frames carried this turn's answer (see `Turn.answerSource`). */
  sockets: string[];
  /**
   * Calls of this conversation in the turn's window (from this send to the next send of the same page
   * session), by role. Per docs/protocol.md §3.4, sentinel/prepare calls after a send prepare the next send:
   * they are listed by where they happened in time, not as the tokens this send used.
   */
  telemetry: string[];
  sentinel: string[];
  prepare: string[];
  /** Everything else in the window (accounts_check, conversation_get, auth_session, other…). */
  other: string[];
  /** Calls of this conversation before this send that no earlier turn in the page session covers. */
  before: string[];
}

export interface Turn {
  /** 0-based position among the conversation's turns, in time order. */
  index: number;
  /** The conversation POST. */
  callId: string;
  pageSessionId: string;
  startTime: number;
  /** `action` of the request (`next`, `variant`, `continue`…). */
  action: string | null;
  /** Text of the user message(s) in the request. */
  userPrompt: string | null;
  model: TurnModel;
  /** The answer text as decoded so far (partial while live). */
  assistantText: string;
  /**
   * Where the answer was read from: the send's response body, or WebSocket frames when the send was
   * answered with `{wss_url, response_id}` (2024) or handed off with `stream_handoff` (2026).
   */
  answerSource: 'response' | 'websocket';
  messageIds: TurnMessageIds;
  /** The request named a conversation_id (a follow-up), as opposed to starting a new chat. */
  isContinuation: boolean;
  /** The request's `conversation_id` (lower-cased), null for a new chat. */
  requestConversationId: string | null;
  /** `suggestions` of the request: absent (undefined in JSON) is null. */
  suggestions: string[] | null;
  /** HTTP status of the send, when headers arrived. */
  status: number | null;
  /** The decoded answer (from `answerSource`). */
  decoded: DecodedTurn;
  /** The send's own response, decoded, when the answer came from elsewhere (the handoff or JSON answer). */
  decodedResponse?: DecodedTurn;
  linkedCalls: TurnLinks;
  latency: LatencyStats;
  reported?: LatRReport;
  comparison?: LatencyComparison;
  /** The stream has not ended (no endTime): the text is partial. */
  live: boolean;
  /** The answer is not known to be complete (live, aborted, cut, in_progress). */
  incomplete: boolean;
}

export type FlowRule =
  | 'new-chat-request' // first request: no conversation_id, client-made parent
  | 'new-chat-suggestions' // 2023 era: first request carries starter suggestions
  | 'continuation-request' // follow-up: conversation_id + parent_message_id, no/empty suggestions
  | 'conversation-id-stable' // one conversation id across all turns and streams
  | 'gen-title-id' // gen_title URL id = conversation id
  | 'parent-known' // parent_message_id names a message seen earlier
  | 'lat-r-linked' // each finished turn has a lat/r matching its request id
  | 'bodies-recognized'; // no body flagged `unrecognized` by the schemas

export interface FlowCheck {
  /** Unique within a conversation: `<rule>` or `<rule>#<turn index>`. */
  id: string;
  rule: FlowRule;
  /** Human-readable name. */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why: the values looked at, or why the check does not apply. */
  evidence: string;
  callIds: string[];
  turnIndex?: number;
}

/** A body that `validateBody` did not recognize (schema drift), kept for the UI. */
export interface BodyIssue {
  callId: string;
  side: 'request' | 'response';
  status: string;
  path: string | null;
  message: string | null;
}

export interface Conversation extends ConversationSummary {
  turns: Turn[];
  /** Alias of callIds, kept as the brief names it: all linked call ids in time order. */
  calls: string[];
  checks: FlowCheck[];
  bodyIssues: BodyIssue[];
  /** Some turn is incomplete. */
  incomplete: boolean;
}

/** A node of the message tree: edits and regenerations appear as siblings under one parent. */
export interface MessageNode {
  id: string;
  /** user, assistant, system, tool…; `root` for a client-made root, `missing` for an uncaptured parent. */
  role: string;
  /** First characters of the text (single line). */
  snippet: string;
  /** Turn that produced this message (the send that carried or answered it). */
  turnIndex: number | null;
  callId: string | null;
  children: MessageNode[];
}

export interface MessageTree {
  roots: MessageNode[];
  /** Ids of nodes with more than one child: where the user edited or regenerated. */
  branchPoints: string[];
  size: number;
}

/** Result of grouping calls (the part of the analysis that needs no bodies). */
export interface Grouping {
  pageSessions: PageSession[];
  conversations: ConversationSummary[];
  /** callId → conversation id (absent for unassigned calls). */
  conversationOf: ReadonlyMap<string, string>;
}
