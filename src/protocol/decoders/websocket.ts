/**
 * Answers delivered over a WebSocket instead of the POST's response body:
 *
 * - 2024, Azure Web PubSub (docs/protocol.md §5.6): `{sequenceId, type: "message", data: {type:
 *   "http.response.body", body: <base64 legacy SSE>, more_body, response_id, conversation_id}}`. Messages
 *   without a sequenceId are Azure system messages; redeliveries repeat a sequenceId.
 * - 2026, ws.chatgpt.com (docs/protocol.md §5.5, §13): `{type: "message", topic_id, offset, payload: {type:
 *   "conversation-turn-stream", payload: {type: "stream-item", conversation_id, turn_id, encoded_item: <v1 SSE
 *   text>, stream_item_id}}}`. The `reply` to a subscribe (`{id, type: "reply", reply: {type: "subscribe",
 *   topic_id, last_offset, recovered, catchups: [<topic messages>]}}`) carries the items published before
 *   the subscribe; they are unpacked in order. Catch-ups and reconnects replay items, so items are
 *   de-duplicated by stream_item_id and by topic offset. A turn ends with a payload of type `done` or
 *   `error` (`message`); `heartbeat` payloads only keep the socket alive and are ignored.
 *
 * Frames are grouped into one stream per turn and each stream's SSE text is fed, with the frames' arrival
 * times, through the same decoders as an HTTP body.
 */
import { decodeStream } from '../decode';
import type { DecodedEvent, DecodedTurn, TimedChunk } from '../decoded';
import { field, isRecord, type JsonRecord, own, parseJson, str } from '../json';
import type { DecodeOptions } from './turn';

export interface WebSocketFrame {
  time: number;
  data: string;
  /** Client frames (`out`: subscribe commands, sequence acks) carry no answer text. */
  direction?: 'in' | 'out';
}

/** A turn-topic payload that is not stream text (`done`, `error`): kept as a mark on the turn's timeline. */
export interface WebSocketMark {
  /** Arrival time of the frame (ms since epoch). */
  time: number;
  /** `ws-done` or `ws-error`. */
  label: string;
  /** The topic message as received (JSON). */
  data: string;
}

