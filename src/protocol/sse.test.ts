import { describe, expect, it } from 'vitest';
import type { TimedChunk } from './decoded';
import { frameSse, SseFramer } from './sse';

const at = (...parts: string[]): TimedChunk[] => parts.map((data, i) => ({ time: 100 + i, data }));
const shape = (chunks: TimedChunk[]) =>
  frameSse(chunks).events.map((e) => ({ time: e.time, event: e.event, data: e.data }));

describe('frameSse', () => {
  it('joins an event split across chunks and stamps it with the chunk that completed it', () => {
    expect(shape(at('da', 'ta: {"a"', ': 1}\n', '\n'))).toEqual([
      { time: 103, event: undefined, data: '{"a": 1}' },
    ]);
  });

  it('gives each event of a multi-event chunk that chunk’s time', () => {
    expect(shape(at('data: 1\n\ndata: 2\n\ndata: 3', '\n\n'))).toEqual([
      { time: 100, event: undefined, data: '1' },
      { time: 100, event: undefined, data: '2' },
      { time: 101, event: undefined, data: '3' },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line ends', (_name, nl) => {
    const body = `event: ping${nl}data: 2023-04-18${nl}${nl}data: {"x": 1}${nl}${nl}`;
    expect(frameSse(at(body)).events.map((e) => [e.event, e.data])).toEqual([
      ['ping', '2023-04-18'],
      [undefined, '{"x": 1}'],
    ]);
  });

  it('treats a CRLF split between two chunks as one line end, not two', () => {
    const events = frameSse(at('data: a\r', '\n', 'data: b\r\n\r\n')).events;
    // Had the lone CR counted as a line end, the LF after it would be an empty line and dispatch "a" alone.
    expect(events.map((e) => e.data)).toEqual(['a\nb']);
  });

  it('dispatches a CR-terminated final event when the body ends on the CR', () => {
    expect(frameSse(at('data: last\r\r')).events.map((e) => e.data)).toEqual(['last']);
  });

  it('reads event names, joins multi-line data and keeps trailing spaces of data lines', () => {
    const { events } = frameSse(at('event: delta\ndata: {"v": "x"}   \n\ndata: one\ndata: two\n\n'));
    expect(events).toEqual([
      { time: 100, event: 'delta', data: '{"v": "x"}   ' },
      { time: 100, data: 'one\ntwo' },
    ]);
  });

  it('reports comments separately and does not dispatch them as events', () => {
    const { events, comments } = frameSse(at(': keep-alive\n\ndata: x\n\n'));
    expect(comments).toEqual([{ time: 100, comment: 'keep-alive' }]);
    expect(events.map((e) => e.data)).toEqual(['x']);
  });

  it('does not dispatch an event that is not followed by a blank line at the end of the body', () => {
    const { events, tail } = frameSse(at('data: done\n\ndata: {"cut', ' off"'));
    expect(events.map((e) => e.data)).toEqual(['done']);
    expect(tail).toEqual({ time: 101, data: '{"cut off"' });
  });

  it('also keeps back a complete data line that lacks only the blank line', () => {
    const { events, tail } = frameSse(at('data: [DONE]\n'));
    expect(events).toEqual([]);
    expect(tail?.data).toBe('[DONE]');
  });

  it('has no tail when the body ends cleanly, and frames [DONE] like any data', () => {
    const { events, tail } = frameSse(at('data: [DONE]\n\n'));
    expect(events.map((e) => e.data)).toEqual(['[DONE]']);
    expect(tail).toBeNull();
  });

  it('does not dispatch an event: line without data', () => {
    expect(frameSse(at('event: delta\n\n')).events).toEqual([]);
  });

  it('strips a leading byte-order mark', () => {
    expect(frameSse(at('\uFEFFdata: x\n\n')).events.map((e) => e.data)).toEqual(['x']);
  });

  it('is incremental: events come out of push as soon as they are complete', () => {
    const seen: string[] = [];
    const framer = new SseFramer({ onEvent: (e) => seen.push(e.data) });
    framer.push({ time: 1, data: 'data: a\n' });
    expect(seen).toEqual([]);
    framer.push({ time: 2, data: '\ndata: b' });
    expect(seen).toEqual(['a']);
    expect(framer.end().tail?.data).toBe('b');
    expect(() => framer.push({ time: 3, data: 'x' })).toThrow();
  });
});
