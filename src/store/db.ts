/**
 * IndexedDB access through idb. The background is the only writer (DESIGN.md); readers use the query
 * functions below. Inside a transaction we only do IndexedDB work (idb README: transaction lifetime).
 */
import { type IDBPDatabase, openDB } from 'idb';
import type { CaptureEvent } from '../capture/events';
import { classify, conversationIdFromUrl } from '../protocol/classify';
import { type CaptureDB, DB_NAME, DB_VERSION, type StoredCall, type StoredChunk } from './schema';

export type CaptureDb = IDBPDatabase<CaptureDB>;

export function openCaptureDb(name: string = DB_NAME): Promise<CaptureDb> {
  return openDB<CaptureDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      // Cumulative steps: a database at version N runs every step after N.
      if (oldVersion < 1) {
        const calls = db.createObjectStore('calls', { keyPath: 'callId' });
        calls.createIndex('byTime', 'startTime');
        calls.createIndex('byKind', ['kind', 'startTime']);
        calls.createIndex('byPageSession', ['pageSessionId', 'startTime']);
        calls.createIndex('byConversation', ['conversationId', 'startTime']);
        calls.createIndex('byTab', ['tabId', 'startTime']);
        db.createObjectStore('chunks', { keyPath: ['callId', 'seq'] });
      }
    },
  });
}

const CONVERSATION_ID =
  /"conversation_id"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/i;

/** The conversation id named in a request or streamed body, if any. */
export function conversationIdFromText(text: string | null | undefined): string | null {
  if (!text) return null;
  return CONVERSATION_ID.exec(text)?.[1]?.toLowerCase() ?? null;
}

export interface BatchContext {
  tabId: number | null;
}

/**
 * Merges one call's events into its record. Events may arrive in any order and more than once (the relay
 * re-sends batches that were not acknowledged), so every step is an idempotent merge.
 */
export function applyEvents(
  existing: StoredCall | undefined,
  events: readonly CaptureEvent[],
  ctx: BatchContext,
): StoredCall | undefined {
  let call = existing;
  for (const e of events) {
    switch (e.type) {
      case 'start': {
        const kind = classify(e.method, e.url);
        const conversationId =
          conversationIdFromUrl(e.url) ??
          (e.requestBodyEncoding === 'text' ? conversationIdFromText(e.requestBody) : null);
        const { type: _t, ...start } = e;
        call = {
          ...call,
          ...start,
          tabId: call?.tabId ?? ctx.tabId,
          kind,
          conversationId: call?.conversationId ?? conversationId,
        };
        break;
      }
      case 'response': {
        const { type: _t, callId: _c, ...rest } = e;
        call = { ...placeholder(e.callId, ctx, call), ...rest };
        break;
      }
      case 'chunk': {
        const c = placeholder(e.callId, ctx, call);
        const conversationId =
          c.conversationId ??
          (c.kind === 'conversation' || c.kind === 'websocket' ? conversationIdFromText(e.data) : null);
        call = { ...c, conversationId, lastChunkTime: Math.max(c.lastChunkTime ?? e.time, e.time) };
        if (e.bytes > 0) call.firstChunkTime = Math.min(c.firstChunkTime ?? e.time, e.time);
        break;
      }
      case 'end': {
        const { type: _t, callId: _c, ...rest } = e;
        call = { ...placeholder(e.callId, ctx, call), ...rest };
        break;
      }
    }
  }
  return call;
}

/** A call whose start event has not been seen yet (out-of-order delivery) still gets a valid record. */
function placeholder(callId: string, ctx: BatchContext, call: StoredCall | undefined): StoredCall {
  return (
    call ?? {
      callId,
      pageSessionId: 'unknown',
      tabId: ctx.tabId,
      transport: 'fetch',
      method: 'GET',
      url: '',
      pageUrl: '',
      kind: 'other',
      conversationId: null,
      requestHeaders: [],
      requestBody: null,
      requestBodyEncoding: 'text',
      requestTruncated: false,
      startTime: 0,
    }
  );
}

