/**
 * What every stream decoder produces: one decoded turn, whatever the wire format (2022 / legacy snapshots,
 * delta-encoding v1, WebSocket-wrapped). Analysis, UI and the export read only this shape. The one
 * definition: zod schemas here, types by `z.infer`; src/export/format.ts embeds these schemas.
 *
 * Times are epoch milliseconds (sub-millisecond precision): the arrival time of the network read (or
 * WebSocket frame) that completed the event in question, as the recorder stamped it.
 *
 * Compatibility: members marked "since 2026-11" are absent from exports written before; they are optional
 * in the schema so that those exports still import. The decoders always set them.
 */
import { z } from 'zod';

const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();

export const streamFormat = z
  .enum([
    'legacy', // 2022 and 2023-24 full snapshots
    'v1', // delta encoding v1
    'websocket-json', // a send answered with {wss_url, conversation_id, response_id}
    'unknown', // kept raw and flagged
  ])
  .describe('legacy, v1, websocket-json or unknown');
export type StreamFormat = z.infer<typeof streamFormat>;

/** One dispatched SSE event (or one decoded frame), with when it arrived. */
export const decodedEvent = z.object({
  time: z.number().describe('Arrival time (epoch ms) of the chunk that completed this event.'),
  event: z.string().exactOptional().describe('`event:` name, if any (`delta`, `delta_encoding`, `ping`…).'),
  label: z
    .string()
    .describe("What this event is: `delta`, `snapshot`, a typed frame's `type`, `done`, `ping`, `ws-done`…"),
  content: z.boolean().describe('True when it added answer text (used for TTFT, rate and gaps).'),
  data: z.string().describe('Raw data as received (after redaction).'),
  flag: z
    .string()
    .exactOptional()
    .describe('Set when the event could not be understood (bad JSON, unknown op, patch to a missing path…).'),
});
export type DecodedEvent = z.infer<typeof decodedEvent>;

/**
 * What a message is in the turn (docs/protocol.md §13 "Channels", "Tool turns", "Reasoning"):
 * - `reasoning`: thoughts (`content_type: "thoughts"`), `reasoning_recap` ("Thought for N s"), or an
 *   assistant message on channel `analysis`;
 * - `tool_call`: an assistant message addressed to a tool (`recipient` other than `all`);
 * - `tool_result`: a message by the tool (`author.role: "tool"`, `author.name` = the tool);
 * - `commentary`: assistant text on channel `commentary` (progress notes, thinking preambles with
 *   `metadata.is_thinking_preamble_message`), or, in streams without channels, assistant text to all that
 *   is not the answer;
 * - `answer`: the turn's answer (channel `final`; without channels the assistant's text message, §6);
 * - `user`, `system` (also `developer`), `other` (anything else: context roots, unknown roles and types).
 */
export const messagePart = z.enum([
  'reasoning',
  'tool_call',
  'tool_result',
  'commentary',
  'answer',
  'user',
  'system',
  'other',
]);
export type MessagePart = z.infer<typeof messagePart>;

/** One thought of a reasoning message (`content.thoughts[]`, grown by array appends, §6.2, §13). */
export const thought = z.object({
  summary: nullableString.describe('The short heading ChatGPT shows.'),
  content: z.string().describe('The thought text.'),
  finished: z.boolean().nullable(),
});
export type Thought = z.infer<typeof thought>;

export const reasoning = z.object({
  thoughts: z.array(thought),
  recap: nullableString.describe('`reasoning_recap` text, e.g. "Thought for 3s".'),
  seconds: nullableNumber.describe(
    "ChatGPT's own reasoning time in seconds: `metadata.finished_duration_sec`, else read from the recap.",
  ),
});
export type Reasoning = z.infer<typeof reasoning>;

/** A web source a tool result or an answer carries (`metadata.search_result_groups[].entries[]`). */
export const source = z.object({
  url: z.string(),
  title: nullableString,
  snippet: nullableString,
});
export type Source = z.infer<typeof source>;

/** An image part (`image_asset_pointer`, e.g. image generation results or uploads). */
export const imageRef = z.object({
  assetPointer: z.string().describe('`file-service://…` or `sediment://…`: a reference, not the image.'),
  width: nullableNumber,
  height: nullableNumber,
  /** Image generation: `metadata.dalle.gen_id` or `metadata.generation.gen_id`, when present. */
  genId: nullableString,
});
export type ImageRef = z.infer<typeof imageRef>;

