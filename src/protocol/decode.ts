/**
 * One entry point for a conversation response body, whatever its era: sniff the body (event stream, JSON,
 * HTML), frame the event stream, detect the variant from the first decisive event, and hand every event
 * to that variant's decoder. Incremental, so a live view can decode what has arrived so far.
 */
import type { DecodedTurn, StreamFormat, TimedChunk } from './decoded';
import { LegacyDecoder } from './decoders/legacy';
import {
  buildTurn,
  type DecodeOptions,
  type Terminator,
  TurnState,
  terminatorOf,
  type VariantDecoder,
} from './decoders/turn';
import { UnknownDecoder } from './decoders/unknown';
import { V1Decoder } from './decoders/v1';
import { parseWebSocketHandoff } from './decoders/websocket-json';
import { field, isRecord, own, parseJson, str } from './json';
import { type SseComment, type SseEvent, SseFramer } from './sse';

export type { DecodeOptions } from './decoders/turn';

type Detected = 'v1' | 'legacy' | 'unknown';

/**
 * Which variant an event proves, if any (docs/protocol.md §6.2 rule 1 for v1; §5.2–5.3 frame shapes for
 * legacy).
 */
function detect(ev: SseEvent): Detected | null {
  if (ev.event === 'delta_encoding') {
    const parsed = parseJson(ev.data);
    return parsed.ok && parsed.value === 'v1' ? 'v1' : 'unknown';
  }
  // A resumed stream (f/conversation/resume, offset > 0) starts with deltas, without the declaration.
  if (ev.event === 'delta') return 'v1';
  if (ev.event === 'ping') return null;
  const text = ev.data.trim();
  if (!text.startsWith('{')) return null;
  const parsed = parseJson(text);
  if (!parsed.ok || !isRecord(parsed.value)) return null;
  const obj = parsed.value;
  if (typeof own(obj, 'type') === 'string' && own(obj, 'type') !== 'moderation') return null;
  if (Object.hasOwn(obj, 'message') || Object.hasOwn(obj, 'moderation_response')) return 'legacy';
  if (Object.hasOwn(obj, 'o') || Object.hasOwn(obj, 'p') || Object.hasOwn(obj, 'v')) return 'v1';
  return null;
}

function createDecoder(format: Detected, state: TurnState): VariantDecoder {
  if (format === 'v1') return new V1Decoder(state);
  if (format === 'legacy') return new LegacyDecoder(state);
  return new UnknownDecoder(state);
}

type Mode = 'sniffing' | 'sse' | 'json' | 'raw';
/** Something recorded on the timeline that is not a frame of the variant (a resume boundary, a raw body). */
export interface Note {
  ev: SseEvent;
  label: string;
  flag?: string;
  /** Kept in `unknown` as well (a body that could not be decoded). */
  raw?: boolean;
}
type Pending = { ev: SseEvent } | { comment: SseComment } | { note: Note };

/** Kept only to show a body that turned out not to be an event stream at all. */
const RAW_HEAD_LIMIT = 64 * 1024;

/**
 * First significant character decides: `{`/`[` JSON, `<` HTML (a Cloudflare challenge, docs/protocol.md §10),
 * else SSE. Null while only whitespace has arrived.
 */
export function sniffBody(text: string): 'sse' | 'json' | 'raw' | null {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\uFEFF') continue;
    if (ch === '{' || ch === '[') return 'json';
    if (ch === '<') return 'raw';
    return 'sse';
  }
  return null;
}

/**
 * Framed events → the variant decoder, chosen by the first decisive event (events before it are held and
 * replayed). Shared by StreamDecoder and the resume decoder, which feeds it events it framed itself.
 */
export class EventDecoder {
  /** Events and comments handed in so far. */
  dispatched = 0;
  private readonly state = new TurnState();
  private decoder: VariantDecoder | null = null;
  private pending: Pending[] = [];

  event(ev: SseEvent): void {
    this.dispatched++;
    if (this.decoder) {
      this.decoder.handle(ev);
      return;
    }
    this.pending.push({ ev });
    const format = detect(ev);
    if (format === null) return;
    this.decoder = createDecoder(format, this.state);
    const pending = this.pending;
    this.pending = [];
    for (const item of pending) replay(this.decoder, item);
  }

  comment(c: SseComment): void {
    this.dispatched++;
    if (this.decoder) this.decoder.state.addComment(c);
    else this.pending.push({ comment: c });
  }

  /** Record a note; held like a comment until the variant is known, so it never decides the variant. */
  note(n: Note): void {
    if (this.decoder) recordNote(this.decoder, n);
    else this.pending.push({ note: n });
  }

  /**
   * The decoder as it stands. While no event has decided the variant: a throwaway unknown decoder over
   * the held events (a later event may still decide it, so nothing is fixed).
   */
  current(): VariantDecoder {
    return this.decoder ?? this.unknownDecoder();
  }

  /** Like current(), but fixes the unknown decoder: to record something outside any variant's rules. */
  settle(): VariantDecoder {
    this.decoder ??= this.unknownDecoder();
    return this.decoder;
  }

  private unknownDecoder(): VariantDecoder {
    const decoder = new UnknownDecoder(new TurnState());
    for (const item of this.pending) replay(decoder, item);
    return decoder;
  }
}

function recordNote(decoder: VariantDecoder, n: Note): void {
  if (n.raw === true) decoder.state.addUnknown(n.ev, n.label, n.flag ?? 'kept raw');
  else decoder.state.addEvent(n.ev, n.label, n.flag === undefined ? {} : { flag: n.flag });
}

function replay(decoder: VariantDecoder, item: Pending): void {
  if ('ev' in item) decoder.handle(item.ev);
  else if ('comment' in item) decoder.state.addComment(item.comment);
  else recordNote(decoder, item.note);
}

