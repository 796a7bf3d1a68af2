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
import type { DecodedTurn, MessagePart } from '../protocol/decoded';
import type {
  BodyIssue,
  CallCounts,
  FlowCheck,
  LatencyComparison,
  LatencyStats,
  LatRReport,
  PageSession,
  TurnLinks,
  TurnMessageIds,
  TurnModel,
} from './schema';

// The shapes the export carries too are defined once, as zod schemas (schema.ts).
export type {
  BodyIssue,
  CallCounts,
  ComparedMetric,
  FlowCheck,
  FlowRule,
  LatencyComparison,
  LatencyComparisonRow,
  LatencyStats,
  LatRReport,
  PageSession,
  PhaseStats,
  ToolCallStats,
  TurnLinks,
  TurnMessageIds,
  TurnModel,
} from './schema';

/** How a conversation's id is known. */
export type ConversationIdSource =
  /** Request body `conversation_id`, stream frame, or a URL such as gen_title/{id} or conversation/{id}. */
  | 'server'
  /**
   * Not known (yet): a new chat whose stream has not named its conversation (still streaming, aborted
   * early, or the body was not captured). The id is `provisional:<callId of the first POST>`.
   */
  | 'provisional';

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
  titleSource:
    | 'stream'
    | 'gen_title'
    | 'conversations_list'
    | 'conversation_get'
    | 'conversation_update'
    | null;
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
  /** What the message is in its turn (reasoning, tool_call, tool_result, commentary, answer…), when known. */
  part?: MessagePart;
  /** The tool a tool call addresses or a tool result comes from. */
  tool?: string;
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
