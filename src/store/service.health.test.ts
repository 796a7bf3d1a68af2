import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../capture/events';
import { getCall, openCaptureDb } from './db';
import { HEALTHY, type StoreHealth } from './health';
import { NO_RETENTION, type RetentionPolicy } from './retention';
import { createService } from './service';

let n = 0;
const tab = { tabId: 3, fromExtensionPage: false };
const page = { tabId: null, fromExtensionPage: true };
const DAY = 86_400_000;
const NOW = 1000 * DAY;

function call(callId: string, startTime: number): CaptureEvent[] {
  return [
    {
      type: 'start',
      callId,
      pageSessionId: 'p',
      transport: 'fetch',
      method: 'GET',
      url: 'https://chatgpt.com/backend-api/me',
      pageUrl: 'https://chatgpt.com/',
      requestHeaders: [],
      requestBody: null,
      requestBodyEncoding: 'text',
      requestTruncated: false,
      startTime,
    },
    {
      type: 'end',
      callId,
      endTime: startTime + 5,
      outcome: 'complete',
      truncated: false,
      bodyBytes: 0,
      chunkCount: 0,
    },
  ];
}

async function setup(opts: { broken?: () => boolean; retention?: RetentionPolicy } = {}) {
  const db = await openCaptureDb(`service-health-${++n}`);
  let health: StoreHealth = HEALTHY;
  const changes: [number | null, string[]][] = [];
  const service = createService(
    async () => {
      if (opts.broken?.()) throw new DOMException('quota reached', 'QuotaExceededError');
      return db;
    },
    (t, ids) => changes.push([t, ids]),
    {
      now: () => NOW,
      retention: async () => opts.retention ?? NO_RETENTION,
      health: {
        async update(change) {
          health = change(health);
        },
      },
    },
  );
  return { db, service, health: () => health, changes };
}

const batch = (batchId: string, events: CaptureEvent[], dropped?: number) => ({
  name: 'capture/batch',
  body: { batchId, events: [JSON.stringify(events)], ...(dropped === undefined ? {} : { dropped }) },
});

describe('background service: health and retention', () => {
  it('reports failing writes with their error, then the recovery; the relay’s drops are counted', async () => {
    let broken = true;
    const s = await setup({ broken: () => broken });
    const failed = await s.service.handle(batch('b1', call('a', NOW - 10), 2), tab);
    expect(failed.ok).toBe(false);
    expect(s.health().failing).toEqual({
      since: NOW,
      count: 1,
      lastError: 'QuotaExceededError: quota reached',
    });
    expect(s.health().dropped).toEqual({ since: NOW, count: 2 });
    broken = false;
    const ok = await s.service.handle(batch('b1', call('a', NOW - 10), 1), tab);
    expect(ok.ok).toBe(true);
    expect(s.health()).toEqual({ failing: null, dropped: { since: NOW, count: 3 }, recoveredAt: NOW });
    expect(await getCall(s.db, 'a')).toBeDefined();
    await s.service.handle({ name: 'health/dismiss', body: {} }, page);
    expect(s.health()).toEqual(HEALTHY);
  });

  it('applies the retention rules on request from an extension page only', async () => {
    const s = await setup({ retention: { keepDays: 30, keepMegabytes: null, telemetryBodyDays: null } });
    await s.service.handle(batch('b1', [...call('old', NOW - 40 * DAY), ...call('new', NOW - DAY)]), tab);
    const refused = await s.service.handle({ name: 'store/retention', body: {} }, tab);
    expect(refused).toEqual({
      ok: false,
      error: 'store/retention: only extension pages may change the store',
    });
    const r = await s.service.handle({ name: 'store/retention', body: {} }, page);
    expect(r).toEqual({ ok: true, value: { deleted: 1, stripped: 0 } });
    expect(await getCall(s.db, 'old')).toBeUndefined();
    expect(await getCall(s.db, 'new')).toBeDefined();
    expect(s.changes.at(-1)).toEqual([null, []]);
  });
});