/**
 * docs/protocol.md §5.1 and §6.3: an event cut by the end of the body is never dispatched; keep it, flagged,
 * for the record.
 */
export function recordIncomplete(decoder: VariantDecoder, tail: SseEvent): void {
  decoder.state.addEvent(tail, 'incomplete-event', {
    flag: 'the body ended inside this event; it was never dispatched',
  });
}

export class StreamDecoder {
  private mode: Mode = 'sniffing';
  private readonly held: TimedChunk[] = [];
  private readonly body: string[] = [];
  private rawHead = '';
  private lastTime = 0;
  /** Arrival time of the first chunk that carried data: the turn's first byte. */
  private firstByte: number | null = null;
  private readonly events = new EventDecoder();
  private readonly framer = new SseFramer({
    onEvent: (ev) => this.events.event(ev),
    onComment: (c) => this.events.comment(c),
  });
  private final: DecodedTurn | null = null;

  push(chunk: TimedChunk): void {
    if (this.final) throw new Error('StreamDecoder: push after finish');
    this.lastTime = chunk.time;
    if (this.firstByte === null && chunk.data.length > 0) this.firstByte = chunk.time;
    if (this.mode === 'sniffing') {
      this.held.push(chunk);
      const mode = sniffBody(chunk.data);
      if (mode === null) return;
      this.mode = mode;
      const held = this.held.splice(0);
      for (const c of held) this.route(c);
      return;
    }
    this.route(chunk);
  }

  private route(chunk: TimedChunk): void {
    if (this.mode === 'sse') {
      if (this.rawHead.length < RAW_HEAD_LIMIT) this.rawHead += chunk.data.slice(0, RAW_HEAD_LIMIT);
      this.framer.push(chunk);
    } else {
      this.body.push(chunk.data);
    }
  }

  /** The turn as decoded so far, without ending the body (live view). Does not change the decoder. */
  snapshot(opts: DecodeOptions = {}): DecodedTurn {
    if (this.final) return this.final;
    return this.build(opts, true);
  }

  /** The body is over: close the framer (an unterminated last event is kept, flagged) and decode. */
  finish(opts: DecodeOptions = {}): DecodedTurn {
    if (this.final) return this.final;
    if (this.mode === 'sniffing' && this.held.length > 0) {
      // Only whitespace arrived: frame it as an (empty) event stream.
      this.mode = 'sse';
      for (const c of this.held.splice(0)) this.route(c);
    }
    if (this.mode === 'sse') {
      const { tail } = this.framer.end();
      if (tail) {
        this.events.dispatched++;
        recordIncomplete(this.events.settle(), tail);
      }
    }
    this.final = this.build(opts, false);
    return this.final;
  }

  private build(opts: DecodeOptions, open: boolean): DecodedTurn {
    if (this.mode === 'json' || this.mode === 'raw') return this.buildBody(opts, open);
    const decoder = this.events.current();
    const state = decoder.state;
    if (!open && this.events.dispatched === 0 && this.rawHead.trim().length > 0) {
      // Text that never formed a single event (a plain-text error page): keep it raw.
      state.addUnknown(
        { time: this.lastTime, data: this.rawHead },
        'raw-body',
        'no event-stream events in the body',
      );
    }
    return buildTurn(
      decoder.format,
      state,
      decoder.summary(),
      terminatorOf(state, opts, open),
      this.firstByte,
    );
  }

  /** A body that is not an event stream: the WebSocket handoff JSON, an API error, or something unknown. */
  private buildBody(opts: DecodeOptions, open: boolean): DecodedTurn {
    const state = new TurnState();
    const data = this.body.join('');
    const ev: SseEvent = { time: this.lastTime, data };
    const parsed = parseJson(data);
    let format: StreamFormat = 'unknown';
    let terminator: string = terminatorOf(state, opts, open);
    let responseId: string | null = null;
    const handoff = parsed.ok ? parseWebSocketHandoff(parsed.value) : null;
    if (handoff) {
      format = 'websocket-json';
      terminator = 'websocket' satisfies Terminator;
      state.noteConversation(handoff.conversationId);
      responseId = handoff.responseId;
      state.addEvent(ev, 'websocket-json');
    } else if (parsed.ok && isRecord(parsed.value) && Object.hasOwn(parsed.value, 'detail')) {
      // docs/protocol.md §10: {"detail": "…"} or {"detail": {"message": …, "code": …}}.
      const detail = own(parsed.value, 'detail');
      state.errors.push(str(detail) ?? str(field(detail, 'message')) ?? JSON.stringify(detail));
      state.addEvent(ev, 'error-body', { flag: 'an error body instead of an event stream' });
    } else {
      state.addUnknown(ev, 'raw-body', parsed.ok ? 'JSON body of unknown shape' : 'not an event stream');
    }
    const summary = { messages: [], answer: null, complete: false };
    const turn = buildTurn(format, state, summary, terminator, this.firstByte);
    if (responseId !== null) turn.responseId = responseId;
    return turn;
  }
}

/**
 * Decode a conversation response body from its timed chunks (the whole body, or the prefix that arrived).
 * Never throws on malformed input: problems are flagged on the events.
 */
export function decodeStream(chunks: readonly TimedChunk[], opts: DecodeOptions = {}): DecodedTurn {
  const decoder = new StreamDecoder();
  for (const chunk of chunks) decoder.push(chunk);
  return decoder.finish(opts);
}

/** The same as decodeStream for a body held as one string. */
export function decodeBody(text: string, time = 0, opts: DecodeOptions = {}): DecodedTurn {
  return decodeStream([{ time, data: text }], opts);
}
