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

/** Every rollup row, after rebuilding them if they were built by another ROLLUP_VERSION. */
export async function readRollups(db: IDBPDatabase<CaptureDB>): Promise<DailyRollup[]> {
  const meta = await db.get('rollupMeta', 'version');
  if (meta?.value !== ROLLUP_VERSION) {
    const tx = db.transaction(['callSummaries', 'turnSummaries', 'dailyRollups', 'rollupMeta'], 'readwrite');
    await Promise.all([rebuildRollups(tx), tx.done]);
  }
  return db.getAll('dailyRollups');
}
