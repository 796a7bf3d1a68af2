/**
 * What every stream decoder produces: one decoded turn, whatever the wire format (2022 / legacy snapshots,
 * delta-encoding v1, WebSocket-wrapped). Analysis and UI read only this shape.
 */

export type StreamFormat =
  | 'legacy' // 2022 and 2023-24 full snapshots
  | 'v1' // delta encoding v1
  | 'websocket-json' // a send answered with {wss_url, conversation_id, response_id}
  | 'unknown'; // kept raw and flagged

/** One dispatched SSE event (or one decoded frame), with when it arrived. */
export interface DecodedEvent {
  /** Arrival time (ms since epoch) of the chunk that completed this event. */
  time: number;
  /** `event:` name, if any (`delta`, `delta_encoding`, `ping`…). */
  event?: string;
  /** What this event is, for the timeline: `delta`, `snapshot`, a typed frame's `type`, `done`, `ping`… */
  label: string;
  /** True when it added assistant answer text (used for TTFT, rate and gaps). */
  content: boolean;
  /** Raw data as received (after redaction). */
  data: string;
  /** Set when the event could not be understood (bad JSON, unknown op, patch to a missing path…). */
  flag?: string;
}

export interface DecodedMessage {
  id: string;
  role: string;
  /** Author name (tool calls), recipient and channel when present. */
  name?: string | null;
  recipient?: string | null;
  channel?: string | null;
  contentType: string | null;
  /** The string parts of content.parts concatenated (or content.text / content.content). */
  text: string;
  status: string | null;
  endTurn: boolean | null;
  model: string | null;
  parentId: string | null;
  finishDetails: unknown;
  /** Full metadata as decoded (v1 merges appended metadata). */
  metadata: Record<string, unknown>;
}

export interface Moderation {
  messageId: string | null;
  isCompletion: boolean | null;
  flagged: boolean | null;
  blocked: boolean | null;
  moderationId: string | null;
}

export interface DecodedTurn {
  format: StreamFormat;
  conversationId: string | null;
  userMessageId: string | null;
  /** The answer: see docs/protocol.md §6 for how it is chosen. */
  assistantMessageId: string | null;
  /** Every assistant-side message in the stream (tool calls, reasoning, answer), by id, in order seen. */
  messages: DecodedMessage[];
  model: string | null;
  /** The answer's final text. */
  text: string;
  status: string | null;
  finishDetails: unknown;
  /** Last title_generation, when the stream carries one. */
  title: string | null;
  titles: string[];
  /** From input_message / user echo / server_ste_metadata, when present. */
  requestId: string | null;
  turnTraceId: string | null;
  /**
   * 2024 WebSocket delivery: the `response_id` that links the send's JSON answer to the socket's messages
   * (docs/protocol.md §5.6, §7). Absent for ordinary event streams.
   */
  responseId?: string;
  moderation: Moderation[];
  errors: string[];
  /** `[DONE]` or `message_stream_complete` arrived. */
  streamComplete: boolean;
  /** What ended the stream: `[DONE]`, `message_stream_complete`, `end-of-body`, `aborted`, `error`… */
  terminator: string;
  /** True when the answer is not known to be complete (aborted, cut, still in_progress). */
  incomplete: boolean;
  events: DecodedEvent[];
  /** Typed frames and shapes the decoder did not know; kept, never dropped. */
  unknown: string[];
}

/** A chunk as the decoders consume it (a stored chunk, or a slice of a fixture). */
export interface TimedChunk {
  time: number;
  data: string;
}
