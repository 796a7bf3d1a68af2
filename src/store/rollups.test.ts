import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { percentile } from '../analysis/latency';
import {
  bucketOf,
  callRollup,
  HIST_RELATIVE_ERROR,
  type Histogram,
  histPercentile,
  ROLLUP_VERSION,
  turnRollup,
} from '../insights/rollup';
import { summarizeCall, type TurnSummary } from '../insights/summary';
import { clearAll, deleteCalls, openCaptureDb, putCalls } from './db';
import { importCalls } from './import';
import { applyRetention } from './retention';
import { ensureRollups, rebuildRollups, readRollups as snapshot } from './rollups';

const readRollups = async (db: Awaited<ReturnType<typeof openCaptureDb>>) => (await snapshot(db)).rows;

import { allCallSummaries, PAGE, summarizeCalls } from './summaries';
import { testCall } from './test-call';

let n = 0;
const DAY1 = Date.parse('2026-03-01T10:00:00Z');
const DAY2 = Date.parse('2026-03-02T10:00:00Z');

const calls = () => [
  testCall({
    callId: 's1',
    startTime: DAY1,
    endTime: DAY1 + 900,
    status: 200,
    outcome: 'complete',
    requestBody: '{"action":"next","model":"auto"}',
  }),
  testCall({ callId: 'rl', startTime: DAY1 + 5, endTime: DAY1 + 20, status: 429, outcome: 'complete' }),
  testCall({
    callId: 'g',
    kind: 'other',
    method: 'GET',
    url: 'https://chatgpt.com/x',
    startTime: DAY2,
    endTime: DAY2 + 5,
    status: 503,
    bodyBytes: 40,
  }),
];

/** Rollups summed over rows (the figures the first screen draws). */
async function totals(db: Awaited<ReturnType<typeof openCaptureDb>>) {
  const rows = await readRollups(db);
  const sum = (k: 'calls' | 'turns' | 's429' | 's5xx' | 'failed' | 'bytesDown' | 'sends') =>
    rows.reduce((s, r) => s + r[k], 0);
  return {
    rows: rows.length,
    calls: sum('calls'),
    turns: sum('turns'),
    s429: sum('s429'),
    s5xx: sum('s5xx'),
    failed: sum('failed'),
    bytesDown: sum('bytesDown'),
    sends: sum('sends'),
  };
}

describe('daily rollups', () => {
  it('are added with call and turn summaries, and match a rebuild from the summaries', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await putCalls(db, calls(), []);
    expect(await totals(db)).toMatchObject({ calls: 3, turns: 0, s429: 1, s5xx: 1, bytesDown: 40, sends: 2 });
    // Two ended sends without turn summaries: not complete until they are summarized.
    expect((await snapshot(db)).complete).toBe(false);
    await summarizeCalls(db, ['s1', 'rl']);
    expect(await totals(db)).toMatchObject({ calls: 3, turns: 2, failed: 1 });
    expect((await snapshot(db)).complete).toBe(true);
    // Re-summarizing replaces (subtract old, add new): nothing doubles.
    await summarizeCalls(db, ['s1', 'rl', 'g']);
    const incremental = await readRollups(db);
    expect(await totals(db)).toMatchObject({ calls: 3, turns: 2, failed: 1 });
    const tx = db.transaction(
      ['calls', 'callSummaries', 'turnSummaries', 'dailyRollups', 'rollupMeta'],
      'readwrite',
    );
    await Promise.all([rebuildRollups(tx), tx.done]);
    const sort = (rs: { key: string }[]) => [...rs].sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(sort(await readRollups(db))).toEqual(sort(incremental));
    expect((await db.get('rollupMeta', 'version'))?.value).toBe(ROLLUP_VERSION);
  });

  it('subtract deleted calls (rows that reach zero go), and clear with the store', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await putCalls(db, calls(), []);
    await summarizeCalls(db, ['s1', 'rl']);
    await deleteCalls(db, ['rl', 'g']);
    expect(await totals(db)).toMatchObject({ calls: 1, turns: 1, s429: 0, s5xx: 0, failed: 0, bytesDown: 0 });
    // Only the day-1 call row and turn row are left.
    expect((await readRollups(db)).every((r) => r.day === '2026-03-01')).toBe(true);
    await clearAll(db);
    expect(await readRollups(db)).toEqual([]);
  });

  it('subtract the calls retention deletes', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await putCalls(db, calls(), []);
    await summarizeCalls(db, ['s1', 'rl']);
    await applyRetention(db, { keepDays: 1, keepMegabytes: null, telemetryBodyDays: null }, DAY2 + 3600_000);
    expect(await totals(db)).toMatchObject({ calls: 1, turns: 0, s5xx: 1, sends: 0 });
  });

  it('are not complete while calls lack a call summary (recorded before v2), until summarized', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await putCalls(db, calls(), []);
    await summarizeCalls(db, ['s1', 'rl']);
    expect((await snapshot(db)).complete).toBe(true);
    // As after an upgrade from version 1: a call without its summary, counted by the background on start.
    await db.delete('callSummaries', 'g');
    await db.delete('rollupMeta', 'unsummarizedCalls');
    await ensureRollups(db);
    expect((await db.get('rollupMeta', 'unsummarizedCalls'))?.value).toBe(1);
    expect((await snapshot(db)).complete).toBe(false);
    await summarizeCalls(db, ['g']);
    expect((await snapshot(db)).complete).toBe(true);
  });

  it('count imported calls at once; imported sends make them incomplete until summarized', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await importCalls(db, 'imp', calls(), []);
    expect(await totals(db)).toMatchObject({ calls: 3, s429: 1, s5xx: 1, sends: 2, turns: 0 });
    expect((await snapshot(db)).complete).toBe(false);
    await summarizeCalls(db, ['s1', 'rl']);
    expect((await snapshot(db)).complete).toBe(true);
  });

  it('a rebuild after a ROLLUP_VERSION change gives the same rows', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    await putCalls(db, calls(), []);
    const before = await readRollups(db);
    await db.put('rollupMeta', { key: 'version', value: ROLLUP_VERSION - 1 });
    expect((await snapshot(db)).complete).toBe(false);
    await ensureRollups(db);
    expect((await readRollups(db)).length).toBe(before.length);
    expect(callRollup(summarizeCall(calls()[0]!)).calls).toBe(1);
  });
});

