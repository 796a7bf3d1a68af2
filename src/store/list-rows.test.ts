import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSample } from '../ui/dev/sample-data';
import { ConversationIndex } from '../ui/list-model';
import { MockClient } from '../ui/mock-client';
import { flatChunks, realCapture, seedCapture } from '../ui/test-data';
import { clearAll, deleteCalls, openCaptureDb, putCalls } from './db';
import { buildListRows, LIST_ROWS, ListRowsKeeper, readListRows, saveListRows } from './list-rows';
import { allCalls, type CaptureDb, DB_VERSION } from './reader';

let n = 0;
const opened: { close(): void }[] = [];
const fresh = async () => {
  const db = await openCaptureDb(`list-rows-${++n}`);
  opened.push(db);
  return db;
};
afterEach(() => {
  vi.useRealTimers();
  for (const d of opened.splice(0)) d.close();
});

/** The rows the popup's list shows after reading the same store itself (src/ui/list-model.ts). */
async function listFirstScreen(db: CaptureDb) {
  const calls = await allCalls(db);
  const chunks = (
    await Promise.all(
      calls.map((c) => db.getAll('chunks', IDBKeyRange.bound([c.callId, 0], [c.callId, Infinity]))),
    )
  ).flat();
  const index = new ConversationIndex(new MockClient({ calls, chunks }), () => {});
  await index.start();
  return index.state().conversations.slice(0, LIST_ROWS);
}

describe('the list rows the background keeps', () => {
  it('are the rows the list builds from the same store: ids, titles, counts, newest first', async () => {
    const db = await fresh();
    for (const c of [seedCapture(), realCapture()]) await putCalls(db, c.calls, flatChunks(c));
    const rows = await buildListRows(db);
    expect(rows.map((r) => r.id)).toHaveLength(2);
    // The seed capture is titled by its gen_title body: the rows read title bodies as the list does.
    expect(rows.some((r) => r.titleSource === 'gen_title' && r.title)).toBe(true);
    expect(rows).toEqual(await listFirstScreen(db));
  });

  it('keep only the newest LIST_ROWS conversations of the newest page', async () => {
    const db = await fresh();
    const sample = generateSample({ conversations: LIST_ROWS + 15, seed: 5 });
    await putCalls(db, sample.calls, sample.chunks);
    const rows = await buildListRows(db);
    expect(rows).toHaveLength(LIST_ROWS);
    expect(rows[0]?.id).toBe(sample.conversationIds.at(-1));
    expect(rows.map((r) => r.id)).toEqual((await listFirstScreen(db)).map((r) => r.id));
  });

  it('are stored and read back with their time; rows of another shape read as none', async () => {
    const db = await fresh();
    expect(await readListRows(db)).toBeNull();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
    const rows = await buildListRows(db);
    await saveListRows(db, { savedAt: 1234, rows });
    expect(await readListRows(db)).toEqual({ savedAt: 1234, rows });
    await db.put('listRows', { key: 'newest', savedAt: 1, rows: [{ id: 'x' }] } as never);
    expect(await readListRows(db)).toBeNull();
    await saveListRows(db, { savedAt: 1234, rows });
    await clearAll(db);
    expect(await readListRows(db)).toBeNull();
  });

  it('a database of version 3 is upgraded: calls kept, the rows store added empty', async () => {
    const name = `list-rows-v3-${++n}`;
    const old = await openDB(name, 3, {
      upgrade(d) {
        const calls = d.createObjectStore('calls', { keyPath: 'callId' });
        calls.createIndex('byTime', 'startTime');
        d.createObjectStore('chunks', { keyPath: ['callId', 'seq'] });
      },
    });
    const c = seedCapture();
    for (const call of c.calls) await old.put('calls', call);
    old.close();
    const db = await openCaptureDb(name);
    opened.push(db);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.count('calls')).toBe(c.calls.length);
    expect(await readListRows(db)).toBeNull();
  });
});

describe('ListRowsKeeper', () => {
  it('builds once the changes pause, at the latest maxWaitMs after the first; at once when asked', async () => {
    const db = await fresh();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
    // The keeper's timers only: fake-indexeddb schedules its own work with setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = 10_000;
    const keeper = new ListRowsKeeper(async () => db, { quietMs: 1000, maxWaitMs: 3000, now: () => clock });
    const build = vi.spyOn(keeper, 'build');
    // A stream: a change every 500 ms never pauses for 1 s, so the build comes 3 s after the first change.
    for (let i = 0; i < 8; i++) {
      keeper.changed();
      await vi.advanceTimersByTimeAsync(500);
      clock += 500;
    }
    expect(build).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
    await vi.waitFor(async () => expect(await readListRows(db)).not.toBeNull());
    expect((await readListRows(db))?.rows.map((r) => r.id)).toHaveLength(1);
    // The user deleted everything: rebuilt at once, to no rows.
    await deleteCalls(
      db,
      c.calls.map((x) => x.callId),
    );
    keeper.changed(true);
    await vi.waitFor(async () => expect((await readListRows(db))?.rows).toEqual([]));
  });

  it('ensure builds only when no rows are stored', async () => {
    const db = await fresh();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
    const keeper = new ListRowsKeeper(async () => db, { quietMs: 0 });
    await keeper.ensure();
    await vi.waitFor(async () => expect(await readListRows(db)).not.toBeNull());
    const first = await readListRows(db);
    const build = vi.spyOn(keeper, 'build');
    await keeper.ensure();
    await new Promise((r) => setTimeout(r, 10));
    expect(build).not.toHaveBeenCalled();
    expect(await readListRows(db)).toEqual(first);
  });

  it('a failing store leaves the previous rows and never throws', async () => {
    const keeper = new ListRowsKeeper(() => Promise.reject(new Error('store broken')), { quietMs: 0 });
    await expect(keeper.build()).resolves.toBeUndefined();
    await expect(keeper.ensure()).resolves.toBeUndefined();
  });
});
