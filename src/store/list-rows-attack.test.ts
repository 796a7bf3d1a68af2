/**
 * Attacks on the list rows the background keeps (src/store/list-rows-keeper.ts, src/store/list-rows.ts),
 * found by an attack run: streams decoded again at every build, rows too large for storage.session, a
 * deleted chat written back by a build that read the store before the delete, rows read back that the
 * list cannot show. Each failed before its fix.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as decode from '../analysis/decode';
import { deleteCalls, openCaptureDb, putCalls } from './db';
import { asListRows, type ListRows, type RowsArea } from './list-rows';
import { buildListRows, ListRowsKeeper, type StreamTitleCache } from './list-rows-keeper';
import type { StoredCall, StoredChunk } from './schema';
import { testCall } from './test-call';

vi.mock('../analysis/decode', async (orig) => {
  const actual = await orig<typeof import('../analysis/decode')>();
  return { ...actual, decodeCall: vi.fn(actual.decodeCall) };
});

let n = 0;
const opened: { close(): void }[] = [];
const fresh = async () => {
  const db = await openCaptureDb(`list-rows-attack-${++n}`);
  opened.push(db);
  return db;
};
afterEach(() => {
  vi.mocked(decode.decodeCall).mockClear();
  for (const d of opened.splice(0)) d.close();
});

/** A v1-style answer stream without any title_generation frame, about `kb` KiB. */
function untitledStream(callId: string, kb: number, t0: number): StoredChunk[] {
  const line = `data: {"v":"${'word '.repeat(200)}"}\n\n`;
  const out: StoredChunk[] = [
    {
      callId,
      seq: 0,
      time: t0,
      bytes: 0,
      data: 'data: {"p":"","o":"add","v":{"message":{"id":"m","author":{"role":"assistant"},"content":{"content_type":"text","parts":[""]}},"conversation_id":"x"},"c":0}\n\n',
    },
  ];
  const per = Math.max(1, Math.round((kb * 1024) / line.length / 16));
  for (let i = 1; i <= 16; i++) {
    const data = line.repeat(per);
    out.push({ callId, seq: i, time: t0 + i, bytes: data.length, data });
  }
  return out;
}

/** `count` one-turn chats, each a send whose stream has no title and never ended (no endTime). */
function openChats(count: number, kb: number, over: Partial<StoredCall> = {}) {
  const calls: StoredCall[] = [];
  const chunks: StoredChunk[] = [];
  for (let i = 0; i < count; i++) {
    const callId = `send-${i}`;
    const conv = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    calls.push(
      testCall({
        callId,
        pageSessionId: 'page-1',
        conversationId: conv,
        url: `https://chatgpt.com/backend-api/f/conversation`,
        requestBody: JSON.stringify({
          action: 'next',
          conversation_id: conv,
          messages: [{ author: { role: 'user' }, content: { content_type: 'text', parts: [`hi ${i}`] } }],
        }),
        startTime: 1_000 + i * 10,
        status: 200,
        responseHeaders: [['content-type', 'text/event-stream']],
        ...over,
      }),
    );
    chunks.push(...untitledStream(callId, kb, 1_000 + i * 10));
  }
  return { calls, chunks };
}

describe('attack: re-decoding streams that cannot change', () => {
  it('an imported send without endTime (never live) is decoded once per worker, not on every build', async () => {
    const db = await fresh();
    // A JSON import may carry calls without endTime (an export of a live call, or a crafted file):
    // isOpen() stays true for ever, so buildListRows never caches their (null) stream title.
    const { calls, chunks } = openChats(40, 64, { importId: 'imp-1', tabId: null });
    await putCalls(db, calls, chunks);
    const cache: StreamTitleCache = new Map();
    await buildListRows(db, cache);
    const first = vi.mocked(decode.decodeCall).mock.calls.length;
    expect(first).toBe(40);
    await buildListRows(db, cache);
    await buildListRows(db, cache);
    // Nothing changed in the store: no stream should be decoded again.
    expect(vi.mocked(decode.decodeCall).mock.calls.length).toBe(first);
  });

  it('a live send whose chunks did not change since the last build is not decoded again', async () => {
    const db = await fresh();
    // A hostile page keeps 40 title-less streams open (it never ends them, and one small call every few
    // seconds keeps its page session from being ended as interrupted): every build (each 5 s of quiet,
    // at most 60 s apart) decodes all 40 again, up to 5 MiB each (DEFAULT_MAX_BODY_BYTES), in the worker.
    const { calls, chunks } = openChats(40, 64);
    await putCalls(db, calls, chunks);
    const cache: StreamTitleCache = new Map();
    await buildListRows(db, cache);
    const first = vi.mocked(decode.decodeCall).mock.calls.length;
    await buildListRows(db, cache);
    expect(vi.mocked(decode.decodeCall).mock.calls.length).toBe(first);
  });
});

