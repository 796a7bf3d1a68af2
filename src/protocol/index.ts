/**
 * The protocol layer's public surface: classify a call, decode a conversation response (HTTP body or
 * WebSocket frames), validate request and response bodies. Pure: no browser APIs.
 */
export { classify, conversationIdFromUrl, KINDS, type Kind } from './classify';
export {
  type ConversationUpdate,
  conversationUpdateOf,
  titleFromUpdate,
} from './conversation-update';
export { type DecodeOptions, decodeBody, decodeStream, StreamDecoder } from './decode';
export {
  type DecodedEvent,
  type DecodedMessage,
  type DecodedTurn,
  decodedEvent,
  decodedMessage,
  decodedTurn,
  type ImageRef,
  type MessagePart,
  type Moderation,
  messagePart,
  moderation,
  type Reasoning,
  type Source,
  type StreamFormat,
  type Thought,
  type TimedChunk,
  type ToolPhase,
  type TurnPhases,
  turnPhases,
} from './decoded';
export {
  decodeWebSocketFrames,
  decodeWebSocketTurns,
  type SkippedFrame,
  splitWebSocketFrames,
  type WebSocketDecodeOptions,
  type WebSocketFrame,
  type WebSocketStream,
} from './decoders/websocket';
export { parseWebSocketHandoff, type WebSocketHandoff } from './decoders/websocket-json';
export {
  decodeResumed,
  isCountedEvent,
  type ResumeDecodeOptions,
  type ResumePart,
} from './resume';
export { frameSse, type SseComment, type SseEvent, SseFramer } from './sse';
