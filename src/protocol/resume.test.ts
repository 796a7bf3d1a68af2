import { describe, expect, it } from 'vitest';
import { decodeStream } from './decode';
import type { TimedChunk } from './decoded';
import { decodeResumed } from './resume';
import { type Expected, REAL_SSE, readFixture, readJsonFixture } from './test-fixtures';

const C_SSE = 'synthetic/c_2026-02_v1_append-and-patch_no-done.sse';
const C_EXPECTED = readJsonFixture(C_SSE.replace(/\.sse$/, '.expected.json')) as Expected;
const REAL_TEXT = '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a';
const PREAMBLE = 'event: delta_encoding\ndata: "v1"\n\n';

/** The fixture's SSE events as raw blocks (each with its blank-line terminator). */
function blocks(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n\n+/)
    .filter((b) => b.trim() !== '')
    .map((b) => `${b}\n\n`);
}

/** What docs/protocol.md §5.5 counts: not a ping, not empty, not [DONE]. */
function counted(block: string): boolean {
  if (/^event: ping$/m.test(block)) return false;
  const data = block
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim())
    .join('');
  return data !== '' && data !== '[DONE]';
}

/**
 * Cut a fixture after `n` counted events, the way a network error would: the original gets the first n
 * events and half of the next one; the resume (offset n) re-sends the events from index n on.
 */
function cut(text: string, n: number, opts: { preamble?: boolean; t0?: number } = {}) {
  const all = blocks(text);
  let seen = 0;
  let at = all.length;
  for (let i = 0; i < all.length; i++) {
    if (!counted(all[i] ?? '')) continue;
    if (seen === n) {
      at = i;
      break;
    }
    seen++;
  }
  const head = all.slice(0, at);
  const next = all[at] ?? '';
  const t0 = opts.t0 ?? 1000;
  const original: TimedChunk[] = head.map((data, i) => ({ time: t0 + i, data }));
  original.push({ time: t0 + head.length, data: next.slice(0, Math.floor(next.length / 2)) });
  const rest = all.slice(at);
  const resumeBody = [...(opts.preamble ? [PREAMBLE] : []), ...rest];
  const resume: TimedChunk[] = resumeBody.map((data, i) => ({ time: t0 + 10_000 + i, data }));
  return { original, resume, countedBefore: seen };
}

function noOpFlags(turn: { events: { flag?: string }[] }) {
  return turn.events.filter((e) => e.flag?.includes('no operation')).length;
}

