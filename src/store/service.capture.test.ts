import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../capture/events';
import { allCalls, getChunks, openCaptureDb } from './db';
import { createService } from './service';

let n = 0;
const setup = async () => {
  const db = await openCaptureDb(`service-${++n}`);
  const stored: [number | null, string[]][] = [];
  const service = createService(
    async () => db,
    (tab, ids) => stored.push([tab, ids]),
  );
  return { db, service, stored };
};
const tab = { tabId: 3, fromExtensionPage: false };
const page = { tabId: null, fromExtensionPage: true };

const start: CaptureEvent = {
  type: 'start',
  callId: 'x1',
  pageSessionId: 'p',
  transport: 'fetch',
  method: 'GET',
  url: 'https://chatgpt.com/api/auth/session',
  pageUrl: 'https://chatgpt.com/',
  requestHeaders: [['Authorization', 'Bearer CANARYsvc']],
  requestBody: null,
  requestBodyEncoding: 'text',
  requestTruncated: false,
  startTime: 10,
};
const chunk: CaptureEvent = {
  type: 'chunk',
  callId: 'x1',
  seq: 0,
  time: 11,
  bytes: 30,
  data: '{"accessToken":"CANARYsvc"}',
};

describe('background service', () => {
  it('stores capture batches (bundled JSON strings) from content scripts, redacting again', async () => {
    const { db, service, stored } = await setup();
    const r = await service.handle(
      { name: 'capture/batch', body: { batchId: 'b1', events: [JSON.stringify([start, chunk])] } },
      tab,
    );
    expect(r).toEqual({ ok: true, value: { ok: true, stored: 2, rejected: 0 } });
    const calls = await allCalls(db);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'auth_session', tabId: 3 });
    expect(JSON.stringify([calls, await getChunks(db, 'x1')])).not.toContain('CANARYsvc');
    expect(stored).toEqual([[3, ['x1']]]);
  });

  it('refuses captures that do not come from a tab', async () => {
    const { db, service } = await setup();
    const fromPage = await service.handle(
      { name: 'capture/batch', body: { batchId: 'b', events: [JSON.stringify([start])] } },
      page,
    );
    expect(fromPage.ok).toBe(false);
    expect(await allCalls(db)).toHaveLength(0);
  });

  it('keeps the valid events of a batch and counts the invalid ones, so the batch is never re-sent forever', async () => {
    const { db, service } = await setup();
    const bad = { ...start, callId: 'x2', startTime: -1 };
    const r = await service.handle(
      { name: 'capture/batch', body: { batchId: 'b', events: [JSON.stringify([start, bad]), '{nope'] } },
      tab,
    );
    expect(r).toEqual({ ok: true, value: { ok: true, stored: 1, rejected: 2 } });
    expect((await allCalls(db)).map((c) => c.callId)).toEqual(['x1']);
  });

  it('lets only extension pages delete or clear, and rejects unknown messages with a reason', async () => {
    const { db, service } = await setup();
    await service.handle(
      { name: 'capture/batch', body: { batchId: 'b', events: [JSON.stringify([start])] } },
      tab,
    );
    expect(await service.handle({ name: 'store/clear', body: {} }, tab)).toMatchObject({ ok: false });
    expect(await allCalls(db)).toHaveLength(1);
    expect(await service.handle({ name: 'store/delete', body: { callIds: ['x1'] } }, page)).toMatchObject({
      ok: true,
    });
    expect(await allCalls(db)).toHaveLength(0);
    expect(await service.handle({ name: 'nope', body: {} }, page)).toEqual({
      ok: false,
      error: 'unknown message nope',
    });
    expect(await service.handle('garbage', page)).toEqual({ ok: false, error: 'not a message' });
  });
});