export interface WebSocketStream {
  protocol: 'azure-webpubsub' | 'chatgpt-ws';
  conversationId: string | null;
  /**
   * Azure: `response_id` (links to the send's JSON answer). ws.chatgpt.com: `turn_id`, else the topic id
   * without its `conversation-turn-` prefix.
   */
  responseId: string | null;
  /** The SSE text of each frame, with the frame's arrival time. */
  chunks: TimedChunk[];
  /** Azure said `more_body: false`, or the ws.chatgpt.com turn topic sent `done` or `error`: the body is over. */
  ended: boolean;
  /** ws.chatgpt.com: the turn's `error` payload message, when the server ended the turn with one. */
  errors: string[];
  /** ws.chatgpt.com `done` / `error` payloads, in arrival order. */
  marks: WebSocketMark[];
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

/** A keep-alive: handled, neither decoded nor reported as skipped. */
const IGNORED = 'ignored';

/** The `message` of a turn's `error` payload (or the payload itself, as JSON, when it has none). */
function errorMessage(item: JsonRecord): string {
  return str(own(item, 'message')) ?? str(field(own(item, 'error'), 'message')) ?? JSON.stringify(item);
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
  const seenOffsets = new Set<string>();

  const group = (
    protocol: WebSocketStream['protocol'],
    conversationId: string | null,
    responseId: string | null,
  ): Group => {
    // A ws.chatgpt.com turn is its turn id: its `done` payload may name the conversation when items did not.
    const key =
      protocol === 'chatgpt-ws'
        ? `${protocol}\u0000${responseId ?? ''}`
        : `${protocol}\u0000${conversationId ?? ''}\u0000${responseId ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        protocol,
        conversationId,
        responseId,
        chunks: [],
        ended: false,
        errors: [],
        marks: [],
        utf8: new Base64Utf8(),
      };
      groups.set(key, g);
    }
    if (g.conversationId === null && conversationId !== null) g.conversationId = conversationId;
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

  /** A ws.chatgpt.com topic message (live, or one of a reply's catch-ups). Returns why it was skipped. */
  const topicMessage = (time: number, msg: JsonRecord): string | null => {
    const payload = own(msg, 'payload');
    const payloadType = str(field(payload, 'type'));
    if (payloadType === 'heartbeat') return IGNORED;
    if (payloadType !== 'conversation-turn-stream')
      return `topic payload ${JSON.stringify(payloadType)} is not a turn stream`;
    const item = field(payload, 'payload');
    if (!isRecord(item)) return 'turn stream payload is not an object';
    const itemType = str(own(item, 'type'));
    if (itemType === 'heartbeat') return IGNORED;
    const topic = str(own(msg, 'topic_id'));
    const turnId = str(own(item, 'turn_id')) ?? (topic?.replace(/^conversation-turn-/, '') || null);
    const conversationId = str(own(item, 'conversation_id'));
    if (itemType === 'done' || itemType === 'error') {
      const g = group('chatgpt-ws', conversationId, turnId);
      g.ended = true;
      if (itemType === 'error') g.errors.push(errorMessage(item));
      g.marks.push({ time, label: `ws-${itemType}`, data: JSON.stringify(msg) });
      return null;
    }
    const encoded = str(own(item, 'encoded_item'));
    if (encoded === null) {
      return itemType === 'stream-item' || itemType === null
        ? 'no encoded_item'
        : `unknown turn stream payload type "${itemType}"`;
    }
    const itemId = str(own(item, 'stream_item_id'));
    if (itemId !== null) {
      if (seenItems.has(itemId)) return `duplicate stream_item_id ${itemId}`;
      seenItems.add(itemId);
    }
    const offset = str(own(msg, 'offset'));
    if (offset !== null) {
      const key = `${topic ?? ''}\u0000${offset}`;
      if (seenOffsets.has(key)) return `duplicate offset ${offset}`;
      seenOffsets.add(key);
    }
    const g = group('chatgpt-ws', conversationId, turnId);
    g.chunks.push({ time, data: terminated(encoded) });
    return null;
  };

  /** The server's answer to a client command; a subscribe reply carries the topic's earlier items. */
  const reply = (time: number, msg: JsonRecord): string[] => {
    const catchups = field(own(msg, 'reply'), 'catchups');
    if (!Array.isArray(catchups)) return [];
    const reasons: string[] = [];
    for (const item of catchups) {
      const reason = isRecord(item) ? topicMessage(time, item) : 'catch-up is not a JSON object';
      if (reason !== null && reason !== IGNORED) reasons.push(reason);
    }
    return reasons;
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
      else if (isRecord(own(msg, 'payload'))) reason = topicMessage(frame.time, msg);
      else if (own(msg, 'type') === 'reply' && isRecord(own(msg, 'reply'))) {
        // ws.chatgpt.com, never an Azure system message (those have no `reply`).
        for (const r of reply(frame.time, msg)) skipped.push({ time: frame.time, reason: r });
        reason = null;
      } else if (own(msg, 'type') === 'heartbeat') reason = IGNORED;
      // Azure: `message` frames, and `system`/`ack` frames, which have no sequenceId and are skipped.
      else if (typeof own(msg, 'type') === 'string' || Object.hasOwn(msg, 'sequenceId'))
        reason = azure(frame.time, msg);
      else reason = 'unrecognised frame';
      if (reason !== null && reason !== IGNORED) skipped.push({ time: frame.time, reason });
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
  if (stream.ended && decodeOpts.outcome === undefined)
    decodeOpts.outcome = stream.errors.length > 0 ? 'error' : 'complete';
  const turn = decodeStream(stream.chunks, decodeOpts);
  if (turn.conversationId === null && stream.conversationId !== null)
    turn.conversationId = stream.conversationId;
  if (stream.responseId !== null) turn.responseId = stream.responseId;
  // The same failure often arrives twice: as `data.error` inside an item and as the topic's error payload.
  for (const e of stream.errors) if (!turn.errors.includes(e)) turn.errors.push(e);
  if (stream.marks.length > 0) turn.events = withMarks(turn.events, stream.marks);
  return turn;
}

/** Merge the topic's `done` / `error` marks into the turn's events by time (stable: events first on ties). */
function withMarks(events: readonly DecodedEvent[], marks: readonly WebSocketMark[]): DecodedEvent[] {
  const out: DecodedEvent[] = [];
  const pending = [...marks];
  const markOf = (m: WebSocketMark): DecodedEvent => ({
    time: m.time,
    label: m.label,
    content: false,
    data: m.data,
  });
  for (const e of events) {
    while (pending.length > 0 && (pending[0]?.time ?? 0) < e.time) {
      const m = pending.shift();
      if (m) out.push(markOf(m));
    }
    out.push(e);
  }
  for (const m of pending) out.push(markOf(m));
  return out;
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
