import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { getCall, getChunks, openCaptureDb, putCalls } from './db';
import { applyRetention, planRetention, storageUsage } from './retention';
import { testCall } from './test-call';

const DAY = 86_400_000;
const NOW = 100 * DAY;
let n = 0;

describe('retention and usage', () => {
  it('plans: older than N days go; the oldest go first past N MB; telemetry bodies are stripped', () => {
    const calls = [
      testCall({ callId: 'old', startTime: NOW - 40 * DAY, endTime: NOW - 40 * DAY + 5 }),
      testCall({ callId: 'mid', startTime: NOW - 10 * DAY, endTime: NOW - 10 * DAY + 5 }),
      testCall({ callId: 'ces', kind: 'ces', startTime: NOW - 8 * DAY, endTime: NOW - 8 * DAY + 5 }),
      testCall({ callId: 'new', startTime: NOW - DAY, endTime: NOW - DAY + 5 }),
      testCall({ callId: 'open', startTime: NOW - 50 * DAY }),
    ];
    const mb = 1024 * 1024;
    const bytes = new Map([
      ['old', mb],
      ['mid', mb],
      ['ces', mb / 2],
      ['new', mb],
      ['open', mb],
    ]);
    expect(
      planRetention(calls, bytes, { keepDays: 30, keepMegabytes: null, telemetryBodyDays: null }, NOW),
    ).toEqual({ deleted: ['old'], stripped: [] });
    // 4.5 MiB stored, 3 allowed: 'old' then 'mid' go (oldest first); the open call stays whatever its age.
    expect(
      planRetention(calls, bytes, { keepDays: null, keepMegabytes: 3, telemetryBodyDays: 7 }, NOW),
    ).toEqual({ deleted: ['old', 'mid'], stripped: ['ces'] });
  });

  it('applies: deletes calls with their chunks, strips telemetry bodies, and reports usage by kind', async () => {
    const db = await openCaptureDb(`retention-${++n}`);
    const calls = [
      testCall({ callId: 'a', startTime: NOW - 40 * DAY, endTime: NOW - 40 * DAY + 1 }),
      testCall({
        callId: 't',
        kind: 'ces',
        requestBody: '{"event":"x"}',
        startTime: NOW - 9 * DAY,
        endTime: NOW - 9 * DAY + 1,
      }),
      testCall({ callId: 'b', startTime: NOW - DAY, endTime: NOW - DAY + 1 }),
    ];
    const chunk = (callId: string) => ({ callId, seq: 0, time: NOW - DAY, bytes: 4, data: 'abcd' });
    await putCalls(
      db,
      calls,
      calls.map((c) => chunk(c.callId)),
    );
    const before = await storageUsage(db);
    expect(before.total.calls).toBe(3);
    expect(before.byKind.ces?.calls).toBe(1);
    expect(before.byKind.conversation?.calls).toBe(2);
    const r = await applyRetention(db, { keepDays: 30, keepMegabytes: null, telemetryBodyDays: 7 }, NOW);
    expect(r).toEqual({ deleted: ['a'], stripped: ['t'] });
    expect(await getCall(db, 'a')).toBeUndefined();
    expect(await getChunks(db, 'a')).toEqual([]);
    expect(await getCall(db, 't')).toMatchObject({ requestBody: null, bodiesDropped: 'retention' });
    expect(await getChunks(db, 't')).toEqual([]);
    expect(await getChunks(db, 'b')).toHaveLength(1);
    const after = await storageUsage(db);
    expect(after.total.calls).toBe(2);
    expect(after.total.bytes).toBeLessThan(before.total.bytes);
    db.close();
  });
});
