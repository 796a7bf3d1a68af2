/**
 * Writing an import: all or nothing, no duplicates, marked as imported. The background (the single writer)
 * runs this for 'store/import' messages.
 *
 * A large import does not fit one runtime message (Chrome caps a message at 64 MiB), so the UI sends it in
 * parts. Parts are staged in a separate database until the final part arrives; then every part is written
 * to the capture database in one transaction. Staging lives in IndexedDB, not in memory: the MV3 worker
 * may be stopped between two parts (docs/architecture.md: no state only in memory), and a re-sent part overwrites
 * itself (keyed by import id and part number). Staged parts nobody finished are dropped after an hour.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { IMPORT_PART_CHARS } from '../capture/limits';
import { RollupDelta } from '../insights/rollup';
import { summarizeCall } from '../insights/summary';
import type { CaptureDb } from './db';
import { flushRollups } from './rollups';
import type { StoredCall, StoredChunk } from './schema';

export interface ImportWriteResult {
  added: number;
  /** Calls whose callId was already stored: kept as they are, the import's copy is skipped. */
  skipped: number;
}

/**
 * Writes calls and their chunks in one strict transaction: either everything new is committed or nothing
 * is. Calls already present (same callId: importing a file twice, or re-importing one's own recording)
 * are skipped with their chunks. Every written call is marked with `importId` and has no tab (a tab id from
 * another browser session would be counted on this browser's badge).
 */
export async function importCalls(
  db: CaptureDb,
  importId: string,
  calls: readonly StoredCall[],
  chunks: readonly StoredChunk[],
): Promise<ImportWriteResult> {
  const chunksOf = new Map<string, StoredChunk[]>();
  for (const ch of chunks) {
    const list = chunksOf.get(ch.callId);
    if (list) list.push(ch);
    else chunksOf.set(ch.callId, [ch]);
  }
  const seen = new Set<string>();
  // With their call summaries and rollups (Insights), as every other write of a call.
  const tx = db.transaction(['calls', 'chunks', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'strict',
  });
  const delta = new RollupDelta();
  const callStore = tx.objectStore('calls');
  const chunkStore = tx.objectStore('chunks');
  let added = 0;
  let skipped = 0;
  const work: Promise<unknown>[] = [];
  for (const call of calls) {
    if (seen.has(call.callId)) {
      skipped++;
      continue;
    }
    seen.add(call.callId);
    work.push(
      callStore.getKey(call.callId).then((existing) => {
        if (existing !== undefined) {
          skipped++;
          return;
        }
        added++;
        const put: Promise<unknown>[] = [];
        try {
          const stored: StoredCall = { ...call, importId, tabId: null };
          const summary = summarizeCall(stored);
          put.push(callStore.put(stored), tx.objectStore('callSummaries').put(summary));
          delta.call(undefined, summary);
          for (const ch of chunksOf.get(call.callId) ?? []) put.push(chunkStore.put(ch));
          return Promise.all(put);
        } catch (err) {
          // put() throws synchronously on a bad key (DataError) without failing the transaction; abort
          // here, inside the request's callback where the transaction is surely still active. The puts
          // already issued now fail with AbortError: expected, not unhandled.
          for (const p of put) p.catch(() => {});
          tx.abort();
          throw err;
        }
      }),
    );
  }
  // A failed request aborts the transaction (so does the abort above); nothing is written then.
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
  return { added, skipped };
}

// ---- Staging of multi-part imports -------------------------------------------------------------------

export const STAGING_DB_NAME = 'chatgpt-flow-recorder-import-staging';
const STAGING_VERSION = 1;
/** Parts of an import nobody finished (popup closed mid-import) are dropped after this long. */
export const STAGING_TTL_MS = 60 * 60 * 1000;

interface StagedPart {
  importId: string;
  part: number;
  stagedAt: number;
  calls: StoredCall[];
  chunks: StoredChunk[];
}

interface StagingSchema extends DBSchema {
  parts: { key: [string, number]; value: StagedPart };
}

export type StagingDb = IDBPDatabase<StagingSchema>;

