import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../capture/events';
import { joinBody } from './call-facts';
import {
  allCalls,
  callsByConversation,
  callsByKind,
  callsByPageSession,
  clearAll,
  countCallsInTab,
  deleteCalls,
  getCall,
  getChunks,
  interruptOpenCalls,
  interruptOpenCallsBetween,
  openCaptureDb,
  writeBatch,
} from './db';
import { DB_VERSION } from './reader';

let n = 0;
const fresh = () => openCaptureDb(`test-${++n}`);
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function streamCall(callId: string, pageSessionId: string, t0: number, conversation = true): CaptureEvent[] {
  return [
    {
      type: 'start',
      callId,
      pageSessionId,
      transport: 'fetch',
      method: 'POST',
      url: conversation ? 'https://chatgpt.com/backend-api/f/conversation' : 'https://chatgpt.com/ces/v1/t',
      pageUrl: 'https://chatgpt.com/',
      requestHeaders: [['content-type', 'application/json']],
      requestBody: '{"action":"next"}',
      requestBodyEncoding: 'text',
      requestTruncated: false,
      startTime: t0,
    },
    {
      type: 'response',
      callId,
      status: 200,
      statusText: 'OK',
      responseHeaders: [['content-type', 'text/event-stream']],
      responseBodyEncoding: 'text',
      headersTime: t0 + 10,
    },
    {
      type: 'chunk',
      callId,
      seq: 0,
      time: t0 + 20,
      bytes: 5,
      data: 'data: {"conversation_id": "69b2d0ea-1970-83e8-95a6-1d5d1d85117e"}\n\n',
    },
    { type: 'chunk', callId, seq: 1, time: t0 + 30, bytes: 5, data: 'data: [DONE]\n\n' },
    {
      type: 'end',
      callId,
      endTime: t0 + 40,
      outcome: 'complete',
      truncated: false,
      bodyBytes: 10,
      chunkCount: 2,
    },
  ];
}

