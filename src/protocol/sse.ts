/**
 * SSE framing over timed chunks (docs/protocol.md §5.1), on top of eventsource-parser. Adds what a recorder
 * needs and the parser does not give: the arrival time of the chunk that completed each event, comments
 * as keep-alive marks, and what was left undispatched when the body ended.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { TimedChunk } from './decoded';

export interface SseEvent {
  /** Arrival time of the chunk that completed the event. */
  time: number;
  /** `event:` name; absent for plain `data:` events. */
  event?: string;
  /** `data:` lines joined with `\n`, as received (trailing spaces kept; JSON.parse accepts them). */
  data: string;
  id?: string;
}

export interface SseComment {
  time: number;
  comment: string;
}

export interface SseHandlers {
  onEvent: (event: SseEvent) => void;
  onComment?: (comment: SseComment) => void;
}

/**
 * Incremental framer: feed chunks as they arrive, then `end()` once when the body is over. Events are
 * dispatched synchronously from `push`, so the time of the chunk being pushed is the time that completed them.
 */
export class SseFramer {
  private readonly parser: EventSourceParser;
  private time = 0;
  private first = true;
  private lastChar = '';
  private ended = false;
  /** While flushing at the end, a dispatched event is the unterminated tail, not a real event. */
  private capturingTail: SseEvent | null = null;
  private flushing = false;

  constructor(private readonly handlers: SseHandlers) {
    this.parser = createParser({
      onEvent: (e) => {
        const ev: SseEvent = { time: this.time, data: e.data };
        if (e.event !== undefined) ev.event = e.event;
        if (e.id !== undefined) ev.id = e.id;
        if (this.flushing) this.capturingTail = ev;
        else this.handlers.onEvent(ev);
      },
      onComment: (comment) => {
        if (!this.flushing) this.handlers.onComment?.({ time: this.time, comment });
      },
    });
  }

  push(chunk: TimedChunk): void {
    if (this.ended) throw new Error('SseFramer: push after end');
    let text = chunk.data;
    this.time = chunk.time;
    if (this.first && text.length > 0) {
      this.first = false;
      // The spec strips a leading BOM; the parser only knows the UTF-8 bytes misread as Latin-1.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) return;
    this.lastChar = text[text.length - 1] ?? '';
    this.parser.feed(text);
  }

  /**
   * The body is over. A final lone CR still ends its line (the parser holds it back to see whether LF
   * follows). Whatever event is still open was never dispatched (docs/protocol.md §5.1); it is returned as
   * `tail` so the caller can keep it, flagged, instead of losing it silently.
   */
  end(): { tail: SseEvent | null } {
    if (this.ended) return { tail: null };
    this.ended = true;
    if (this.lastChar === '\r') this.parser.feed('\n');
    // Two line ends close any partial line and then the open event; what that dispatches is the tail.
    this.flushing = true;
    this.parser.feed('\n\n');
    this.flushing = false;
    return { tail: this.capturingTail };
  }
}

/** Frame a whole body (or the prefix received so far). */
export function frameSse(
  chunks: readonly TimedChunk[],
  opts: { end?: boolean } = {},
): { events: SseEvent[]; comments: SseComment[]; tail: SseEvent | null } {
  const events: SseEvent[] = [];
  const comments: SseComment[] = [];
  const framer = new SseFramer({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
  });
  for (const chunk of chunks) framer.push(chunk);
  const tail = opts.end === false ? null : framer.end().tail;
  return { events, comments, tail };
}
