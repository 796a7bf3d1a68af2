/**
 * The capture database as its readers open it (the UI pages), with the read queries. Nothing here writes,
 * upgrades or validates: the popup's first screen loads this module, and the upgrade steps (which bring the
 * Insights rollups along) stay in db.ts, loaded only when the database needs creating or upgrading.
 */
import { type IDBPDatabase, openDB } from 'idb';
import type { CaptureDB, StoredCall, StoredChunk } from './schema';

export const DB_NAME = 'chatgpt-flow-recorder';
/**
 * 1: calls, chunks. 2: turnSummaries and callSummaries (Insights: derived from calls and chunks).
 * 3: dailyRollups and rollupMeta (Insights' first screen: derived from the summaries), and turnSummaries
 * indexed by version (counting current summaries without reading them).
 */
export const DB_VERSION = 3;

export type CaptureDb = IDBPDatabase<CaptureDB>;

/**
 * Opens the database at DB_VERSION. When it does not exist yet or is older (a page opened before the
 * background after an install or update), the upgrade is aborted here and done by db.ts `openCaptureDb`,
 * the same steps the background runs. Rejects when the database cannot be opened.
 */
export async function openForReading(name: string = DB_NAME): Promise<CaptureDb> {
  try {
    return await openDB<CaptureDB>(name, DB_VERSION, {
      upgrade(_db, _old, _new, tx) {
        // The transaction's done promise rejects with the abort: expected, not an unhandled rejection.
        tx.done.catch(() => {});
        tx.abort();
      },
    });
  } catch (err) {
    if (!(err instanceof DOMException && err.name === 'AbortError')) throw err;
    const { openCaptureDb } = await import('./db');
    return openCaptureDb(name);
  }
}

/** A call's chunks, in seq order. */
export function getChunks(db: CaptureDb, callId: string): Promise<StoredChunk[]> {
  return db.getAll('chunks', IDBKeyRange.bound([callId, 0], [callId, Number.MAX_SAFE_INTEGER]));
}

/** Every call, oldest first. */
export function allCalls(db: CaptureDb): Promise<StoredCall[]> {
  return db.getAllFromIndex('calls', 'byTime');
}

/** The calls of one page session, oldest first. */
export function callsByPageSession(db: CaptureDb, pageSessionId: string): Promise<StoredCall[]> {
  return db.getAllFromIndex(
    'calls',
    'byPageSession',
    IDBKeyRange.bound([pageSessionId, 0], [pageSessionId, Number.MAX_VALUE]),
  );
}

/** The calls whose conversation id is `conversationId`, oldest first. */
export function callsByConversation(db: CaptureDb, conversationId: string): Promise<StoredCall[]> {
  return db.getAllFromIndex(
    'calls',
    'byConversation',
    IDBKeyRange.bound([conversationId, 0], [conversationId, Number.MAX_VALUE]),
  );
}

/**
 * IDBIndex.getAllRecords (Chrome 141+; not in TypeScript's DOM types yet), which idb wraps as it wraps
 * getAll: records with their keys, in either direction, so the newest page is one request.
 */
interface NewestRecords {
  getAllRecords?(options: {
    query: IDBKeyRange | null;
    count: number;
    direction: IDBCursorDirection;
  }): Promise<{ key: IDBValidKey; value: StoredCall }[]>;
}

/**
 * The newest calls, one page, oldest first: the `limit` newest calls that started strictly before `before`
 * (epoch ms; default: all), plus every other call that started at the same time as the oldest of them, so
 * that the next page (`before` = the oldest startTime returned) neither skips nor repeats a call.
 */
export async function recentCalls(db: CaptureDb, limit: number, before?: number): Promise<StoredCall[]> {
  const tx = db.transaction('calls', 'readonly');
  const index = tx.store.index('byTime');
  const upper = before === undefined ? null : IDBKeyRange.upperBound(before, true);
  const newest = index as unknown as NewestRecords;
  if (newest.getAllRecords) {
    // One request, newest first, one record more than asked: when that one started at the same time as
    // the page's oldest, the calls of that start time are read whole (the paging contract).
    const records = await newest.getAllRecords({ query: upper, count: limit + 1, direction: 'prev' });
    const oldest = records[limit - 1]?.key;
    let page = records
      .slice(0, limit)
      .map((r) => r.value)
      .reverse();
    if (oldest !== undefined && records[limit]?.key === oldest) {
      const ties = await index.getAll(IDBKeyRange.only(oldest));
      page = [...ties, ...page.filter((c) => c.startTime !== oldest)];
    }
    await tx.done;
    return page;
  }
  // Walk keys only (no values) back `limit` entries to find the page's oldest start time, then read
  // the page with one getAll: far cheaper than a value cursor over thousands of records.
  let cursor = await index.openKeyCursor(upper, 'prev');
  if (cursor && limit > 1) cursor = await cursor.advance(limit - 1);
  const lower = cursor ? (cursor.key as number) : null;
  const range =
    lower === null
      ? upper
      : before === undefined
        ? IDBKeyRange.lowerBound(lower)
        : IDBKeyRange.bound(lower, before, false, true);
  const page = await index.getAll(range);
  await tx.done;
  return page;
}

/**
 * Chunks of many calls in one transaction, by call id, each list in seq order (calls without chunks are
 * left out). With `afterSeq`, only the chunks whose seq is greater than the call's entry.
 */
export async function chunksOfCalls(
  db: CaptureDb,
  callIds: readonly string[],
  afterSeq?: ReadonlyMap<string, number>,
): Promise<Map<string, StoredChunk[]>> {
  const tx = db.transaction('chunks', 'readonly');
  // Every request issued at once: IndexedDB answers them in order without a round trip per call.
  const lists = await Promise.all(
    callIds.map((id) =>
      tx.store.getAll(IDBKeyRange.bound([id, (afterSeq?.get(id) ?? -1) + 1], [id, Number.MAX_SAFE_INTEGER])),
    ),
  );
  await tx.done;
  const out = new Map<string, StoredChunk[]>();
  callIds.forEach((id, i) => {
    const list = lists[i];
    if (list && list.length > 0) out.set(id, list);
  });
  return out;
}