describe('histogram percentiles', () => {
  it('are within the stated resolution of the exact ones', () => {
    // Known data: a log-normal-ish spread of 2,000 latencies from 3 ms to 60 s.
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      values.push(3 * 20000 ** ((x / 2 ** 31) ** 1.5));
    }
    const h: Histogram = {};
    for (const v of values) h[bucketOf(v)] = (h[bucketOf(v)] ?? 0) + 1;
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [5, 50, 95, 99]) {
      const exact = percentile(sorted, p)!;
      const approx = histPercentile(h, p)!;
      expect(Math.abs(approx - exact) / exact).toBeLessThanOrEqual(HIST_RELATIVE_ERROR + 1e-9);
    }
    expect(HIST_RELATIVE_ERROR).toBeLessThan(0.022);
  });

  it('a turn rolls up its metrics, failed turns none', () => {
    const t = {
      day: '2026-03-01',
      host: 'chatgpt.com',
      modelResolved: 'm',
      modelRequested: null,
      failed: false,
      stopped: false,
      moderationFlagged: false,
      moderationBlocked: false,
      ttfbMs: 500,
      thinkingMs: null,
      firstAnswerTextMs: 800,
      answerCharsPerSec: 40,
      totalMs: 1200,
      reportedThoughtSeconds: 2,
      format: 'v1',
      frameLabels: ['delta'],
      unknownFrames: [],
    } as unknown as TurnSummary;
    expect(Object.keys(turnRollup(t).hist).sort()).toEqual([
      'answerCharsPerSec',
      'firstAnswerTextMs',
      'reportedThoughtMs',
      'totalMs',
      'ttfbMs',
    ]);
    expect(turnRollup({ ...t, failed: true }).hist).toEqual({});
  });
});

describe('paged summary reads', () => {
  it('read every record across pages, oldest first', async () => {
    const db = await openCaptureDb(`roll-${++n}`);
    const many = Array.from({ length: PAGE + 7 }, (_, i) =>
      testCall({ callId: `k${String(i).padStart(6, '0')}`, kind: 'other', startTime: 10_000 - i }),
    );
    await putCalls(db, many, []);
    const read = await allCallSummaries(db);
    expect(read.length).toBe(PAGE + 7);
    expect(read[0]?.startTime).toBe(10_000 - PAGE - 6);
    expect(new Set(read.map((s) => s.callId)).size).toBe(PAGE + 7);
  });
});