describe('decodeResumed on the real 2026 capture (patch style)', () => {
  const text = readFixture(REAL_SSE);
  const total = blocks(text).filter(counted).length;
  // 8 is right before the {"o":"patch"}, 9 right after it, 10–12 inside the run of bare {"v": [...]}.
  const cuts = [1, 6, 7, 8, 9, 10, 11, 12, 13, 14];

  it('decodes each half alone as lossy (the bug this fixes)', () => {
    const { resume } = cut(text, 10);
    const alone = decodeStream(resume);
    expect(alone.text).not.toBe(REAL_TEXT);
    expect(noOpFlags(alone)).toBeGreaterThan(0);
  });

  for (const preamble of [false, true]) {
    for (const n of cuts) {
      it(`cut after ${n} of ${total} events, resume ${preamble ? 'with' : 'without'} a v1 preamble`, () => {
        const { original, resume } = cut(text, n, { preamble });
        const turn = decodeResumed(original, [{ offset: n, chunks: resume }], { outcome: 'complete' });
        expect(turn.text).toBe(REAL_TEXT);
        expect(turn.status).toBe('finished_successfully');
        expect(turn.incomplete).toBe(false);
        expect(turn.terminator).toBe('[DONE]');
        expect(turn.format).toBe('v1');
        expect(turn.assistantMessageId).toBe('c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216');
        expect(turn.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
        expect(noOpFlags(turn)).toBe(0);
        // The five text frames, each once, wherever they arrived, with their own arrival times.
        const content = turn.events.filter((e) => e.content);
        expect(content).toHaveLength(5);
        const resumedContent = content.filter((e) => e.time >= 11_000).length;
        expect(resumedContent).toBe(Math.max(0, Math.min(5, 13 - n)));
        expect(turn.events.filter((e) => e.label === 'resume')).toHaveLength(1);
        expect(turn.events.filter((e) => e.flag !== undefined && e.label !== 'incomplete-event')).toEqual([]);
      });
    }
  }
});

describe('decodeResumed on synthetic fixture c (append style, no [DONE])', () => {
  const text = readFixture(C_SSE);
  const total = blocks(text).filter(counted).length;
  // 8 right after the explicit append, 9–20 inside the bare {"v": "…"} run, 28 right after the final patch.
  const cuts = [2, 7, 8, 9, 12, 15, 20, 27, 28, total - 1];

  for (const preamble of [false, true]) {
    for (const n of cuts) {
      it(`cut after ${n} of ${total} events, resume ${preamble ? 'with' : 'without'} a v1 preamble`, () => {
        const { original, resume } = cut(text, n, { preamble });
        const turn = decodeResumed(original, [{ offset: n, chunks: resume }]);
        expect(turn.text).toBe(C_EXPECTED.final_text);
        expect(turn.status).toBe(C_EXPECTED.final_status);
        expect(turn.title).toBe(C_EXPECTED.title);
        expect(turn.streamComplete).toBe(true);
        expect(turn.incomplete).toBe(false);
        expect(noOpFlags(turn)).toBe(0);
      });
    }
  }

  it('chains several resumes, each continuing the sequence so far', () => {
    const all = blocks(text);
    // Original: events 0–9 (cut inside event 10); resume 1 (offset 10): 10–17 and cut; resume 2 (offset
    // 18, with a preamble that must not count): the rest.
    const orig: TimedChunk[] = [{ time: 1, data: all.slice(0, 10).join('') + (all[10] ?? '').slice(0, 5) }];
    const r1: TimedChunk[] = [{ time: 2, data: all.slice(10, 18).join('') + (all[18] ?? '').slice(0, 9) }];
    const r2: TimedChunk[] = [{ time: 3, data: PREAMBLE + all.slice(18).join('') }];
    const r3: TimedChunk[] = [{ time: 4, data: '' }];
    const turn = decodeResumed(orig, [
      { offset: 10, chunks: r1 },
      { offset: 18, chunks: r2 },
    ]);
    expect(turn.text).toBe(C_EXPECTED.final_text);
    expect(turn.status).toBe('finished_successfully');
    expect(noOpFlags(turn)).toBe(0);
    // A third, empty resume neither breaks nor changes it.
    const again = decodeResumed(orig, [
      { offset: 10, chunks: r1 },
      { offset: 18, chunks: r2 },
      { offset: total, chunks: r3 },
    ]);
    expect(again.text).toBe(C_EXPECTED.final_text);
  });

  it('offset 0: the resume replays from the start and decodes alone', () => {
    const { original } = cut(text, 12);
    const replay: TimedChunk[] = [{ time: 5000, data: text }];
    const turn = decodeResumed(original, [{ offset: 0, chunks: replay }]);
    expect(turn.text).toBe(C_EXPECTED.final_text);
    expect(turn.events.filter((e) => e.content && e.time < 5000)).toEqual([]);
    expect(turn).toMatchObject({ text: decodeStream(replay).text, status: 'finished_successfully' });
  });

  it('an offset beyond the original: decodes what exists and flags the gap', () => {
    const { original, resume } = cut(text, 12);
    const turn = decodeResumed(original, [{ offset: 15, chunks: resume }]);
    const mark = turn.events.find((e) => e.label === 'resume');
    expect(mark?.flag).toMatch(/beyond the 12 events .*3 missing/);
    expect(turn.text).toBe(C_EXPECTED.final_text);
  });

  it('an offset before the end of the original: the re-sent events replace the received ones', () => {
    const { original } = cut(text, 20);
    const { resume } = cut(text, 12);
    const turn = decodeResumed(original, [{ offset: 12, chunks: resume }]);
    expect(turn.text).toBe(C_EXPECTED.final_text);
  });

  it('an unknown offset: continued after everything received, flagged', () => {
    const { original, resume } = cut(text, 12);
    const turn = decodeResumed(original, [{ offset: null, chunks: resume }]);
    expect(turn.text).toBe(C_EXPECTED.final_text);
    expect(turn.events.find((e) => e.label === 'resume')?.flag).toMatch(/offset unknown/);
    const bad = decodeResumed(original, [{ offset: -3, chunks: resume }]);
    expect(bad.text).toBe(C_EXPECTED.final_text);
  });

  it('a resume that is not v1 is kept raw and flagged; the original part stands', () => {
    const { original } = cut(text, 12);
    const partial = decodeStream(original, { aborted: true }).text;
    const v2: TimedChunk[] = [
      { time: 9000, data: 'event: delta_encoding\ndata: "v2"\n\nevent: delta\ndata: {"v": "x"}\n\n' },
    ];
    const json: TimedChunk[] = [{ time: 9000, data: '{"detail": "conversation not found"}' }];
    const html: TimedChunk[] = [{ time: 9000, data: '<html>challenge</html>' }];
    for (const chunks of [v2, json, html]) {
      const turn = decodeResumed(original, [{ offset: 12, chunks }], { outcome: 'error' });
      expect(turn.text).toBe(partial);
      expect(turn.incomplete).toBe(true);
      expect(turn.unknown.length).toBeGreaterThan(0);
      expect(turn.events.some((e) => e.flag !== undefined && e.time === 9000)).toBe(true);
    }
  });

  it('a resume still streaming decodes what arrived, open', () => {
    const { original, resume } = cut(text, 12);
    const head = resume.slice(0, 3);
    const turn = decodeResumed(original, [{ offset: 12, chunks: head }], { open: true });
    expect(turn.terminator).toBe('open');
    expect(turn.incomplete).toBe(true);
    expect(C_EXPECTED.final_text.startsWith(turn.text)).toBe(true);
    expect(turn.text.length).toBeGreaterThan(decodeStream(original).text.length);
  });

  it('without resumes it decodes like decodeStream', () => {
    const chunks: TimedChunk[] = [{ time: 1, data: text }];
    const a = decodeResumed(chunks, []);
    const b = decodeStream(chunks);
    expect(a).toEqual(b);
  });

  it('never throws on junk', () => {
    const junk: TimedChunk[][] = [
      [],
      [{ time: 1, data: '' }],
      [{ time: 1, data: 'data: {"v"\n\n' }],
      [{ time: 1, data: 'hello' }],
    ];
    for (const o of junk) {
      for (const r of junk) {
        expect(() =>
          decodeResumed(o, [
            { offset: 3, chunks: r },
            { offset: 0, chunks: r },
          ]),
        ).not.toThrow();
      }
    }
  });
});
