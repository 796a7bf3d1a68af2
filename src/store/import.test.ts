import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { allCalls, getChunks, openCaptureDb, writeBatch } from './db';
import {
  commitStaged,
  importCalls,
  openStagingDb,
  planImportParts,
  STAGING_TTL_MS,
  type StagingDb,
  stagePart,
} from './import';
import type { StoredCall, StoredChunk } from './schema';
import { createService } from './service';
import { testCall } from './test-call';

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});
async function dbs() {
  n++;
  const db = await openCaptureDb(`import-test-${n}`);
  const staging = await openStagingDb(`import-staging-test-${n}`);
  opened.push(db, staging);
  return { db, staging };
}

function call(id: string, extra: Partial<StoredCall> = {}): StoredCall {
  return testCall({
    callId: id,
    pageSessionId: 'p1',
    tabId: 7,
    url: 'https://chatgpt.com/backend-api/lat/r',
    kind: 'lat_r',
    requestHeaders: [['content-type', 'application/json']],
    requestBody: '{"server_request_id":"x"}',
    startTime: 1_700_000_000_000 + id.length,
    status: 200,
    responseBodyEncoding: 'text',
    endTime: 1_700_000_000_100,
    outcome: 'complete',
    ...extra,
  });
}
const chunk = (callId: string, seq: number, data = `{"n":${seq}}`): StoredChunk => ({
  callId,
  seq,
  time: 1_700_000_000_050 + seq,
  bytes: data.length,
  data,
});

describe('importCalls', () => {
  it('writes calls and chunks, marked with the import id and without a tab', async () => {
    const { db } = await dbs();
    const r = await importCalls(
      db,
      'imp-1',
      [call('a'), call('b')],
      [chunk('a', 0), chunk('a', 1), chunk('b', 0)],
    );
    expect(r).toEqual({ added: 2, skipped: 0 });
    const stored = await allCalls(db);
    expect(stored.map((c) => [c.callId, c.importId, c.tabId])).toEqual([
      ['a', 'imp-1', null],
      ['b', 'imp-1', null],
    ]);
    expect((await getChunks(db, 'a')).map((c) => c.seq)).toEqual([0, 1]);
  });

  it('skips calls already stored, recorded or imported, with their chunks', async () => {
    const { db } = await dbs();
    await writeBatch(
      db,
      [
        {
          type: 'start',
          callId: 'rec',
          pageSessionId: 'p1',
          transport: 'fetch',
          method: 'GET',
          url: 'https://chatgpt.com/',
          pageUrl: 'https://chatgpt.com/',
          requestHeaders: [],
          requestBody: null,
          requestBodyEncoding: 'text',
          requestTruncated: false,
          startTime: 5,
        },
        { type: 'chunk', callId: 'rec', seq: 0, time: 6, bytes: 8, data: 'recorded' },
      ],
      { tabId: 3 },
    );
    const r = await importCalls(
      db,
      'imp',
      [call('rec'), call('new')],
      [chunk('rec', 0, 'imported'), chunk('new', 0)],
    );
    expect(r).toEqual({ added: 1, skipped: 1 });
    const rec = (await allCalls(db)).find((c) => c.callId === 'rec');
    expect(rec?.tabId).toBe(3);
    expect(rec?.importId).toBeUndefined();
    expect((await getChunks(db, 'rec'))[0]?.data).toBe('recorded');
  });

  it('is all or nothing: one bad record and nothing is written', async () => {
    const { db } = await dbs();
    // NaN is not a valid IndexedDB key: the put fails and aborts the transaction.
    const bad = { ...chunk('b', 0), seq: Number.NaN };
    await expect(importCalls(db, 'imp', [call('a'), call('b')], [chunk('a', 0), bad])).rejects.toThrow();
    expect(await allCalls(db)).toEqual([]);
    expect(await getChunks(db, 'a')).toEqual([]);
  });
});