describe('attack: the size of the kept rows', () => {
  it('stay far below storage.session QUOTA_BYTES (10 MiB) when prompts are long', async () => {
    const db = await fresh();
    // One chat of 30 turns, each a pasted 200 KiB document (a log, a source file): searchText keeps every
    // prompt and firstPrompt the first again. Over 10 MiB the session write fails and the keeper removes
    // the rows at every build, for as long as this chat is among the newest 40.
    const conv = '11111111-1111-4111-8111-111111111111';
    const big = 'x'.repeat(200 * 1024);
    const calls: StoredCall[] = [];
    for (let i = 0; i < 60; i++) {
      calls.push(
        testCall({
          callId: `turn-${i}`,
          conversationId: conv,
          requestBody: JSON.stringify({
            action: 'next',
            conversation_id: conv,
            messages: [
              { author: { role: 'user' }, content: { content_type: 'text', parts: [`${i} ${big}`] } },
            ],
          }),
          startTime: 1_000 + i,
          endTime: 1_000 + i + 1,
          status: 200,
          outcome: 'complete',
        }),
      );
    }
    await putCalls(db, calls, []);
    const rows = await buildListRows(db);
    expect(rows).toHaveLength(1);
    const bytes = JSON.stringify({ 'cfr:list-rows': { savedAt: 1, rows } }).length;
    // 12 MiB before the rows were cut: the first prompt and search text are what grew.
    expect(bytes).toBeLessThan(64 * 1024);
  });
});

describe('attack: a delete during a build', () => {
  it("never writes the deleted chat back after the user's delete removed the rows", async () => {
    const db = await fresh();
    const { calls, chunks } = openChats(2, 1, { endTime: 2_000, outcome: 'complete' });
    await putCalls(db, calls, chunks);
    const values: unknown[] = [];
    let removed = false;
    let release: () => void = () => {};
    let first = true;
    const area: RowsArea = {
      read: async () => values.at(-1),
      async write(rows: ListRows) {
        if (first) {
          // The build read the store before the delete; its write (storage.session.set, async) lands after.
          first = false;
          await new Promise<void>((r) => (release = r));
        }
        if (removed) values.push(structuredClone(rows));
      },
      async remove() {
        removed = true;
        values.push(undefined);
      },
    };
    const keeper = new ListRowsKeeper(async () => db, area, { quietMs: 0 });
    const building = keeper.build();
    await vi.waitFor(() => expect(first).toBe(false));
    await deleteCalls(db, ['send-0']);
    keeper.changed(true); // the user's delete: rows removed at once
    await new Promise((r) => setTimeout(r, 5));
    release();
    await building;
    // The rows end rebuilt without the deleted chat (one chat left).
    await vi.waitFor(() => expect(asListRows(values.at(-1))?.rows).toHaveLength(1));
    const ids = values.map((v) => asListRows(v)?.rows.map((r) => r.id) ?? null);
    // Between the remove and the rebuild, the kept rows must not show the deleted chat again.
    expect(ids.some((r) => r?.includes('00000000-0000-4000-8000-000000000000'))).toBe(false);
  });
});

describe('attack: rows read back from storage that the list cannot show', () => {
  it('asListRows rejects rows the list view would throw on (flags, counts.byKind, title)', () => {
    const base = { id: 'a', searchText: 'a', callIds: [], turnCallIds: [] };
    // list-view.tsx reads s.flags.includes(...); matches() reads s.counts.byKind[kind]; a title object
    // is rendered as a child. A snapshot left by another version (localStorage outlives updates) or a
    // corrupted one passes isSummaryShaped with none of these.
    expect(asListRows({ savedAt: 1, rows: [{ ...base, counts: {} }] })).toBeNull();
    expect(
      asListRows({ savedAt: 1, rows: [{ ...base, counts: { byKind: {} }, flags: [], title: { x: 1 } }] }),
    ).toBeNull();
  });

  it('asListRows keeps at most LIST_ROWS rows and a finite savedAt', () => {
    const row = {
      id: 'a',
      searchText: 'a',
      callIds: [],
      turnCallIds: [],
      counts: { total: 0, byKind: {}, errors: 0, open: 0 },
      flags: [],
      title: null,
    };
    expect(asListRows({ savedAt: Number.POSITIVE_INFINITY, rows: [row] })).toBeNull();
    expect(asListRows({ savedAt: 1, rows: Array(100_000).fill(row) })?.rows.length ?? 0).toBeLessThanOrEqual(
      40,
    );
  });
});
