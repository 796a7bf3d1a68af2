import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSample } from '../ui/dev/sample-data';
import { ConversationIndex } from '../ui/list-model';
import { MockClient } from '../ui/mock-client';
import { flatChunks, realCapture, seedCapture } from '../ui/test-data';
import { deleteCalls, openCaptureDb, putCalls } from './db';
import { asListRows, LIST_ROWS, type ListRows, type RowsArea } from './list-rows';
import { buildListRows, ListRowsKeeper } from './list-rows-keeper';
import { allCalls, type CaptureDb } from './reader';

let n = 0;
const opened: { close(): void }[] = [];
const fresh = async () => {
  const db = await openCaptureDb(`list-rows-${++n}`);
  opened.push(db);
  return db;
};
/** A fresh database holding the seed capture (one conversation, titled by gen_title). */
const seeded = async () => {
  const db = await fresh();
  const c = seedCapture();
  await putCalls(db, c.calls, flatChunks(c));
  return { db, c };
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

  it('carry the title of a conversation titled only in its stream, as the list shows it', async () => {
    const db = await fresh();
    // One-turn chats: the sidebar list says "New chat"; the title is in the stream only.
    const sample = generateSample({ conversations: 3, style: 'v1', turns: () => 1, seed: 7 });
    await putCalls(db, sample.calls, sample.chunks);
    const rows = await buildListRows(db);
    // What the list shows once it has decoded each row's first turn (src/ui/list-model.ts ensureTitles).
    const index = new ConversationIndex(
      new MockClient({ calls: sample.calls, chunks: sample.chunks }),
      () => {},
    );
    await index.start();
    await index.ensureTitles(index.state().conversations);
    const shown = index.state().conversations.map((s) => index.titleOf(s));
    expect(shown.every((t) => t && t !== 'New chat')).toBe(true);
    expect(rows.map((r) => r.title)).toEqual(shown);
    expect(rows.every((r) => r.titleSource === 'stream')).toBe(true);
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

  it('read back only when they have the shape of rows (another version may have left them)', async () => {
    const { db } = await seeded();
    const rows: ListRows = { savedAt: 1234, rows: await buildListRows(db) };
    expect(asListRows(structuredClone(rows))).toEqual(rows);
    expect(asListRows({ savedAt: 1, rows: [{ id: 'x' }] })).toBeNull();
    expect(asListRows(rows.rows)).toBeNull();
    expect(asListRows(undefined)).toBeNull();
  });
});

/** An area in memory, as the background's session storage keeps the rows. */
function memoryArea(): RowsArea & { value: unknown; writes: number; fail: boolean } {
  const area = {
    value: undefined as unknown,
    writes: 0,
    /** Writes fail (quota, storage error). */
    fail: false,
    async read() {
      return area.value;
    },
    async write(rows: ListRows) {
      if (area.fail) throw new Error('QUOTA_BYTES quota exceeded');
      area.writes++;
      area.value = structuredClone(rows);
    },
    async remove() {
      area.value = undefined;
    },
  };
  return area;
}

describe('ListRowsKeeper', () => {
  it('builds once the changes pause, at the latest maxWaitMs after the first; at once when asked', async () => {
    const { db, c } = await seeded();
    // The keeper's timers only: fake-indexeddb schedules its own work with setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = 10_000;
    const area = memoryArea();
    const keeper = new ListRowsKeeper(async () => db, area, {
      quietMs: 1000,
      maxWaitMs: 3000,
      now: () => clock,
    });
    const build = vi.spyOn(keeper, 'build');
    // A stream: a change every 500 ms never pauses for 1 s, so the build comes 3 s after the first change.
    for (let i = 0; i < 8; i++) {
      keeper.changed();
      await vi.advanceTimersByTimeAsync(500);
      clock += 500;
    }
    expect(build).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
    await vi.waitFor(() => expect(area.writes).toBe(1));
    expect(asListRows(area.value)?.rows.map((r) => r.id)).toHaveLength(1);
    // Stamped with the clock when the build began (the test's clock moves after each step).
    expect(asListRows(area.value)?.savedAt).toBe(12_500);
    // The user deleted everything: rebuilt at once, to no rows.
    await deleteCalls(
      db,
      c.calls.map((x) => x.callId),
    );
    keeper.changed(true);
    await vi.waitFor(() => expect(asListRows(area.value)?.rows).toEqual([]));
  });

  it('builds when the worker starts, whatever is kept (a build may have been pending when it stopped)', async () => {
    const { db } = await seeded();
    const area = memoryArea();
    area.value = { savedAt: 1, rows: [] };
    const keeper = new ListRowsKeeper(async () => db, area);
    await keeper.ensure();
    expect(area.writes).toBe(1);
    expect(asListRows(area.value)?.rows).toHaveLength(1);
  });

  it('a change the user made removes the kept rows at once and is built at once, even if a batch follows', async () => {
    const { db, c } = await seeded();
    const area = memoryArea();
    const removed = vi.spyOn(area, 'remove');
    const keeper = new ListRowsKeeper(async () => db, area, { quietMs: 60_000 });
    await keeper.build();
    const build = vi.spyOn(keeper, 'build');
    await deleteCalls(
      db,
      c.calls.map((x) => x.callId),
    );
    keeper.changed(true); // the user deleted the chat
    keeper.changed(); // a capture batch in the same task: must not push the build back by quietMs
    await vi.waitFor(() => expect(removed).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(build).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(asListRows(area.value)?.rows).toEqual([]));
  });

  it('a change during a build is built after it: the kept rows end with the change', async () => {
    const { db, c } = await seeded();
    let release: () => void = () => {};
    const area = memoryArea();
    const write = area.write;
    let first = true;
    area.write = async (rows) => {
      if (first) {
        first = false;
        await new Promise<void>((r) => (release = r)); // the first build is slow to store its rows
      }
      await write(rows);
    };
    const keeper = new ListRowsKeeper(async () => db, area, { quietMs: 0 });
    const building = keeper.build();
    await vi.waitFor(() => expect(first).toBe(false));
    await deleteCalls(
      db,
      c.calls.map((x) => x.callId),
    );
    keeper.changed();
    await new Promise((r) => setTimeout(r, 5));
    release();
    await building;
    await vi.waitFor(() => expect(asListRows(area.value)?.rows).toEqual([]));
  });

  it('rows it can no longer write are removed, not left behind (a deleted title or prompt must not stay)', async () => {
    const { db, c } = await seeded();
    const area = memoryArea();
    const keeper = new ListRowsKeeper(async () => db, area);
    await keeper.build();
    expect(asListRows(area.value)?.rows).toHaveLength(1);
    await deleteCalls(
      db,
      c.calls.map((x) => x.callId),
    );
    area.fail = true;
    await keeper.build();
    expect(area.value).toBeUndefined();
  });

  it('a store that cannot be read: no rows kept, and no throw', async () => {
    const area = memoryArea();
    area.value = { savedAt: 1, rows: [] };
    const keeper = new ListRowsKeeper(() => Promise.reject(new Error('store broken')), area, { quietMs: 0 });
    await expect(keeper.build()).resolves.toBeUndefined();
    await expect(keeper.ensure()).resolves.toBeUndefined();
    expect(area.value).toBeUndefined();
    expect(area.writes).toBe(0);
  });
});
