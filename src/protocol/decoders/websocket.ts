/**
 * Answers delivered over a WebSocket instead of the POST's response body:
 *
 * - 2024, Azure Web PubSub (docs/protocol.md §5.6): `{sequenceId, type: "message", data: {type:
 *   "http.response.body", body: <base64 legacy SSE>, more_body, response_id, conversation_id}}`. Messages
 *   without a sequenceId are Azure system messages; redeliveries repeat a sequenceId.
 * - 2026, ws.chatgpt.com (§5.5): `{type: "message", topic_id, payload: {type: "conversation-turn-stream",
 *   payload: {type: "stream-item", conversation_id, turn_id, encoded_item: <v1 SSE text>, stream_item_id}}}`.
 *   Catch-ups replay items, so they are de-duplicated by stream_item_id.
 *
 * Frames are grouped into one stream per turn and each stream's SSE text is fed, with the frames' arrival
 * times, through the same decoders as an HTTP body.
 */
import { decodeStream } from '../decode';
import type { DecodedTurn, TimedChunk } from '../decoded';
import { field, isRecord, type JsonRecord, own, parseJson, str } from '../json';
import type { DecodeOptions } from './turn';

export interface WebSocketFrame {
  time: number;
  data: string;
  /** Client frames (`out`: subscribe commands, sequence acks) carry no answer text. */
  direction?: 'in' | 'out';
}

export interface WebSocketStream {
  protocol: 'azure-webpubsub' | 'chatgpt-ws';
  conversationId: string | null;
  /** Azure: `response_id` (links to the send's JSON answer). ws.chatgpt.com: `turn_id` or the topic. */
  responseId: string | null;
  /** The SSE text of each frame, with the frame's arrival time. */
  chunks: TimedChunk[];
  /** Azure said `more_body: false`: the body is over. */
  ended: boolean;
}

export interface SkippedFrame {
  time: number;
  reason: string;
}

class Base64Utf8 {
  // One decoder per stream, in streaming mode: a character may be split across two messages.
  private readonly decoder = new TextDecoder('utf-8');

  decode(b64: string): string | null {
    let binary: string;
    try {
      binary = atob(b64);
    } catch {
      return null;
    }
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return this.decoder.decode(bytes, { stream: true });
  }
}

interface Group extends WebSocketStream {
  utf8: Base64Utf8;
}

/** Each stream item is one whole SSE event; make sure it is terminated so items never run together. */
function terminated(item: string): string {
  if (item.endsWith('\n\n') || item.endsWith('\r\n\r\n')) return item;
  return item.endsWith('\n') ? `${item}\n` : `${item}\n\n`;
}

