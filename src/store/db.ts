/**
 * IndexedDB access through idb. The background is the only writer (docs/architecture.md); readers use the query
 * functions below. Inside a transaction we only do IndexedDB work (idb README: transaction lifetime).
 */
import { type IDBPObjectStore, type IDBPTransaction, openDB } from 'idb';
import type { CaptureEvent } from '../capture/events';
import { redactAfter } from '../capture/redact';
import { RollupDelta } from '../insights/rollup';
import { summarizeCall } from '../insights/summary';
import { classify, conversationIdFromUrl } from '../protocol/classify';
import { type CaptureDb, DB_NAME, DB_VERSION } from './reader';
import { flushRollups, rebuildRollups } from './rollups';
import type { CaptureDB, StoredCall, StoredChunk } from './schema';
import { summarizable } from './summaries';

export { allCalls, type CaptureDb, callsByConversation, callsByPageSession, getChunks } from './reader';

/** Opens the database at DB_VERSION, creating or upgrading it first (the background, tests, seeding). */
export function openCaptureDb(name: string = DB_NAME): Promise<CaptureDb> {
  return openDB<CaptureDB>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
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
      if (oldVersion < 2) {
        // Derived: filled as sends end, and lazily (Insights) for the sends recorded before.
        const summaries = db.createObjectStore('turnSummaries', { keyPath: 'callId' });
        summaries.createIndex('byTime', 'startTime');
        const callSummaries = db.createObjectStore('callSummaries', { keyPath: 'callId' });
        callSummaries.createIndex('byTime', 'startTime');
      }
      if (oldVersion < 3) {
        tx.objectStore('turnSummaries').createIndex('byVersion', 'version');
        db.createObjectStore('dailyRollups', { keyPath: 'key' });
        db.createObjectStore('rollupMeta', { keyPath: 'key' });
        // Summaries stored before: rolled up once, here (no-op on a new database).
        void rebuildRollups(tx);
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

/** Who sent a batch, as the background knows it (never from the event itself). */
export interface BatchContext {
  /** The sender's tab; null for imported data. */
  tabId: number | null;
  /**
   * The page session this sender's port belongs to, once known. One relay port carries one page (one
   * hook install, one `pageSessionId`): the first start event or existing record that names a page session
   * binds the port to it, and events that name another are refused. Mutated by `writeBatch`.
   */
  binding?: { pageSessionId: string | null };
}

/**
 * The `pageSessionId` of a record made from events that arrived before their call's start (out-of-order
 * delivery). Empty, so no event can claim it: event ids are at least one character (capture/events.ts).
 */
export const PLACEHOLDER_SESSION = '';

/** True for a record whose start event has not been merged yet ('unknown': records of earlier versions). */
export function isPlaceholder(call: StoredCall): boolean {
  return (
    call.pageSessionId === PLACEHOLDER_SESSION || (call.pageSessionId === 'unknown' && call.startTime === 0)
  );
}

/**
 * May this sender change this record? Never a call of another tab or an imported one; never a call of another page session
 * than the one the sender's port is bound to. Binds the port on first sight of a real page session.
 */
export function mayChange(call: StoredCall | undefined, ctx: BatchContext, startSession?: string): boolean {
  // Imported calls (tabId null) belong to no page: no capture port may touch them.
  if (call && ctx.tabId !== null && call.tabId !== ctx.tabId) return false;
  const session = call && !isPlaceholder(call) ? call.pageSessionId : startSession;
  if (session === undefined || !ctx.binding) return true;
  ctx.binding.pageSessionId ??= session;
  return ctx.binding.pageSessionId === session;
}

/**
 * Merges one call's events into its record. Events may arrive in any order and more than once (the relay
 * re-sends batches that were not acknowledged), so every step is an idempotent merge. A start never
 * replaces a call that already started (a second start, forged or replayed, is ignored), and an end never
 * replaces an earlier end. Returns the record unchanged (`existing`) when nothing applies.
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
        if (call && !isPlaceholder(call)) break;
        const kind = classify(e.method, e.url);
        const fromStream =
          kind === 'conversation' || kind === 'websocket' ? (call?.conversationId ?? null) : null;
        const conversationId =
          conversationIdFromUrl(e.url) ??
          (e.requestBodyEncoding === 'text' ? conversationIdFromText(e.requestBody) : null) ??
          fromStream;
        const { type: _t, ...start } = e;
        call = { ...call, ...start, tabId: call?.tabId ?? ctx.tabId, kind, conversationId };
        break;
      }
      case 'response': {
        const c = placeholder(e.callId, ctx, call);
        if (c.headersTime !== undefined) break;
        const { type: _t, callId: _c, ...rest } = e;
        call = { ...c, ...rest };
        break;
      }
      case 'chunk': {
        const c = placeholder(e.callId, ctx, call);
        // Before its start the kind is not known: keep the id a stream names, and let the start decide.
        const conversationId =
          c.conversationId ??
          (c.kind === 'conversation' || c.kind === 'websocket' || isPlaceholder(c)
            ? conversationIdFromText(e.data)
            : null);
        call = { ...c, conversationId, lastChunkTime: Math.max(c.lastChunkTime ?? e.time, e.time) };
        if (e.bytes > 0) call.firstChunkTime = Math.min(c.firstChunkTime ?? e.time, e.time);
        break;
      }
      case 'end': {
        const c = placeholder(e.callId, ctx, call);
        if (c.endTime !== undefined && c.outcome !== 'interrupted') break;
        const { type: _t, callId: _c, ...rest } = e;
        call = { ...c, ...rest };
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
      pageSessionId: PLACEHOLDER_SESSION,
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

/**
 * Writes one batch in one strict-durability transaction; resolves once it is committed. Events the sender
 * may not apply (see `mayChange`) are refused and counted, and a chunk never overwrites a chunk already
 * stored under its key (a re-sent chunk is a no-op; one with other bytes or time is refused).
 *
 * Text chunks of a body are redacted once more against their neighbours (defence in depth): a secret JSON
 * member whose key ends one chunk and whose value starts the next (pretty-printed JSON) is invisible to
 * chunk-by-chunk redaction. The neighbour may be in this batch or already stored (batches can arrive out
 * of order), so both directions are checked, inside the transaction (IndexedDB reads only).
 * @returns calls touched, events stored, events refused, and the sends whose end this batch stored (their
 *   turn summaries are due: `summarizeCalls`).
 */
export async function writeBatch(db: CaptureDb, events: readonly CaptureEvent[], ctx: BatchContext) {
  const byCall = new Map<string, CaptureEvent[]>();
  for (const e of events) {
    const list = byCall.get(e.callId);
    if (list) list.push(e);
    else byCall.set(e.callId, [e]);
  }
  const tx = db.transaction(['calls', 'chunks', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'strict',
  });
  const delta = new RollupDelta();
  const calls = tx.objectStore('calls');
  const chunks = tx.objectStore('chunks');
  const callSummaries = tx.objectStore('callSummaries');
  const work: Promise<unknown>[] = [];
  let refused = 0;
  const turnsEnded: string[] = [];
  for (const [callId, list] of byCall) {
    const startSession = list.find((e) => e.type === 'start')?.pageSessionId;
    work.push(
      calls.get(callId).then((existing) => {
        if (!mayChange(existing, ctx, startSession)) {
          refused += list.length;
          return undefined;
        }
        const writes: Promise<unknown>[] = [];
        // A chunk is only ever stored with its call's record (here, imports; deletes take both): a call not
        // stored yet has no stored chunk, so under a burst of new calls we skip a read per chunk and two per
        // body (its stored neighbours).
        const hasStoredChunks = existing !== undefined;
        const fresh = list.map(async (e): Promise<{ chunk: StoredChunk; text: boolean } | null> => {
          if (e.type !== 'chunk') return null;
          const stored = hasStoredChunks ? await chunks.get([callId, e.seq]) : undefined;
          if (stored) {
            // The stored copy may have been redacted against a neighbour since: compare what cannot change.
            if (stored.time !== e.time || stored.bytes !== e.bytes) refused++;
            return null;
          }
          const chunk: StoredChunk = { callId, seq: e.seq, time: e.time, bytes: e.bytes, data: e.data };
          if (e.direction) chunk.direction = e.direction;
          // Socket frames are whole messages and bytes are not text: only text bodies are chained.
          return { chunk, text: e.encoding !== 'base64' && !e.direction };
        });
        writes.push(
          Promise.all(fresh).then((items) => {
            const body: StoredChunk[] = [];
            const puts: Promise<unknown>[] = [];
            for (const item of items) {
              if (!item) continue;
              if (item.text) body.push(item.chunk);
              else puts.push(chunks.put(item.chunk));
            }
            if (body.length > 0) puts.push(putBodyChunks(chunks, body, hasStoredChunks));
            return Promise.all(puts);
          }),
        );
        const merged = applyEvents(existing, list, ctx);
        // A send whose end is in this batch is due a turn summary, also when the batch is one re-sent after
        // its commit (the summary after that commit may not have been written).
        const record = merged ?? existing;
        if (record && summarizable(record) && list.some((e) => e.type === 'end')) turnsEnded.push(callId);
        if (merged && merged !== existing) {
          const next = summarizeCall(merged);
          // A call's summary is written with its record, so a call not stored yet has none to replace.
          const old = existing === undefined ? Promise.resolve(undefined) : callSummaries.get(callId);
          writes.push(
            calls.put(merged),
            old.then((prev) => {
              delta.call(prev, next);
              return callSummaries.put(next);
            }),
          );
        }
        return Promise.all(writes);
      }),
    );
  }
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
  return { calls: byCall.size, events: events.length - refused, refused, turnsEnded };
}

type SummaryTx = IDBPTransaction<CaptureDB, ('calls' | 'callSummaries' | 'dailyRollups')[], 'readwrite'>;

/** Puts a call record and its call summary (Insights) in the same transaction; the rollup change into `delta`. */
function putWithSummary(tx: SummaryTx, delta: RollupDelta, call: StoredCall) {
  const next = summarizeCall(call);
  return Promise.all([
    tx.objectStore('calls').put(call),
    tx
      .objectStore('callSummaries')
      .get(call.callId)
      .then((old) => {
        delta.call(old, next);
        return tx.objectStore('callSummaries').put(next);
      }),
  ]);
}

/** An open call ended as `interrupted` at the last moment anything of it was seen. */
function interrupted(call: StoredCall, reason: string): StoredCall {
  const endTime = Math.max(call.startTime, call.headersTime ?? 0, call.lastChunkTime ?? 0);
  return { ...call, endTime, outcome: 'interrupted', error: reason };
}

/**
 * Ends every open call (no `endTime`) of the given page sessions as `interrupted`: the page went away
 * (tab closed, navigated, browser quit) or stopped recording before the call ended. The end time is the
 * last moment anything of the call was seen; a real end that arrives later still replaces it
 * (`applyEvents`). Returns the ids of the calls it ended.
 */
export async function interruptOpenCalls(
  db: CaptureDb,
  pageSessionIds: readonly string[],
  reason: string,
): Promise<string[]> {
  const tx = db.transaction(['calls', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'strict',
  });
  const delta = new RollupDelta();
  const store = tx.objectStore('calls');
  const index = store.index('byPageSession');
  const ended: string[] = [];
  const work: Promise<unknown>[] = [];
  for (const id of pageSessionIds) {
    work.push(
      index.getAll(IDBKeyRange.bound([id, 0], [id, Number.MAX_VALUE])).then((calls) => {
        const open = calls.filter((c) => c.endTime === undefined);
        for (const c of open) ended.push(c.callId);
        return Promise.all(open.map((c) => putWithSummary(tx, delta, interrupted(c, reason))));
      }),
    );
  }
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
  return ended;
}

/**
 * Ends as `interrupted` every open call that started in [since, before] (epoch ms), optionally only those of
 * one tab: the browser restarted (no page of the previous session is left), or recording was paused while
 * calls were open (the hook stops sending their events). Reads the time index only over that range.
 */
export async function interruptOpenCallsBetween(
  db: CaptureDb,
  since: number,
  before: number,
  reason: string,
): Promise<string[]> {
  const tx = db.transaction(['calls', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'strict',
  });
  const delta = new RollupDelta();
  const calls = await tx.objectStore('calls').index('byTime').getAll(IDBKeyRange.bound(since, before));
  const open = calls.filter((c) => c.endTime === undefined);
  await Promise.all([
    Promise.all(open.map((c) => putWithSummary(tx, delta, interrupted(c, reason)))).then(() =>
      flushRollups(tx, delta),
    ),
    tx.done,
  ]);
  return open.map((c) => c.callId);
}

type ChunkStore = IDBPObjectStore<
  CaptureDB,
  ('calls' | 'chunks' | 'callSummaries' | 'dailyRollups')[],
  'chunks',
  'readwrite'
>;

/**
 * One call's text body chunks: redacted after their predecessors, then stored; stored successors too.
 * `hasStored` false: the call has no stored chunk yet, so only this batch's neighbours are looked at.
 */
async function putBodyChunks(store: ChunkStore, body: StoredChunk[], hasStored = true) {
  body.sort((a, b) => a.seq - b.seq);
  const bySeq = new Map(body.map((c) => [c.seq, c]));
  const callId = body[0]?.callId ?? '';
  for (const c of body) {
    const prev =
      bySeq.get(c.seq - 1) ?? (hasStored && c.seq > 0 ? await store.get([callId, c.seq - 1]) : undefined);
    if (prev && !prev.direction) c.data = redactAfter(prev.data, c.data);
  }
  const writes: Promise<unknown>[] = body.map((c) => store.put(c));
  for (const c of body) {
    if (bySeq.has(c.seq + 1) || !hasStored) continue;
    const next = await store.get([callId, c.seq + 1]);
    if (!next || next.direction) continue;
    const data = redactAfter(c.data, next.data);
    if (data !== next.data) writes.push(store.put({ ...next, data }));
  }
  await Promise.all(writes);
}

/** Puts call records (with their call summaries and rollups) and chunks in one transaction (imports). */
export async function putCalls(db: CaptureDb, calls: readonly StoredCall[], chunks: readonly StoredChunk[]) {
  const tx = db.transaction(['calls', 'chunks', 'callSummaries', 'dailyRollups'], 'readwrite', {
    durability: 'strict',
  });
  const delta = new RollupDelta();
  const work: Promise<unknown>[] = [];
  for (const c of calls) work.push(putWithSummary(tx as unknown as SummaryTx, delta, c));
  for (const c of chunks) work.push(tx.objectStore('chunks').put(c));
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
}

export function getCall(db: CaptureDb, callId: string) {
  return db.get('calls', callId);
}

export function callsByKind(db: CaptureDb, kind: string): Promise<StoredCall[]> {
  return db.getAllFromIndex('calls', 'byKind', IDBKeyRange.bound([kind, 0], [kind, Number.MAX_VALUE]));
}

/** Calls recorded in a tab since `since` (tab ids start over when the browser restarts). */
export function countCallsInTab(db: CaptureDb, tabId: number, since = 0): Promise<number> {
  return db.countFromIndex('calls', 'byTab', IDBKeyRange.bound([tabId, since], [tabId, Number.MAX_VALUE]));
}

type DeleteTx = IDBPTransaction<
  CaptureDB,
  ('calls' | 'chunks' | 'turnSummaries' | 'callSummaries' | 'dailyRollups')[],
  'readwrite'
>;

/** Deletes one call's summaries (turn, call), subtracting them from the rollups (`delta`). */
export function deleteSummaries(tx: DeleteTx, delta: RollupDelta, id: string): Promise<unknown> {
  const turns = tx.objectStore('turnSummaries');
  const calls = tx.objectStore('callSummaries');
  return Promise.all([
    turns.get(id).then((old) => {
      if (!old) return undefined;
      delta.turn(old, undefined);
      return turns.delete(id);
    }),
    calls.get(id).then((old) => {
      if (!old) return undefined;
      delta.call(old, undefined);
      return calls.delete(id);
    }),
  ]);
}

/** Deletes calls, their chunks and their summaries (turn, call; subtracted from the rollups) in one transaction. */
export async function deleteCalls(db: CaptureDb, callIds: readonly string[]) {
  const tx = db.transaction(
    ['calls', 'chunks', 'turnSummaries', 'callSummaries', 'dailyRollups'],
    'readwrite',
    {
      durability: 'strict',
    },
  );
  const delta = new RollupDelta();
  const work: Promise<unknown>[] = [];
  for (const id of callIds) {
    work.push(tx.objectStore('calls').delete(id), deleteSummaries(tx, delta, id));
    work.push(tx.objectStore('chunks').delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER])));
  }
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
}

/** Deletes everything (calls, chunks, summaries, rollups). */
export async function clearAll(db: CaptureDb) {
  const tx = db.transaction(
    ['calls', 'chunks', 'turnSummaries', 'callSummaries', 'dailyRollups'],
    'readwrite',
    {
      durability: 'strict',
    },
  );
  await Promise.all([
    tx.objectStore('dailyRollups').clear(),
    tx.objectStore('calls').clear(),
    tx.objectStore('chunks').clear(),
    tx.objectStore('turnSummaries').clear(),
    tx.objectStore('callSummaries').clear(),
    tx.done,
  ]);
}