export const decodedMessage = z.object({
  id: z.string(),
  role: z.string(),
  name: nullableString.exactOptional().describe('Author name: the tool, for tool results.'),
  recipient: nullableString.exactOptional(),
  channel: nullableString.exactOptional(),
  contentType: nullableString,
  text: z
    .string()
    .describe(
      "The string parts of content.parts concatenated, or content.text (code: a tool call's arguments; execution output), content.content (reasoning_recap), content.result (browsing display). Thoughts are in `reasoning`.",
    ),
  status: nullableString,
  endTurn: z.boolean().nullable(),
  model: nullableString,
  parentId: nullableString,
  finishDetails: z.unknown(),
  metadata: z
    .record(z.string(), z.unknown())
    .describe('Full metadata as decoded (v1 merges appended metadata).'),
  // ---- since 2026-11 ----
  part: messagePart.exactOptional().describe('What the message is in the turn (since 2026-11).'),
  tool: nullableString
    .exactOptional()
    .describe('Tool name: the recipient of a tool call, the author name of a tool result (since 2026-11).'),
  seenTime: nullableNumber
    .exactOptional()
    .describe('When the message first appeared in the stream, epoch ms.'),
  firstContentTime: nullableNumber
    .exactOptional()
    .describe(
      'When its content (text, thoughts, code, parts) first grew, epoch ms; null if it never had any.',
    ),
  lastContentTime: nullableNumber.exactOptional().describe('When its content last grew, epoch ms.'),
  reasoning: reasoning.exactOptional().describe('Reasoning messages only.'),
  sources: z
    .array(source)
    .exactOptional()
    .describe('Web sources (search result groups), when the message has any.'),
  images: z.array(imageRef).exactOptional().describe('Image parts, when the message has any.'),
  content: z
    .unknown()
    .exactOptional()
    .describe('The raw `content` object of tool calls, tool results and other messages, as decoded.'),
});
export type DecodedMessage = z.infer<typeof decodedMessage>;

export const moderation = z.object({
  messageId: nullableString,
  isCompletion: z.boolean().nullable(),
  flagged: z.boolean().nullable(),
  blocked: z.boolean().nullable(),
  moderationId: nullableString,
});
export type Moderation = z.infer<typeof moderation>;

/** One tool call of a turn, from the call message to its result. */
export const toolPhase = z.object({
  tool: z.string().describe('The recipient of the call (`web.run`, `python`, `canmore.create_textdoc`…).'),
  callId: z.string().describe('The tool call message.'),
  resultId: nullableString.describe('The tool result message, when one arrived.'),
  start: z.number().describe('When the call message appeared, epoch ms.'),
  end: nullableNumber.describe(
    "When the result's content last grew (or it appeared), epoch ms; null: no result.",
  ),
});
export type ToolPhase = z.infer<typeof toolPhase>;

/**
 * The turn's phase times (since 2026-11), from chunk times, for the analysis: waiting = firstByte − the
 * send's start; reasoning = reasoningStart → reasoningEnd; each tool call start → end; answer =
 * answerStart → answerEnd (or → end). All epoch ms; null when the turn has no such phase.
 */
export const turnPhases = z.object({
  firstByte: nullableNumber.describe('First body byte (or first WebSocket frame) of the turn.'),
  firstAnswerText: nullableNumber.describe('First event that added answer text (the TTFT point).'),
  reasoningStart: nullableNumber.describe(
    'First thought/recap content (or the reasoning message appearing).',
  ),
  reasoningEnd: nullableNumber.describe('Last growth of any reasoning message.'),
  toolCalls: z.array(toolPhase),
  answerStart: nullableNumber.describe("The answer message's first content."),
  answerEnd: nullableNumber.describe("The answer message's last content."),
  end: nullableNumber.describe('The last event of the turn (its terminator or the last data).'),
  reportedThoughtSeconds: nullableNumber.describe(
    'ChatGPT\'s own "Thought for N s" (`finished_duration_sec` or the recap), seconds.',
  ),
});
export type TurnPhases = z.infer<typeof turnPhases>;

export const decodedTurn = z.object({
  format: streamFormat,
  conversationId: nullableString,
  userMessageId: nullableString,
  assistantMessageId: nullableString.describe(
    'The answer: see docs/protocol.md §6 and §13 for how it is chosen.',
  ),
  messages: z
    .array(decodedMessage)
    .describe(
      'Every assistant-side message in the stream (tool calls, results, reasoning, answer), in order seen.',
    ),
  model: nullableString,
  text: z.string().describe("The answer's final text; empty when the turn has no answer."),
  status: nullableString,
  finishDetails: z.unknown(),
  title: nullableString.describe('Last title_generation, when the stream carries one.'),
  titles: z.array(z.string()),
  requestId: nullableString.describe('From input_message / user echo / server_ste_metadata, when present.'),
  turnTraceId: nullableString,
  responseId: z
    .string()
    .exactOptional()
    .describe(
      "WebSocket delivery: 2024 the `response_id` that links the send's JSON answer to the socket's messages (§5.6, §7); 2026 the turn id.",
    ),
  moderation: z.array(moderation),
  errors: z.array(z.string()),
  streamComplete: z.boolean().describe('`[DONE]` or `message_stream_complete` arrived.'),
  terminator: z
    .string()
    .describe(
      'What ended the stream: `[DONE]`, `message_stream_complete`, `end-of-body`, `aborted`, `error`…',
    ),
  incomplete: z
    .boolean()
    .describe('True when the answer is not known to be complete (aborted, cut, in_progress).'),
  events: z.array(decodedEvent),
  unknown: z
    .array(z.string())
    .describe('Typed frames and shapes the decoder did not know; kept, never dropped.'),
  phases: turnPhases.exactOptional().describe('Phase times (since 2026-11).'),
});
export type DecodedTurn = z.infer<typeof decodedTurn>;

/** A chunk as the decoders consume it (a stored chunk, or a slice of a fixture). */
export interface TimedChunk {
  /** Arrival time, epoch ms. */
  time: number;
  data: string;
}
