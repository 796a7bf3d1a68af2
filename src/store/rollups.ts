/**
 * The `dailyRollups` store (src/insights/rollup.ts): merged in the same transaction as every write or
 * delete of a call or turn summary, so that Insights draws its first screen from a few hundred rows.
 * `rollupMeta` holds the ROLLUP_VERSION the rows were built with; another version rebuilds them.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import {
  type DailyRollup,
  isEmptyRollup,
  mergeRollup,
  ROLLUP_VERSION,
  RollupDelta,
} from '../insights/rollup';
import { ANALYSIS_VERSION } from '../insights/summary';
import type { CaptureDB } from './schema';

// biome-ignore lint/suspicious/noExplicitAny: any transaction whose scope includes dailyRollups
type RollupTx = IDBPTransaction<CaptureDB, any, 'readwrite' | 'versionchange'>;

/**
 * Merges the accumulated deltas into the stored rows (one get and one put or delete per row). Call it
 * after every other request of the transaction has been issued and settled; resolves when written.
 */
export async function flushRollups(tx: RollupTx, delta: RollupDelta): Promise<void> {
  const store = tx.objectStore('dailyRollups');
  await Promise.all(
    [...delta.rows.values()].map(async (d) => {
      const stored = (await store.get(d.key)) as DailyRollup | undefined;
      const row = stored ? mergeRollup(stored, d, 1) : d;
      if (isEmptyRollup(row)) {
        if (stored) await store.delete(d.key);
      } else await store.put(row);
    }),
  );
}

/**
 * Counts the calls that have no call summary (recorded before DB version 2) into `rollupMeta`
 * `unsummarizedCalls`: O(calls), so done by the background (on start, and with a rebuild), never while a
 * page waits. `summarizeCalls` lowers it as it summarizes them.
 */
export async function countUnsummarized(tx: RollupTx): Promise<number> {
  const [calls, summaries] = await Promise.all([
    tx.objectStore('calls').count(),
    tx.objectStore('callSummaries').count(),
  ]);
  const n = Math.max(0, calls - summaries);
  await tx.objectStore('rollupMeta').put({ key: 'unsummarizedCalls', value: n });
  return n;
}

/** Lowers `unsummarizedCalls` by `n` (calls that just got their first call summary). */
export async function lowerUnsummarized(tx: RollupTx, n: number): Promise<void> {
  if (n === 0) return;
  const meta = tx.objectStore('rollupMeta');
  const v = ((await meta.get('unsummarizedCalls')) as { value: number } | undefined)?.value ?? 0;
  await meta.put({ key: 'unsummarizedCalls', value: Math.max(0, v - n) });
}

/**
 * Rebuilds every rollup row from the stored call and turn summaries (after an upgrade, or when the rows
 * were built by another ROLLUP_VERSION), in the given transaction (scope: calls, callSummaries,
 * turnSummaries, dailyRollups, rollupMeta).
 */
export async function rebuildRollups(tx: RollupTx): Promise<void> {
  const [calls, turns] = await Promise.all([
    tx.objectStore('callSummaries').getAll(),
    tx.objectStore('turnSummaries').getAll(),
  ]);
  const delta = new RollupDelta();
  for (const c of calls) delta.call(undefined, c);
  for (const t of turns) delta.turn(undefined, t);
  await tx.objectStore('dailyRollups').clear();
  await Promise.all([...delta.rows.values()].map((r) => tx.objectStore('dailyRollups').put(r)));
  await countUnsummarized(tx);
  await tx.objectStore('rollupMeta').put({ key: 'version', value: ROLLUP_VERSION });
}

const META_SCOPE = ['calls', 'callSummaries', 'turnSummaries', 'dailyRollups', 'rollupMeta'] as const;

/**
 * Background, on start: rebuilds the rollup rows when they were built by another ROLLUP_VERSION, and
 * recounts the calls without a call summary while any are left (the count is O(calls), so it runs in a
 * read-only transaction that blocks no reader, and only until it reaches 0: every write since DB version 2
 * stores a call with its summary, so 0 stays 0).
 */
export async function ensureRollups(db: IDBPDatabase<CaptureDB>): Promise<void> {
  const [version, unsummarized] = await Promise.all([
    db.get('rollupMeta', 'version'),
    db.get('rollupMeta', 'unsummarizedCalls'),
  ]);
  if (version?.value !== ROLLUP_VERSION) {
    const tx = db.transaction([...META_SCOPE], 'readwrite');
    await Promise.all([rebuildRollups(tx), tx.done]);
    return;
  }
  if (unsummarized?.value === 0) return;
  const read = db.transaction(['calls', 'callSummaries'], 'readonly');
  const [calls, summaries] = await Promise.all([
    read.objectStore('calls').count(),
    read.objectStore('callSummaries').count(),
  ]);
  // A summarize that ran meanwhile only lowered the true count: storing this one errs on "not complete".
  const n = Math.max(0, calls - summaries);
  if (n !== unsummarized?.value) await db.put('rollupMeta', { key: 'unsummarizedCalls', value: n });
}

/** Every rollup row, plus whether they cover every call and every ended send (see `complete`). */
export interface RollupSnapshot {
  rows: DailyRollup[];
  /**
   * The rows are of the current ROLLUP_VERSION, every call has a call summary and every ended send a turn
   * summary of the current ANALYSIS_VERSION: the rows say what the summaries would. False: summarize first.
   */
  complete: boolean;
}

/**
 * Reads the rollup rows and the meta that says whether they are complete, in one read-only transaction:
 * no count over the large stores (Chromium counts by iterating), so it costs O(rows), not O(calls).
 */
export async function readRollups(db: IDBPDatabase<CaptureDB>): Promise<RollupSnapshot> {
  const tx = db.transaction(['dailyRollups', 'rollupMeta'], 'readonly');
  const [meta, unsummarized, rows] = await Promise.all([
    tx.objectStore('rollupMeta').get('version'),
    tx.objectStore('rollupMeta').get('unsummarizedCalls'),
    tx.objectStore('dailyRollups').getAll(),
  ]);
  await tx.done;
  let sends = 0;
  let current = 0;
  for (const r of rows) {
    sends += r.sends;
    current += r.versions[ANALYSIS_VERSION] ?? 0;
  }
  const complete =
    meta?.value === ROLLUP_VERSION &&
    unsummarized !== undefined &&
    unsummarized.value === 0 &&
    sends === current;
  return { rows, complete };
}
