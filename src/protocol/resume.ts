/**
 * A stream continued by `f/conversation/resume` (docs/protocol.md §5.5, §6.3). The resume's body is not a
 * stream of its own: with `offset > 0` it continues the event sequence of the original response, so its
 * bare `{"v": …}` frames only make sense with the roots and the inherited `c`/`p`/`o` that the original's
 * first `offset` events built. Decoding it alone loses its text; this decodes the parts as one sequence.
 *
 * `offset` counts the SSE events the client consumed: pings, empty data and `[DONE]` do not count. The
 * parts are framed into one effective sequence (each resume cuts the sequence at its offset and appends
 * its own events), which one decoder then reads, so every event keeps its own arrival time.
 */

import { type DecodeOptions, EventDecoder, type Note, sniffBody } from './decode';
import type { DecodedTurn, TimedChunk } from './decoded';
import { buildTurn, terminatorOf } from './decoders/turn';
import { parseJson } from './json';
import { type SseComment, type SseEvent, SseFramer } from './sse';

export interface ResumePart {
  /** The request's `offset`; null when it could not be read (no or truncated request body). */
  offset: number | null;
  /** The resume's response body, as it arrived. */
  chunks: readonly TimedChunk[];
}

export interface ResumeDecodeOptions extends DecodeOptions {
  /**
   * The last part is still streaming: decode what arrived so far, leave an unterminated last event out
   * (it may still complete), and report the terminator `open`. `aborted`/`outcome` describe the last part.
   */
  open?: boolean;
}

type Item =
  | { kind: 'event'; ev: SseEvent; counted: boolean }
  | { kind: 'comment'; c: SseComment }
  | { kind: 'note'; note: Note };

/** docs/protocol.md §5.5: the events that `offset` counts. */
export function isCountedEvent(ev: SseEvent): boolean {
  if (ev.event === 'ping') return false;
  const data = ev.data.trim();
  return data !== '' && data !== '[DONE]';
}

function isV1Declaration(ev: SseEvent): boolean {
  const parsed = parseJson(ev.data);
  return parsed.ok && parsed.value === 'v1';
}

/** One body framed into items, in arrival order. Never throws: a body that is not SSE becomes a raw note. */
function frame(chunks: readonly TimedChunk[], end: boolean, what: string): Item[] {
  const text = chunks.map((c) => c.data).join('');
  const lastTime = chunks.at(-1)?.time ?? 0;
  const mode = sniffBody(text);
  if (mode === null) return [];
  const raw = (flag: string): Item[] => [
    { kind: 'note', note: { ev: { time: lastTime, data: text }, label: 'raw-body', flag, raw: true } },
  ];
  if (mode !== 'sse') return raw(`the ${what} is not an event stream; kept raw`);
  const items: Item[] = [];
  const framer = new SseFramer({
    onEvent: (ev) => items.push({ kind: 'event', ev, counted: isCountedEvent(ev) }),
    onComment: (c) => items.push({ kind: 'comment', c }),
  });
  for (const c of chunks) framer.push(c);
  if (!end) return items;
  const { tail } = framer.end();
  if (tail) {
    items.push({
      kind: 'note',
      note: {
        ev: tail,
        label: 'incomplete-event',
        flag: 'the body ended inside this event; it was never dispatched',
      },
    });
  }
  if (items.length === 0 && text.trim().length > 0) return raw(`no event-stream events in the ${what}`);
  return items;
}

function countOf(items: readonly Item[]): number {
  let n = 0;
  for (const item of items) if (item.kind === 'event' && item.counted) n++;
  return n;
}

/** Cut `items` just before its (offset+1)-th counted event: what the client had consumed at `offset`. */
function cutAt(items: Item[], offset: number): void {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item?.kind !== 'event' || !item.counted) continue;
    if (n === offset) {
      items.length = i;
      return;
    }
    n++;
  }
}

function validOffset(offset: number | null): number | null {
  return offset !== null && Number.isInteger(offset) && offset >= 0 ? offset : null;
}

