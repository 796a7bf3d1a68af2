/**
 * The `turnSummaries` store (Insights' per-turn summaries): written by the background only (the single
 * writer) when a send ends and, for sends recorded or imported before, on request from the Insights page.
 * Summaries are derived from the raw captures and deleted with them (db.ts deleteCalls/clearAll, retention).
 */
import { isTurnPost } from '../analysis/bodies';
import { summarizeTurn, type TurnSummary } from '../insights/summary';
import type { CaptureDb } from './db';
import type { StoredCall } from './schema';

/** A send that can be summarized: a turn POST whose end is recorded. */
export function summarizable(call: StoredCall): boolean {
  return isTurnPost(call) && call.endTime !== undefined;
}

/**
 * Computes and stores the summaries of the given calls (those that are ended sends; others are skipped),
 * reading each call and its chunks in one read-only transaction and writing all summaries in one more.
 * Returns the summaries written.
 */
export async function summarizeCalls(db: CaptureDb, callIds: readonly string[]): Promise<TurnSummary[]> {
  if (callIds.length === 0) return [];
  const read = db.transaction(['calls', 'chunks'], 'readonly');
  const found = await Promise.all(
    callIds.map(async (id) => {
      const call = await read.objectStore('calls').get(id);
      if (!call || !summarizable(call)) return null;
      const chunks = await read
        .objectStore('chunks')
        .getAll(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
      return { call, chunks };
    }),
  );
  await read.done;
  const summaries: TurnSummary[] = [];
  for (const f of found) if (f) summaries.push(summarizeTurn(f.call, f.chunks));
  if (summaries.length === 0) return [];
  const tx = db.transaction(['calls', 'turnSummaries'], 'readwrite', { durability: 'relaxed' });
  // A call deleted between the two transactions gets no summary (deleteCalls removed it already).
  await Promise.all([
    ...summaries.map(async (s) => {
      if ((await tx.objectStore('calls').getKey(s.callId)) !== undefined)
        await tx.objectStore('turnSummaries').put(s);
    }),
    tx.done,
  ]);
  return summaries;
}

/** Summaries of sends that started in [from, to] (epoch ms), oldest first; every version. */
export function summariesBetween(db: CaptureDb, from = 0, to = Number.MAX_VALUE): Promise<TurnSummary[]> {
  return db.getAllFromIndex('turnSummaries', 'byTime', IDBKeyRange.bound(from, to));
}