export function openStagingDb(name: string = STAGING_DB_NAME): Promise<StagingDb> {
  return openDB<StagingSchema>(name, STAGING_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('parts', { keyPath: ['importId', 'part'] });
    },
  });
}

const partsOf = (importId: string) => IDBKeyRange.bound([importId, 0], [importId, Number.MAX_SAFE_INTEGER]);

export async function stagePart(
  staging: StagingDb,
  importId: string,
  part: number,
  calls: StoredCall[],
  chunks: StoredChunk[],
  now: number = Date.now(),
): Promise<void> {
  const tx = staging.transaction('parts', 'readwrite', { durability: 'strict' });
  const store = tx.objectStore('parts');
  const work: Promise<unknown>[] = [store.put({ importId, part, stagedAt: now, calls, chunks })];
  if (part === 0) {
    // A new import starts: drop what abandoned imports left behind.
    work.push(
      store
        .getAll()
        .then((all) =>
          Promise.all(
            all
              .filter((p) => p.importId !== importId && now - p.stagedAt > STAGING_TTL_MS)
              .map((p) => store.delete([p.importId, p.part])),
          ),
        ),
    );
  }
  await Promise.all([...work, tx.done]);
}

/**
 * The final part arrived: every part 0…last must be staged. They are written in one transaction of the
 * capture database (all or nothing), then the staging is cleared whatever the outcome, so a failed import
 * can simply be sent again.
 */
export async function commitStaged(
  db: CaptureDb,
  staging: StagingDb,
  importId: string,
  last: number,
  finalPart: { calls: StoredCall[]; chunks: StoredChunk[] },
): Promise<ImportWriteResult> {
  try {
    const staged = await staging.getAll('parts', partsOf(importId));
    const byPart = new Map(staged.map((p) => [p.part, p]));
    const calls: StoredCall[] = [];
    const chunks: StoredChunk[] = [];
    for (let i = 0; i < last; i++) {
      const p = byPart.get(i);
      if (!p)
        throw new Error(`store/import: part ${i} of import ${importId} never arrived; send the import again`);
      // Loops, not push(...list): a spread of 100,000 arguments overflows the call stack.
      for (const c of p.calls) calls.push(c);
      for (const c of p.chunks) chunks.push(c);
    }
    for (const c of finalPart.calls) calls.push(c);
    for (const c of finalPart.chunks) chunks.push(c);
    return await importCalls(db, importId, calls, chunks);
  } finally {
    await staging.delete('parts', partsOf(importId));
  }
}

// ---- Splitting an import into messages (used by the extension's UiClient) -----------------------------

export interface ImportPart {
  calls: StoredCall[];
  chunks: StoredChunk[];
}

function approxChars(c: StoredCall): number {
  let n = 512 + c.url.length + c.pageUrl.length + (c.requestBody?.length ?? 0) + (c.error?.length ?? 0);
  for (const [k, v] of c.requestHeaders) n += k.length + v.length + 8;
  for (const [k, v] of c.responseHeaders ?? []) n += k.length + v.length + 8;
  return n;
}

/**
 * Cuts an import into message-sized parts, each call together with its chunks, in order. Send part i as
 * `{importId, part: i, final: i === parts.length - 1, calls, chunks}`.
 */
export function planImportParts(
  calls: readonly StoredCall[],
  chunks: readonly StoredChunk[],
  maxChars: number = IMPORT_PART_CHARS,
): ImportPart[] {
  const chunksOf = new Map<string, StoredChunk[]>();
  for (const ch of chunks) {
    const list = chunksOf.get(ch.callId);
    if (list) list.push(ch);
    else chunksOf.set(ch.callId, [ch]);
  }
  const parts: ImportPart[] = [];
  let current: ImportPart = { calls: [], chunks: [] };
  let size = 0;
  for (const call of calls) {
    const own = chunksOf.get(call.callId) ?? [];
    let n = approxChars(call);
    for (const ch of own) n += 96 + ch.data.length;
    if (current.calls.length > 0 && size + n > maxChars) {
      parts.push(current);
      current = { calls: [], chunks: [] };
      size = 0;
    }
    current.calls.push(call);
    for (const ch of own) current.chunks.push(ch);
    size += n;
  }
  parts.push(current);
  return parts;
}