describe('staged multi-part imports', () => {
  it('commits every staged part with the final one, in one transaction, then clears the staging', async () => {
    const { db, staging } = await dbs();
    await stagePart(staging, 'imp', 0, [call('a')], [chunk('a', 0)]);
    await stagePart(staging, 'imp', 1, [call('b')], [chunk('b', 0)]);
    expect(await allCalls(db)).toEqual([]);
    const r = await commitStaged(db, staging, 'imp', 2, { calls: [call('c')], chunks: [chunk('c', 0)] });
    expect(r).toEqual({ added: 3, skipped: 0 });
    expect((await allCalls(db)).map((c) => c.callId).sort()).toEqual(['a', 'b', 'c']);
    expect(await staging.count('parts')).toBe(0);
  });

  it('refuses to commit when a part is missing, writes nothing, and clears the staging', async () => {
    const { db, staging } = await dbs();
    await stagePart(staging, 'imp', 0, [call('a')], []);
    await expect(commitStaged(db, staging, 'imp', 2, { calls: [call('c')], chunks: [] })).rejects.toThrow(
      'store/import: part 1 of import imp never arrived; send the import again',
    );
    expect(await allCalls(db)).toEqual([]);
    expect(await staging.count('parts')).toBe(0);
  });

  it('a re-sent part overwrites itself; abandoned imports expire', async () => {
    const { staging } = await dbs();
    const t = 1_000_000;
    await stagePart(staging, 'old', 0, [call('x')], [], t);
    await stagePart(staging, 'imp', 0, [call('a')], [], t + 10);
    await stagePart(staging, 'imp', 0, [call('a2')], [], t + 20);
    expect((await staging.getAll('parts')).map((p) => `${p.importId}:${p.part}`).sort()).toEqual([
      'imp:0',
      'old:0',
    ]);
    await stagePart(staging, 'new', 0, [], [], t + STAGING_TTL_MS + 1);
    expect((await staging.getAll('parts')).map((p) => p.importId).sort()).toEqual(['imp', 'new']);
  });
});

describe('planImportParts', () => {
  it('cuts an import into message-sized parts, each call with its chunks, nothing lost', () => {
    const calls = Array.from({ length: 50 }, (_, i) => call(`c${i}`));
    const chunks = calls.flatMap((c) => [
      chunk(c.callId, 0, 'x'.repeat(1000)),
      chunk(c.callId, 1, 'y'.repeat(1000)),
    ]);
    const parts = planImportParts(calls, chunks, 10_000);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.flatMap((p) => p.calls)).toEqual(calls);
    expect(parts.flatMap((p) => p.chunks)).toHaveLength(chunks.length);
    for (const p of parts) {
      const ids = new Set(p.calls.map((c) => c.callId));
      expect(p.chunks.every((c) => ids.has(c.callId))).toBe(true);
    }
    expect(planImportParts([], [])).toEqual([{ calls: [], chunks: [] }]);
  });
});

describe("the background's store/import handler", () => {
  async function service() {
    const { db, staging } = await dbs();
    const stored: number[] = [];
    const svc = createService(
      async () => db,
      () => stored.push(1),
      { staging: async (): Promise<StagingDb> => staging },
    );
    return { db, svc, stored };
  }
  const page = { tabId: null, fromExtensionPage: true };

  it('writes a one-message import, redacting secrets again, and announces the change', async () => {
    const { db, svc, stored } = await service();
    const leaky = call('a', {
      requestHeaders: [['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln']],
    });
    const r = await svc.handle(
      {
        name: 'store/import',
        body: { importId: 'imp', calls: [leaky], chunks: [chunk('a', 0, '{"accessToken":"SECRETVALUE"}')] },
      },
      page,
    );
    expect(r).toEqual({ ok: true, value: { added: 1, skipped: 0, committed: true } });
    const [a] = await allCalls(db);
    expect(a?.requestHeaders).toEqual([['Authorization', 'Bearer [redacted]']]);
    expect((await getChunks(db, 'a'))[0]?.data).toBe('{"accessToken":"[redacted]"}');
    expect(stored).toHaveLength(1);
  });

  it('stages parts and commits them with the final one', async () => {
    const { db, svc } = await service();
    const send = (part: number, final: boolean, id: string) =>
      svc.handle(
        { name: 'store/import', body: { importId: 'imp', part, final, calls: [call(id)], chunks: [] } },
        page,
      );
    expect(await send(0, false, 'a')).toEqual({
      ok: true,
      value: { added: 0, skipped: 0, committed: false },
    });
    expect(await send(1, false, 'b')).toEqual({
      ok: true,
      value: { added: 0, skipped: 0, committed: false },
    });
    expect(await allCalls(db)).toEqual([]);
    expect(await send(2, true, 'c')).toEqual({ ok: true, value: { added: 3, skipped: 0, committed: true } });
    expect((await allCalls(db)).map((c) => c.callId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('refuses imports from content scripts and invalid records', async () => {
    const { db, svc } = await service();
    const body = { importId: 'imp', calls: [call('a')], chunks: [] };
    expect(await svc.handle({ name: 'store/import', body }, { tabId: 4, fromExtensionPage: false })).toEqual({
      ok: false,
      error: 'store/import: only extension pages may change the store',
    });
    const bad = await svc.handle(
      { name: 'store/import', body: { ...body, calls: [{ ...call('a'), startTime: 'x' }] } },
      page,
    );
    expect(bad.ok).toBe(false);
    expect(await allCalls(db)).toEqual([]);
  });
});
