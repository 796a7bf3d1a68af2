/**
 * Latency of one turn, from what the recorder itself timed (call timings and the arrival time of the chunk
 * that completed each decoded event), and how it compares with what the app reported in lat/r.
 */
import type { DecodedTurn, TurnPhases } from '../protocol/decoded';
import type { StoredCall } from '../store/schema';
import type {
  ComparedMetric,
  LatencyComparison,
  LatencyComparisonRow,
  LatencyStats,
  LatRReport,
  PhaseStats,
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

/**
 * A turn's latency: `latencyStats` from its answer-text events, plus its phases (`phaseStats`) when the
 * decoder timed them. The figures of `latencyStats` do not change with the phases: a turn of an older
 * model (no channels, no reasoning) keeps the same numbers as before.
 */
export function turnLatency(call: StoredCall, decoded: DecodedTurn): LatencyStats {
  const times: number[] = [];
  for (const e of decoded.events) if (e.content) times.push(e.time);
  const stats = latencyStats(call, times);
  if (decoded.phases) stats.phases = phaseStats(call.startTime, decoded.phases);
  return stats;
}

/**
 * The phases of a turn as durations (ms) and offsets from `sendStart` (epoch ms, the send's startTime),
 * from the decoder's phase times (epoch ms, chunk arrival times):
 * - waiting: `ttfbMs` = firstByte − sendStart;
 * - reasoning: `reasoningMs` = reasoningEnd − reasoningStart (first → last thought);
 * - each tool call: `durationMs` = result's last content − call appearing (null without a result);
 * - answer: `answerMs` = end − firstAnswerText (the last event: terminator, or the last data while live);
 * - `firstAnswerTextMs` = firstAnswerText − sendStart (the time to first answer text, next to TTFB).
 */
export function phaseStats(sendStart: number, p: TurnPhases): PhaseStats {
  const since = (t: number | null) => (t === null ? null : t - sendStart);
  const span = (from: number | null, to: number | null) =>
    from === null || to === null ? null : Math.max(0, to - from);
  return {
    ttfbMs: since(p.firstByte),
    firstAnswerTextMs: since(p.firstAnswerText),
    reasoningAtMs: since(p.reasoningStart),
    reasoningMs: span(p.reasoningStart, p.reasoningEnd),
    reportedThoughtSeconds: p.reportedThoughtSeconds,
    tools: p.toolCalls.map((c) => ({
      tool: c.tool,
      callId: c.callId,
      resultId: c.resultId,
      startMs: c.start - sendStart,
      durationMs: span(c.start, c.end),
    })),
    answerMs: span(p.firstAnswerText, p.end),
    endAtMs: since(p.end),
  };
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

const row = (
  metric: ComparedMetric,
  reportedField: string,
  measured: number | null,
  reported: number | null,
): LatencyComparisonRow => ({
  metric,
  reportedField,
  measured,
  reported,
  difference: measured !== null && reported !== null ? measured - reported : null,
});

/**
 * Recorder vs app, side by side: a row per lat/r field when `report` is given (the app times from its own
 * start, before fetch, so small offsets are normal), and a `reasoning` row (ms; ChatGPT's
 * `finished_duration_sec` × 1000) when the turn's phases show reasoning or a reported thought time. Null
 * when there is nothing to compare.
 */
export function compareLatency(stats: LatencyStats, report: LatRReport, guess: boolean): LatencyComparison;
export function compareLatency(
  stats: LatencyStats,
  report: LatRReport | null,
  guess: boolean,
): LatencyComparison | null;
export function compareLatency(
  stats: LatencyStats,
  report: LatRReport | null,
  guess: boolean,
): LatencyComparison | null {
  const rows: LatencyComparisonRow[] = report
    ? COMPARED.map((c) => row(c.metric, c.field, c.measured(stats), c.reported(report)))
    : [];
  const p = stats.phases;
  if (p && (p.reasoningMs !== null || p.reportedThoughtSeconds !== null)) {
    const reported = p.reportedThoughtSeconds === null ? null : p.reportedThoughtSeconds * 1000;
    rows.push(row('reasoning', 'finished_duration_sec', p.reasoningMs, reported));
  }
  if (rows.length === 0) return null;
  return { guess: report ? guess : false, rows };
}
