/**
 * Latency of one turn, from what the recorder itself timed (call timings and the arrival time of the chunk
 * that completed each decoded event), and how it compares with what the app reported in lat/r.
 */
import type { DecodedTurn } from '../protocol/decoded';
import type { StoredCall } from '../store/schema';
import type {
  ComparedMetric,
  LatencyComparison,
  LatencyComparisonRow,
  LatencyStats,
  LatRReport,
} from './types';

/**
 * Percentile by linear interpolation between closest ranks (numpy's default, "type 7"): the lat/r values
 * (e.g. p95 46.74…) look interpolated, so the same method keeps the two comparable. `sorted` ascending.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === undefined || b === undefined) return null;
  return a + (b - a) * (rank - lo);
}

/** Stats from the call's timings and the times of the content events (ascending as received). */
export function latencyStats(call: StoredCall, contentTimes: readonly number[]): LatencyStats {
  const start = call.startTime;
  const first = contentTimes[0];
  const last = contentTimes.at(-1);
  const gaps: number[] = [];
  for (let i = 1; i < contentTimes.length; i++) {
    const prev = contentTimes[i - 1];
    const cur = contentTimes[i];
    if (prev !== undefined && cur !== undefined) gaps.push(cur - prev);
  }
  gaps.sort((a, b) => a - b);
  const generationMs = first !== undefined && last !== undefined ? last - first : null;
  return {
    timeToHeadersMs: call.headersTime !== undefined ? call.headersTime - start : null,
    ttftMs: first !== undefined ? first - start : null,
    totalMs: call.endTime !== undefined ? call.endTime - start : null,
    contentEvents: contentTimes.length,
    generationMs,
    eventsPerSecond:
      generationMs !== null && generationMs > 0 && contentTimes.length >= 2
        ? (contentTimes.length - 1) / (generationMs / 1000)
        : null,
    gapP50Ms: percentile(gaps, 50),
    gapP95Ms: percentile(gaps, 95),
    gapP99Ms: percentile(gaps, 99),
    maxStallMs: gaps.at(-1) ?? null,
  };
}

export function turnLatency(call: StoredCall, decoded: DecodedTurn): LatencyStats {
  const times: number[] = [];
  for (const e of decoded.events) if (e.content) times.push(e.time);
  return latencyStats(call, times);
}

const COMPARED: readonly {
  metric: ComparedMetric;
  field: string;
  measured: (s: LatencyStats) => number | null;
  reported: (r: LatRReport) => number | null;
}[] = [
  {
    metric: 'ttft',
    field: 'ts_first_token_ms',
    measured: (s) => s.ttftMs,
    reported: (r) => r.tsFirstTokenMs,
  },
  {
    metric: 'contentEvents',
    field: 'count_tokens',
    measured: (s) => s.contentEvents,
    reported: (r) => r.countTokens,
  },
  {
    metric: 'gapP50',
    field: 'ts_median_token_without_first_ms',
    measured: (s) => s.gapP50Ms,
    reported: (r) => r.tsMedianTokenWithoutFirstMs,
  },
  {
    metric: 'gapP95',
    field: 'ts_p95_token_without_first_ms',
    measured: (s) => s.gapP95Ms,
    reported: (r) => r.tsP95TokenWithoutFirstMs,
  },
  {
    metric: 'gapP99',
    field: 'ts_p99_token_without_first_ms',
    measured: (s) => s.gapP99Ms,
    reported: (r) => r.tsP99TokenWithoutFirstMs,
  },
  {
    metric: 'total',
    field: 'ts_total_request_ms',
    measured: (s) => s.totalMs,
    reported: (r) => r.tsTotalRequestMs,
  },
];

/** Recorder vs app, side by side. The app times from its own start (before fetch), so small offsets are normal. */
export function compareLatency(stats: LatencyStats, report: LatRReport, guess: boolean): LatencyComparison {
  const rows: LatencyComparisonRow[] = COMPARED.map((c) => {
    const measured = c.measured(stats);
    const reported = c.reported(report);
    return {
      metric: c.metric,
      reportedField: c.field,
      measured,
      reported,
      difference: measured !== null && reported !== null ? measured - reported : null,
    };
  });
  return { guess, rows };
}
