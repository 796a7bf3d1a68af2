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
 * Rebuilds every rollup row from the stored call and turn summaries (after an upgrade, or when the rows
 * were built by another ROLLUP_VERSION), in the given transaction.
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
  await tx.objectStore('rollupMeta').put({ key: 'version', value: ROLLUP_VERSION });
}

/** Rebuilds the rollup rows when they were built by another ROLLUP_VERSION (the background, on open). */
export async function ensureRollups(db: IDBPDatabase<CaptureDB>): Promise<void> {
  const meta = await db.get('rollupMeta', 'version');
  if (meta?.value === ROLLUP_VERSION) return;
  const tx = db.transaction(['callSummaries', 'turnSummaries', 'dailyRollups', 'rollupMeta'], 'readwrite');
  await Promise.all([rebuildRollups(tx), tx.done]);
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

/** Reads the rollups and the counts that say whether they are complete, in one read-only transaction. */
export async function readRollups(db: IDBPDatabase<CaptureDB>): Promise<RollupSnapshot> {
  const tx = db.transaction(
    ['calls', 'callSummaries', 'turnSummaries', 'dailyRollups', 'rollupMeta'],
    'readonly',
  );
  const [meta, rows, calls, callSummaries, current] = await Promise.all([
    tx.objectStore('rollupMeta').get('version'),
    tx.objectStore('dailyRollups').getAll(),
    tx.objectStore('calls').count(),
    tx.objectStore('callSummaries').count(),
    tx.objectStore('turnSummaries').index('byVersion').count(ANALYSIS_VERSION),
  ]);
  await tx.done;
  const sends = rows.reduce((n, r) => n + r.sends, 0);
  const complete = meta?.value === ROLLUP_VERSION && calls === callSummaries && sends === current;
  return { rows, complete };
}
