/**
 * A batch re-sent after its commit (the worker stopped before acknowledging it) still gets its sends' turn
 * summaries written, though applying its events again changes no record (found in review).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../capture/events';
import { openCaptureDb, writeBatch } from './db';
import { createService } from './service';
import { summariesBetween } from './summaries';

let n = 0;
const tab = { tabId: 3, fromExtensionPage: false };

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

describe('turn summaries ', () => {
  it('a re-sent batch whose end was committed before the worker stopped still gets its turn summary', async () => {
    const db = await openCaptureDb(`sum-review-${++n}`);
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
