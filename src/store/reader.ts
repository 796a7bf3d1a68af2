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
