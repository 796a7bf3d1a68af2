import { describe, expect, it } from 'vitest';
import type { StoredCall } from '../store/schema';
import { testCall } from '../store/test-call';
import { compareLatency, latencyStats, percentile } from './latency';
import type { LatRReport } from './types';

const call = (over: Partial<StoredCall> = {}): StoredCall =>
  testCall({ startTime: 1000, headersTime: 1100, endTime: 1800, ...over });

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10], 95)).toBe(10);
    expect(percentile([0, 100], 95)).toBeCloseTo(95, 10);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('latencyStats', () => {
  it('computes a hand-checked case', () => {
    // Content events at 1300, 1400, 1400 (same chunk), 1700: gaps 100, 0, 300.
    const s = latencyStats(call(), [1300, 1400, 1400, 1700]);
    expect(s).toEqual({
      timeToHeadersMs: 100,
      ttftMs: 300,
      totalMs: 800,
      contentEvents: 4,
      generationMs: 400,
      eventsPerSecond: 7.5, // 3 updates after the first, over 0.4 s
      gapP50Ms: 100,
      gapP95Ms: 280, // sorted [0, 100, 300]: rank 1.9 → 100 + 0.9 × 200
      gapP99Ms: 296,
      maxStallMs: 300,
    });
  });

  it('is null where nothing can be measured yet (a live call with no text)', () => {
    const open = call();
    delete open.endTime;
    delete open.headersTime;
    expect(latencyStats(open, [])).toMatchObject({
      timeToHeadersMs: null,
      ttftMs: null,
      totalMs: null,
      contentEvents: 0,
      eventsPerSecond: null,
      gapP50Ms: null,
      maxStallMs: null,
    });
    expect(latencyStats(call(), [1500])).toMatchObject({
      ttftMs: 500,
      generationMs: 0,
      eventsPerSecond: null,
      gapP50Ms: null,
    });
  });
});

describe('compareLatency', () => {
  it('reports measured − reported per lat/r field', () => {
    const report: LatRReport = {
      serverRequestId: 'r',
      model: 'auto',
      countTokens: 5,
      preflightTimeMs: null,
      tsFirstTokenMs: 250,
      tsMedianTokenWithoutFirstMs: 90,
      tsMeanTokenWithoutFirstMs: null,
      tsP95TokenWithoutFirstMs: 300,
      tsP99TokenWithoutFirstMs: null,
      tsMaxTokenTimeMs: null,
      tsMinTokenTimeMs: null,
      tsTotalRequestMs: 850,
    };
    const cmp = compareLatency(latencyStats(call(), [1300, 1400, 1400, 1700]), report, true);
    expect(cmp.guess).toBe(true);
    expect(Object.fromEntries(cmp.rows.map((r) => [r.reportedField, r.difference]))).toEqual({
      ts_first_token_ms: 50,
      count_tokens: -1,
      ts_median_token_without_first_ms: 10,
      ts_p95_token_without_first_ms: -20,
      ts_p99_token_without_first_ms: null,
      ts_total_request_ms: -50,
    });
  });
});