/**
 * Append one resume to the sequence: cut at its offset, mark the boundary, then its events. A resume
 * that is not a v1 event stream (a JSON error, an HTML page, another delta encoding) is kept raw and
 * flagged, and the sequence stays as it was, so a later resume can still continue it.
 */
function appendResume(seq: Item[], part: ResumePart, index: number, end: boolean): void {
  const name = `resume ${index + 1}`;
  const items = frame(part.chunks, end, `${name} body`);
  const before = countOf(seq);
  const offset = validOffset(part.offset);
  const time = part.chunks[0]?.time ?? lastTimeOf(seq);
  const mark: Note = { ev: { time, data: `${name} at offset ${offset ?? 'unknown'}` }, label: 'resume' };
  const events = items.filter((i): i is Extract<Item, { kind: 'event' }> => i.kind === 'event');
  const foreign = events.find((i) => i.ev.event === 'delta_encoding' && !isV1Declaration(i.ev));
  if (foreign || events.length === 0) {
    // Nothing to continue with (an error body, another encoding): what the earlier parts delivered stands,
    // so the sequence is not cut, and a later resume can still continue it.
    seq.push({ kind: 'note', note: mark });
    for (const item of items) {
      if (item.kind === 'comment') continue;
      const note: Note =
        item.kind === 'note'
          ? item.note
          : {
              ev: item.ev,
              label: 'resume-raw',
              flag: `${name} declares delta encoding ${foreign?.ev.data.trim() ?? '?'}; kept raw`,
              raw: true,
            };
      seq.push({ kind: 'note', note });
    }
    return;
  }
  if (offset === null) {
    // Without the offset the best guess is "after everything received", the usual network-error case.
    mark.flag = `${name} offset unknown: continued after the ${before} events received before it`;
  } else if (offset > before) {
    mark.flag = `${name} offset ${offset} is beyond the ${before} events received before it: ${offset - before} missing`;
  } else {
    cutAt(seq, offset);
    mark.ev.data += ` (${before} events before it)`;
  }
  seq.push({ kind: 'note', note: mark });
  // A continuation may re-declare the encoding first. That preamble is not one of the sequence's events
  // (the original's declaration already is), so it must not shift the offsets of later resumes.
  const first = events[0];
  if (offset !== 0 && first?.ev.event === 'delta_encoding') first.counted = false;
  seq.push(...items);
}

function lastTimeOf(seq: readonly Item[]): number {
  const last = seq.at(-1);
  if (!last) return 0;
  return last.kind === 'event' ? last.ev.time : last.kind === 'comment' ? last.c.time : last.note.ev.time;
}

/**
 * Decode an original response and the resumes that continued it, in request order, as one turn: the
 * original's first `offset` counted events, then each resume's events in the same decoder state. With
 * offset 0 a resume replays from the start (the original's events are dropped, the resume alone
 * decodes). `opts` describe how the last part ended. Never throws: problems are flagged on the events.
 */
export function decodeResumed(
  original: readonly TimedChunk[],
  resumes: readonly ResumePart[],
  opts: ResumeDecodeOptions = {},
): DecodedTurn {
  const open = opts.open === true;
  const lastIndex = resumes.length - 1;
  // The original is over once a resume follows it; only a last part still streaming keeps its tail open.
  const seq = frame(original, lastIndex >= 0 || !open, 'original body');
  resumes.forEach((part, i) => {
    appendResume(seq, part, i, i < lastIndex || !open);
  });

  const decoder = new EventDecoder();
  for (const item of seq) {
    if (item.kind === 'event') decoder.event(item.ev);
    else if (item.kind === 'comment') decoder.comment(item.c);
    else decoder.note(item.note);
  }
  const variant = decoder.current();
  const state = variant.state;
  const firstByte = [original, ...resumes.map((r) => r.chunks)].flat().find((c) => c.data.length > 0)?.time;
  return buildTurn(
    variant.format,
    state,
    variant.summary(),
    terminatorOf(state, opts, open),
    firstByte ?? null,
  );
}