describe('capture store', () => {
  it('upgrades from an empty database to the current schema with its indexes', async () => {
    const db = await fresh();
    opened.push(db);
    expect(db.version).toBe(DB_VERSION);
    // Version 2 added the derived summary stores (Insights), version 3 the rollups; calls and chunks are unchanged.
    expect([...db.objectStoreNames].sort()).toEqual([
      'callSummaries',
      'calls',
      'chunks',
      'dailyRollups',
      'rollupMeta',
      'turnSummaries',
    ]);
    const idx = [...db.transaction('calls').store.indexNames].sort();
    expect(idx).toEqual(['byConversation', 'byKind', 'byPageSession', 'byTab', 'byTime']);
    expect([...db.transaction('turnSummaries').store.indexNames].sort()).toEqual(['byTime', 'byVersion']);
  });

  it('writes a batch: merged call record, chunks keyed by seq, kind and conversation id derived', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(db, streamCall('c1', 'p1', 1000), { tabId: 7 });
    const call = await getCall(db, 'c1');
    expect(call).toMatchObject({
      kind: 'conversation',
      tabId: 7,
      status: 200,
      headersTime: 1010,
      firstChunkTime: 1020,
      lastChunkTime: 1030,
      endTime: 1040,
      outcome: 'complete',
      conversationId: '69b2d0ea-1970-83e8-95a6-1d5d1d85117e',
    });
    const chunks = await getChunks(db, 'c1');
    expect(chunks.map((c) => c.seq)).toEqual([0, 1]);
    expect(joinBody(chunks)).toContain('[DONE]');
  });

  it('is idempotent and order-insensitive: re-sent and out-of-order events give the same record', async () => {
    const db = await fresh();
    opened.push(db);
    const events = streamCall('c1', 'p1', 1000);
    await writeBatch(db, events.slice(2), { tabId: 1 });
    await writeBatch(db, events.slice(0, 2), { tabId: 1 });
    await writeBatch(db, events, { tabId: 1 });
    const call = await getCall(db, 'c1');
    expect(call?.url).toBe('https://chatgpt.com/backend-api/f/conversation');
    expect(call?.outcome).toBe('complete');
    expect(call?.firstChunkTime).toBe(1020);
    expect(await getChunks(db, 'c1')).toHaveLength(2);
    expect(await allCalls(db)).toHaveLength(1);
  });

  it('answers queries through its indexes', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(db, [...streamCall('a', 'p1', 3000), ...streamCall('b', 'p1', 1000, false)], {
      tabId: 1,
    });
    await writeBatch(db, streamCall('c', 'p2', 2000), { tabId: 2 });
    expect((await allCalls(db)).map((c) => c.callId)).toEqual(['b', 'c', 'a']);
    expect((await callsByPageSession(db, 'p1')).map((c) => c.callId)).toEqual(['b', 'a']);
    expect((await callsByKind(db, 'ces')).map((c) => c.callId)).toEqual(['b']);
    expect(
      (await callsByConversation(db, '69b2d0ea-1970-83e8-95a6-1d5d1d85117e')).map((c) => c.callId),
    ).toEqual(['c', 'a']);
    expect(await countCallsInTab(db, 1)).toBe(2);
    await deleteCalls(db, ['a']);
    expect(await getChunks(db, 'a')).toHaveLength(0);
    expect(await countCallsInTab(db, 1)).toBe(1);
    await clearAll(db);
    expect(await allCalls(db)).toHaveLength(0);
  });

  it('a forged or replayed start never replaces a call that already started', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(db, streamCall('c1', 'p1', 1000), { tabId: 1 });
    const forged = streamCall('c1', 'p1', 5000, false)[0]!;
    if (forged.type === 'start') forged.requestBody = '{"forged":true}';
    await writeBatch(db, [forged], { tabId: 1 });
    const call = await getCall(db, 'c1');
    expect(call?.url).toBe('https://chatgpt.com/backend-api/f/conversation');
    expect(call?.requestBody).toBe('{"action":"next"}');
    expect(call?.startTime).toBe(1000);
  });

  it('a chunk never overwrites a different chunk with the same key; an end never replaces an end', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(db, streamCall('c1', 'p1', 1000), { tabId: 1 });
    const r = await writeBatch(
      db,
      [
        { type: 'chunk', callId: 'c1', seq: 0, time: 1020, bytes: 3, data: 'data: {"forged":1}\n\n' },
        { ...streamCall('c1', 'p1', 1000).at(-1)!, outcome: 'error' } as CaptureEvent,
      ],
      { tabId: 1 },
    );
    expect(r.refused).toBe(1);
    expect((await getChunks(db, 'c1'))[0]?.data).toContain('69b2d0ea');
    expect((await getCall(db, 'c1'))?.outcome).toBe('complete');
  });

  it('refuses events for a call of another tab or another page session', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(db, streamCall('c1', 'p1', 1000), { tabId: 1 });
    const chunk: CaptureEvent = { type: 'chunk', callId: 'c1', seq: 9, time: 2000, bytes: 1, data: 'x' };
    const fromOtherTab = await writeBatch(db, [chunk], { tabId: 2 });
    expect(fromOtherTab.refused).toBe(1);
    // An imported call (no tab) is no page's to change.
    await writeBatch(db, streamCall('imp', 'p9', 500), { tabId: null });
    expect((await writeBatch(db, [{ ...chunk, callId: 'imp' }], { tabId: 1 })).refused).toBe(1);
    // A port bound to page session p2 (its first start named it) may not touch p1's call, even in tab 1.
    const binding = { pageSessionId: null as string | null };
    await writeBatch(db, streamCall('c2', 'p2', 3000), { tabId: 1, binding });
    expect(binding.pageSessionId).toBe('p2');
    const fromOtherSession = await writeBatch(db, [chunk], { tabId: 1, binding });
    expect(fromOtherSession.refused).toBe(1);
    expect(await getChunks(db, 'c1')).toHaveLength(2);
    expect((await getCall(db, 'c1'))?.lastChunkTime).toBe(1030);
  });

  it('a chunk that arrives before its start keeps the conversation id the stream names', async () => {
    const db = await fresh();
    opened.push(db);
    const events = streamCall('c1', 'p1', 1000).map((e) =>
      e.type === 'start' ? { ...e, requestBody: '{"action":"next"}' } : e,
    );
    await writeBatch(
      db,
      events.filter((e) => e.type === 'chunk'),
      { tabId: 1 },
    );
    await writeBatch(
      db,
      events.filter((e) => e.type !== 'chunk'),
      { tabId: 1 },
    );
    const call = await getCall(db, 'c1');
    expect(call?.pageSessionId).toBe('p1');
    expect(call?.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
  });

  it('ends the open calls of a page that went away as interrupted; a late real end still wins', async () => {
    const db = await fresh();
    opened.push(db);
    const open = streamCall('c1', 'p1', 1000).slice(0, 3);
    await writeBatch(db, [...open, ...streamCall('c2', 'p1', 2000)], { tabId: 1 });
    expect(await interruptOpenCalls(db, ['p1'], 'tab closed')).toEqual(['c1']);
    expect(await getCall(db, 'c1')).toMatchObject({
      outcome: 'interrupted',
      endTime: 1020,
      error: 'tab closed',
    });
    expect((await getCall(db, 'c2'))?.outcome).toBe('complete');
    await writeBatch(db, streamCall('c1', 'p1', 1000).slice(3), { tabId: 1 });
    expect((await getCall(db, 'c1'))?.outcome).toBe('complete');
  });

  it('ends the open calls started in a time range as interrupted (browser restarted, recording paused)', async () => {
    const db = await fresh();
    opened.push(db);
    await writeBatch(
      db,
      [
        ...streamCall('a', 'p1', 1000).slice(0, 2),
        ...streamCall('b', 'p2', 5000).slice(0, 2),
        ...streamCall('c', 'p1', 2000),
      ],
      { tabId: 1 },
    );
    expect(await interruptOpenCallsBetween(db, 0, 4000, 'the browser was closed')).toEqual(['a']);
    expect(await getCall(db, 'a')).toMatchObject({ outcome: 'interrupted', endTime: 1010 });
    expect((await getCall(db, 'b'))?.endTime).toBeUndefined();
    expect((await getCall(db, 'c'))?.outcome).toBe('complete');
  });
});
