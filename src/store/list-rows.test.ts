import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSample } from '../ui/dev/sample-data';
import { ConversationIndex } from '../ui/list-model';
import { MockClient } from '../ui/mock-client';
import { flatChunks, realCapture, seedCapture } from '../ui/test-data';
import { deleteCalls, openCaptureDb, putCalls } from './db';
import {
  asListRows,
  buildListRows,
  LIST_ROWS,
  type ListRows,
  ListRowsKeeper,
  type RowsArea,
} from './list-rows';
import { allCalls, type CaptureDb } from './reader';

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

  it('read back only when they have the shape of rows (another version may have left them)', async () => {
    const db = await fresh();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
    const rows: ListRows = { savedAt: 1234, rows: await buildListRows(db) };
    expect(asListRows(structuredClone(rows))).toEqual(rows);
    expect(asListRows({ savedAt: 1, rows: [{ id: 'x' }] })).toBeNull();
    expect(asListRows(rows.rows)).toBeNull();
    expect(asListRows(undefined)).toBeNull();
  });
});

/** An area in memory, as the background's session storage keeps the rows. */
function memoryArea(): RowsArea & { value: unknown; writes: number } {
  const area = {
    value: undefined as unknown,
    writes: 0,
    async read() {
      return area.value;
    },
    async write(rows: ListRows) {
      area.writes++;
      area.value = structuredClone(rows);
    },
  };
  return area;
}

describe('ListRowsKeeper', () => {
  it('builds once the changes pause, at the latest maxWaitMs after the first; at once when asked', async () => {
    const db = await fresh();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
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

  it('ensure builds only when no rows are stored', async () => {
    const db = await fresh();
    const c = seedCapture();
    await putCalls(db, c.calls, flatChunks(c));
    const area = memoryArea();
    const keeper = new ListRowsKeeper(async () => db, area, { quietMs: 0 });
    await keeper.ensure();
    await vi.waitFor(() => expect(area.writes).toBe(1));
    const build = vi.spyOn(keeper, 'build');
    await keeper.ensure();
    await new Promise((r) => setTimeout(r, 10));
    expect(build).not.toHaveBeenCalled();
    expect(area.writes).toBe(1);
    // Rows of another shape count as none.
    area.value = { rows: 'nonsense' };
    await keeper.ensure();
    await vi.waitFor(() => expect(area.writes).toBe(2));
  });

  it('a failing store leaves the previous rows and never throws', async () => {
    const area = memoryArea();
    area.value = { savedAt: 1, rows: [] };
    const keeper = new ListRowsKeeper(() => Promise.reject(new Error('store broken')), area, { quietMs: 0 });
    await expect(keeper.build()).resolves.toBeUndefined();
    await expect(keeper.ensure()).resolves.toBeUndefined();
    expect(area.value).toEqual({ savedAt: 1, rows: [] });
    expect(area.writes).toBe(0);
  });
});