/** Writes one batch in one strict-durability transaction; resolves once it is committed. */
export async function writeBatch(db: CaptureDb, events: readonly CaptureEvent[], ctx: BatchContext) {
  const byCall = new Map<string, CaptureEvent[]>();
  for (const e of events) {
    const list = byCall.get(e.callId);
    if (list) list.push(e);
    else byCall.set(e.callId, [e]);
  }
  const tx = db.transaction(['calls', 'chunks'], 'readwrite', { durability: 'strict' });
  const calls = tx.objectStore('calls');
  const chunks = tx.objectStore('chunks');
  const work: Promise<unknown>[] = [];
  for (const [callId, list] of byCall) {
    for (const e of list) {
      if (e.type === 'chunk') {
        const chunk: StoredChunk = { callId, seq: e.seq, time: e.time, bytes: e.bytes, data: e.data };
        if (e.direction) chunk.direction = e.direction;
        work.push(chunks.put(chunk));
      }
    }
    work.push(
      calls.get(callId).then((existing) => {
        const merged = applyEvents(existing, list, ctx);
        return merged ? calls.put(merged) : undefined;
      }),
    );
  }
  await Promise.all([...work, tx.done]);
  return { calls: byCall.size, events: events.length };
}

export async function putCalls(db: CaptureDb, calls: readonly StoredCall[], chunks: readonly StoredChunk[]) {
  const tx = db.transaction(['calls', 'chunks'], 'readwrite', { durability: 'strict' });
  const work: Promise<unknown>[] = [];
  for (const c of calls) work.push(tx.objectStore('calls').put(c));
  for (const c of chunks) work.push(tx.objectStore('chunks').put(c));
  await Promise.all([...work, tx.done]);
}

export function getCall(db: CaptureDb, callId: string) {
  return db.get('calls', callId);
}

export function getChunks(db: CaptureDb, callId: string): Promise<StoredChunk[]> {
  return db.getAll('chunks', IDBKeyRange.bound([callId, 0], [callId, Number.MAX_SAFE_INTEGER]));
}

export function allCalls(db: CaptureDb): Promise<StoredCall[]> {
  return db.getAllFromIndex('calls', 'byTime');
}

export function callsByPageSession(db: CaptureDb, pageSessionId: string): Promise<StoredCall[]> {
  return db.getAllFromIndex(
    'calls',
    'byPageSession',
    IDBKeyRange.bound([pageSessionId, 0], [pageSessionId, Number.MAX_VALUE]),
  );
}

export function callsByConversation(db: CaptureDb, conversationId: string): Promise<StoredCall[]> {
  return db.getAllFromIndex(
    'calls',
    'byConversation',
    IDBKeyRange.bound([conversationId, 0], [conversationId, Number.MAX_VALUE]),
  );
}

export function callsByKind(db: CaptureDb, kind: string): Promise<StoredCall[]> {
  return db.getAllFromIndex('calls', 'byKind', IDBKeyRange.bound([kind, 0], [kind, Number.MAX_VALUE]));
}

/** Calls recorded in a tab since `since` (tab ids start over when the browser restarts). */
export function countCallsInTab(db: CaptureDb, tabId: number, since = 0): Promise<number> {
  return db.countFromIndex('calls', 'byTab', IDBKeyRange.bound([tabId, since], [tabId, Number.MAX_VALUE]));
}

/** Deletes calls and their chunks in one transaction. */
export async function deleteCalls(db: CaptureDb, callIds: readonly string[]) {
  const tx = db.transaction(['calls', 'chunks'], 'readwrite', { durability: 'strict' });
  const work: Promise<unknown>[] = [];
  for (const id of callIds) {
    work.push(tx.objectStore('calls').delete(id));
    work.push(tx.objectStore('chunks').delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER])));
  }
  await Promise.all([...work, tx.done]);
}

export async function clearAll(db: CaptureDb) {
  const tx = db.transaction(['calls', 'chunks'], 'readwrite', { durability: 'strict' });
  await Promise.all([tx.objectStore('calls').clear(), tx.objectStore('chunks').clear(), tx.done]);
}
