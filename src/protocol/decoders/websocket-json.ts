/**
 * The WebSocket-era answer to a send (docs/protocol.md §5.6 step 3): instead of an event stream, the
 * conversation POST returns `{"wss_url": …, "conversation_id": …, "response_id": …}` and the answer arrives
 * on the Azure Web PubSub socket, tagged with the same `response_id`.
 */
import { isRecord, own, str } from '../json';

export interface WebSocketHandoff {
  conversationId: string | null;
  /** Links the send to the socket's `http.response.body` messages. */
  responseId: string | null;
  /** The socket URL carries an access token; only whether it was present is reported. */
  hasWssUrl: boolean;
}

/** Recognise the JSON answer (gpt4free checks for a body starting with `{"wss_url":`). */
export function parseWebSocketHandoff(value: unknown): WebSocketHandoff | null {
  if (!isRecord(value)) return null;
  const wss = own(value, 'wss_url');
  const responseId = str(own(value, 'response_id'));
  if (typeof wss !== 'string' && responseId === null) return null;
  return {
    conversationId: str(own(value, 'conversation_id')),
    responseId,
    hasWssUrl: typeof wss === 'string',
  };
}
