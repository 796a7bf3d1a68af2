/**
 * The `turnSummaries` store (Insights' per-turn summaries): written by the background only (the single
 * writer) when a send ends and, for sends recorded or imported before, on request from the Insights page.
 * Summaries are derived from the raw captures and deleted with them (db.ts deleteCalls/clearAll, retention).
 */
import { isTurnPost } from '../analysis/bodies';
import { RollupDelta } from '../insights/rollup';
import { type CallSummary, summarizeCall, summarizeTurn, type TurnSummary } from '../insights/summary';
import type { CaptureDb } from './db';
import { flushRollups } from './rollups';
import type { StoredCall } from './schema';

/** A send that can be summarized: a turn POST whose end is recorded. */
export function summarizable(call: StoredCall): boolean {
  return isTurnPost(call) && call.endTime !== undefined;
}

/**
 * Computes and stores the summaries of the given calls: a call summary for each, and a turn summary for
 * each ended send,
 * reading each call and its chunks in one read-only transaction and writing all summaries in one more.
 * Returns the summaries written.
 */
export async function summarizeCalls(db: CaptureDb, callIds: readonly string[]): Promise<TurnSummary[]> {
  if (callIds.length === 0) return [];
  const read = db.transaction(['calls', 'chunks'], 'readonly');
  const found = await Promise.all(
    callIds.map(async (id) => {
      const call = await read.objectStore('calls').get(id);
      if (!call) return null;
      if (!summarizable(call)) return { call, chunks: null };
      const chunks = await read
        .objectStore('chunks')
        .getAll(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
      return { call, chunks };
    }),
  );
  await read.done;
  const summaries: TurnSummary[] = [];
  const calls: CallSummary[] = [];
  for (const f of found) {
    if (!f) continue;
    calls.push(summarizeCall(f.call));
    if (f.chunks) summaries.push(summarizeTurn(f.call, f.chunks));
  }
  if (calls.length === 0) return [];
  const tx = db.transaction(['calls', 'turnSummaries', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'relaxed',
  });
  const delta = new RollupDelta();
  // A call deleted between the two transactions gets no summary (deleteCalls removed it already).
  const exists = (id: string) =>
    tx
      .objectStore('calls')
      .getKey(id)
      .then((k) => k !== undefined);
  const work = Promise.all([
    ...summaries.map(async (s) => {
      if (!(await exists(s.callId))) return;
      delta.turn(await tx.objectStore('turnSummaries').get(s.callId), s);
      await tx.objectStore('turnSummaries').put(s);
    }),
    ...calls.map(async (c) => {
      if (!(await exists(c.callId))) return;
      delta.call(await tx.objectStore('callSummaries').get(c.callId), c);
      await tx.objectStore('callSummaries').put(c);
    }),
  ]);
  await Promise.all([work.then(() => flushRollups(tx, delta)), tx.done]);
  return summaries;
}

/** Every call summary, oldest first. */
export function allCallSummaries(db: CaptureDb): Promise<CallSummary[]> {
  return db.getAllFromIndex('callSummaries', 'byTime');
}

/** Summaries of sends that started in [from, to] (epoch ms), oldest first; every version. */
export function summariesBetween(db: CaptureDb, from = 0, to = Number.MAX_VALUE): Promise<TurnSummary[]> {
  return db.getAllFromIndex('turnSummaries', 'byTime', IDBKeyRange.bound(from, to));
}