export function splitWebSocketFrames(frames: readonly WebSocketFrame[]): {
  streams: WebSocketStream[];
  skipped: SkippedFrame[];
} {
  const groups = new Map<string, Group>();
  const skipped: SkippedFrame[] = [];
  const seenSequence = new Set<number>();
  const seenItems = new Set<string>();

  const group = (
    protocol: WebSocketStream['protocol'],
    conversationId: string | null,
    responseId: string | null,
  ): Group => {
    const key = `${protocol}\u0000${conversationId ?? ''}\u0000${responseId ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { protocol, conversationId, responseId, chunks: [], ended: false, utf8: new Base64Utf8() };
      groups.set(key, g);
    }
    return g;
  };

  const azure = (time: number, msg: JsonRecord): string | null => {
    const seq = own(msg, 'sequenceId');
    if (typeof seq !== 'number') return 'no sequenceId (Azure system message)';
    if (seenSequence.has(seq)) return `duplicate sequenceId ${seq}`;
    seenSequence.add(seq);
    let data = own(msg, 'data');
    if (typeof data === 'string') {
      const parsed = parseJson(data);
      data = parsed.ok ? parsed.value : data;
    }
    if (!isRecord(data) || own(data, 'type') !== 'http.response.body')
      return 'not an http.response.body message';
    const body = str(own(data, 'body'));
    const g = group('azure-webpubsub', str(own(data, 'conversation_id')), str(own(data, 'response_id')));
    if (body !== null) {
      const text = g.utf8.decode(body);
      if (text === null) return 'body is not base64';
      if (text.length > 0) g.chunks.push({ time, data: text });
    }
    if (own(data, 'more_body') === false) g.ended = true;
    return null;
  };

  const chatgptWs = (time: number, msg: JsonRecord): string | null => {
    const item = field(own(msg, 'payload'), 'payload');
    const encoded = str(field(item, 'encoded_item'));
    if (encoded === null) return 'no encoded_item';
    const itemId = str(field(item, 'stream_item_id'));
    if (itemId !== null) {
      if (seenItems.has(itemId)) return `duplicate stream_item_id ${itemId}`;
      seenItems.add(itemId);
    }
    const turnId = str(field(item, 'turn_id')) ?? str(own(msg, 'topic_id'));
    const g = group('chatgpt-ws', str(field(item, 'conversation_id')), turnId);
    g.chunks.push({ time, data: terminated(encoded) });
    return null;
  };

  for (const frame of frames) {
    if (frame.direction === 'out') {
      skipped.push({ time: frame.time, reason: 'client frame' });
      continue;
    }
    const parsed = parseJson(frame.data);
    if (!parsed.ok) {
      skipped.push({ time: frame.time, reason: 'not JSON' });
      continue;
    }
    // The ws.chatgpt.com client sends arrays of commands; accept arrays from the server too.
    const messages = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    for (const msg of messages) {
      let reason: string | null;
      if (!isRecord(msg)) reason = 'not a JSON object';
      else if (isRecord(own(msg, 'payload'))) reason = chatgptWs(frame.time, msg);
      // Azure: `message` frames, and `system`/`ack` frames, which have no sequenceId and are skipped.
      else if (typeof own(msg, 'type') === 'string' || Object.hasOwn(msg, 'sequenceId'))
        reason = azure(frame.time, msg);
      else reason = 'unrecognised frame';
      if (reason !== null) skipped.push({ time: frame.time, reason });
    }
  }
  const streams = [...groups.values()].map(({ utf8: _utf8, ...stream }) => stream);
  return { streams, skipped };
}

export interface WebSocketDecodeOptions extends DecodeOptions {
  /**
   * Only messages of this conversation (Azure messages for another conversation are ignored,
   * docs/protocol.md §5.6).
   */
  conversationId?: string;
  /** Only this response (the send's JSON answer names it) or turn. */
  responseId?: string;
}

function decodeGroup(stream: WebSocketStream, opts: DecodeOptions): DecodedTurn {
  const decodeOpts: DecodeOptions = { ...opts };
  if (stream.ended && decodeOpts.outcome === undefined) decodeOpts.outcome = 'complete';
  const turn = decodeStream(stream.chunks, decodeOpts);
  if (turn.conversationId === null && stream.conversationId !== null)
    turn.conversationId = stream.conversationId;
  if (stream.responseId !== null) turn.responseId = stream.responseId;
  return turn;
}

function matching(streams: WebSocketStream[], opts: WebSocketDecodeOptions): WebSocketStream[] {
  return streams.filter(
    (s) =>
      (opts.conversationId === undefined || s.conversationId === opts.conversationId) &&
      (opts.responseId === undefined || s.responseId === opts.responseId),
  );
}

/** One decoded turn per stream (conversation and response/turn) found on the socket, in order of first frame. */
export function decodeWebSocketTurns(
  frames: readonly WebSocketFrame[],
  opts: WebSocketDecodeOptions = {},
): DecodedTurn[] {
  return matching(splitWebSocketFrames(frames).streams, opts).map((s) => decodeGroup(s, opts));
}

/**
 * Decode the answer carried by socket frames: the first stream that matches `conversationId` and
 * `responseId` (or simply the first stream). With no matching stream the turn is empty and incomplete.
 */
export function decodeWebSocketFrames(
  frames: readonly WebSocketFrame[],
  opts: WebSocketDecodeOptions = {},
): DecodedTurn {
  const [first] = matching(splitWebSocketFrames(frames).streams, opts);
  if (first) return decodeGroup(first, opts);
  const empty = decodeStream([], opts);
  if (opts.conversationId !== undefined) empty.conversationId = opts.conversationId;
  return empty;
}
