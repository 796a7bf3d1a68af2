import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../capture/events';
import { ANALYSIS_VERSION } from '../insights/summary';
import { clearAll, deleteCalls, openCaptureDb, putCalls, writeBatch } from './db';
import { applyRetention } from './retention';
import { createService } from './service';
import { allCallSummaries, summariesBetween, summarizeCalls } from './summaries';
import { testCall } from './test-call';

let n = 0;
const tab = { tabId: 3, fromExtensionPage: false };
const page = { tabId: null, fromExtensionPage: true };

const send = (callId: string, t: number): CaptureEvent[] => [
  {
    type: 'start',
    callId,
    pageSessionId: 'p',
    transport: 'fetch',
    method: 'POST',
    url: 'https://chatgpt.com/backend-api/f/conversation',
    pageUrl: 'https://chatgpt.com/',
    requestHeaders: [],
    requestBody: '{"action":"next","model":"auto"}',
    requestBodyEncoding: 'text',
    requestTruncated: false,
    startTime: t,
  },
  {
    type: 'response',
    callId,
    status: 200,
    statusText: 'OK',
    responseHeaders: [['content-type', 'text/event-stream']],
    responseBodyEncoding: 'text',
    headersTime: t + 50,
  },
  { type: 'chunk', callId, seq: 0, time: t + 100, bytes: 20, data: 'data: [DONE]\n\n' },
];
const end = (callId: string, t: number): CaptureEvent => ({
  type: 'end',
  callId,
  endTime: t,
  outcome: 'complete',
  truncated: false,
  bodyBytes: 20,
  chunkCount: 1,
});

describe('turnSummaries store', () => {
  it('upgrades a version 1 database: calls kept, the summaries store added', async () => {
    const name = `sum-${++n}`;
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const calls = db.createObjectStore('calls', { keyPath: 'callId' });
        calls.createIndex('byTime', 'startTime');
        calls.createIndex('byKind', ['kind', 'startTime']);
        calls.createIndex('byPageSession', ['pageSessionId', 'startTime']);
        calls.createIndex('byConversation', ['conversationId', 'startTime']);
        calls.createIndex('byTab', ['tabId', 'startTime']);
        db.createObjectStore('chunks', { keyPath: ['callId', 'seq'] });
      },
    });
    await v1.put('calls', testCall({ callId: 'old', endTime: 9 }));
    v1.close();
    const db = await openCaptureDb(name);
    expect(db.objectStoreNames.contains('turnSummaries')).toBe(true);
    expect(await db.count('calls')).toBe(1);
    expect(await summariesBetween(db)).toEqual([]);
    await summarizeCalls(db, ['old']);
    expect((await summariesBetween(db)).map((s) => [s.callId, s.version])).toEqual([
      ['old', ANALYSIS_VERSION],
    ]);
  });

  it('the background summarizes a send when its end is committed, not before', async () => {
    const db = await openCaptureDb(`sum-${++n}`);
    const service = createService(async () => db);
    const t = Date.parse('2026-11-01T10:00:00Z');
    const batch = (events: CaptureEvent[]) =>
      service.handleBody('capture/batch', { batchId: 'b', events: [JSON.stringify(events)] }, tab);
    expect((await batch(send('s1', t))).ok).toBe(true);
    expect(await summariesBetween(db)).toEqual([]);
    expect((await batch([end('s1', t + 200)])).ok).toBe(true);
    const [s] = await summariesBetween(db);
    // The call summary was written with the call record, in the batch's transaction.
    expect((await allCallSummaries(db))[0]).toMatchObject({
      callId: 's1',
      kind: 'conversation',
      status: 200,
      send: true,
    });
    expect(s).toMatchObject({
      callId: 's1',
      day: '2026-11-01',
      ttfbMs: 100,
      totalMs: 200,
      modelRequested: 'auto',
    });
  });

  it('deleting, clearing and retention delete the summaries with their calls', async () => {
    const db = await openCaptureDb(`sum-${++n}`);
    const day = 86_400_000;
    await putCalls(
      db,
      ['a', 'b', 'c', 'd'].map((id, i) =>
        testCall({ callId: id, startTime: (i + 1) * day, endTime: (i + 1) * day + 5 }),
      ),
      [],
    );
    await summarizeCalls(db, ['a', 'b', 'c', 'd']);
    await deleteCalls(db, ['a']);
    expect((await summariesBetween(db)).map((s) => s.callId)).toEqual(['b', 'c', 'd']);
    await applyRetention(db, { keepDays: 2, keepMegabytes: null, telemetryBodyDays: null }, 5 * day);
    expect((await summariesBetween(db)).map((s) => s.callId)).toEqual(['c', 'd']);
    // Call summaries are written with the calls (putCalls) and go with them too.
    expect((await allCallSummaries(db)).map((c) => c.callId)).toEqual(['c', 'd']);
    await clearAll(db);
    expect(await summariesBetween(db)).toEqual([]);
    expect(await allCallSummaries(db)).toEqual([]);
  });

  it('insights/summarize: only extension pages; imported sends get summaries on request', async () => {
    const db = await openCaptureDb(`sum-${++n}`);
    const service = createService(async () => db);
    await putCalls(
      db,
      [testCall({ callId: 'imp', endTime: 5, importId: 'i1' }), testCall({ callId: 'open' })],
      [],
    );
    expect((await service.handleBody('insights/summarize', { callIds: ['imp'] }, tab)).ok).toBe(false);
    const r = await service.handleBody('insights/summarize', { callIds: ['imp', 'open', 'nope'] }, page);
    expect(r).toEqual({ ok: true, value: { written: 1 } });
    expect((await summariesBetween(db))[0]).toMatchObject({ callId: 'imp', imported: true });
  });
  // Found in review: applying a re-sent batch's events again changes no record, yet its sends are due.
  it('a re-sent batch whose end was committed before the worker stopped still gets its turn summary', async () => {
    const db = await openCaptureDb(`sum-${++n}`);
    const service = createService(async () => db);
    const t = Date.parse('2026-11-01T10:00:00Z');
    const batch = (events: CaptureEvent[]) =>
      service.handleBody('capture/batch', { batchId: 'b', events: [JSON.stringify(events)] }, tab);
    expect((await batch(send('s1', t))).ok).toBe(true);
    // The end's batch commits, then the worker is stopped before summarizeCalls runs (no ack is sent).
    await writeBatch(db, [end('s1', t + 200)], { tabId: 3 });
    expect(await summariesBetween(db)).toEqual([]);
    // The relay re-sends the unacknowledged batch.
    expect((await batch([end('s1', t + 200)])).ok).toBe(true);
    expect((await summariesBetween(db)).map((s) => s.callId)).toEqual(['s1']);
  });
});
