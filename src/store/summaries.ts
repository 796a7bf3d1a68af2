/**
 * The `turnSummaries` store (Insights' per-turn summaries): written by the background only (the single
 * writer) when a send ends and, for sends recorded or imported before, on request from the Insights page.
 * Summaries are derived from the raw captures and deleted with them (db.ts deleteCalls/clearAll, retention).
 */
import { isTurnPost } from '../analysis/bodies';
import { RollupDelta } from '../insights/rollup';
import { type CallSummary, summarizeCall, summarizeTurn, type TurnSummary } from '../insights/summary';
import type { CaptureDb } from './db';
import { flushRollups, lowerUnsummarized } from './rollups';
import type { CaptureDB, StoredCall } from './schema';

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
  const tx = db.transaction(
    ['calls', 'turnSummaries', 'callSummaries', 'dailyRollups', 'rollupMeta'],
    'readwrite',
    {
      durability: 'relaxed',
    },
  );
  const delta = new RollupDelta();
  let firstSummaries = 0;
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
      const old = await tx.objectStore('callSummaries').get(c.callId);
      if (!old) firstSummaries++;
      delta.call(old, c);
      await tx.objectStore('callSummaries').put(c);
    }),
  ]);
  await Promise.all([
    work.then(() => Promise.all([flushRollups(tx, delta), lowerUnsummarized(tx, firstSummaries)])),
    tx.done,
  ]);
  return summaries;
}

/** Records per page of `pagedAll`. */
export const PAGE = 5000;

/**
 * Every record of a summary store, read in pages of PAGE by key, each page its own short read-only
 * transaction: a page closed mid-read stops after the current page instead of keeping the database busy
 * (and the next open waiting) for the whole read. Not one snapshot: a summary written meanwhile may or may
 * not be included. Sorted by `startTime` (epoch ms), oldest first.
 */
async function pagedAll<S extends 'callSummaries' | 'turnSummaries'>(
  db: CaptureDb,
  store: S,
): Promise<CaptureDB[S]['value'][]> {
  const out: CaptureDB[S]['value'][] = [];
  let after: string | null = null;
  for (;;) {
    const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    const page = (await db.getAll(store, range, PAGE)) as CaptureDB[S]['value'][];
    out.push(...page);
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.callId ?? null;
  }
  return out.sort((a, b) => a.startTime - b.startTime);
}

/** Every call summary, oldest first (read in pages: `pagedAll`). */
export function allCallSummaries(db: CaptureDb): Promise<CallSummary[]> {
  return pagedAll(db, 'callSummaries');
}

/** Every turn summary (any version), oldest first (read in pages: `pagedAll`). */
export function allTurnSummaries(db: CaptureDb): Promise<TurnSummary[]> {
  return pagedAll(db, 'turnSummaries');
}

/** Summaries of sends that started in [from, to] (epoch ms), oldest first; every version. */
export function summariesBetween(db: CaptureDb, from = 0, to = Number.MAX_VALUE): Promise<TurnSummary[]> {
  return db.getAllFromIndex('turnSummaries', 'byTime', IDBKeyRange.bound(from, to));
}
