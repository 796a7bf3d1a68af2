/**
 * Insights' aggregates: pure functions over turn summaries (src/insights/summary.ts) and call records (no
 * chunks). Days are UTC calendar days (`YYYY-MM-DD`, `utcDay`); percentiles interpolate linearly between
 * closest ranks (numpy's default: `percentile` in src/analysis/latency.ts).
 */
import { percentile } from '../analysis/latency';
import type { LatRReport } from '../analysis/types';
import { type CallSummary, type TurnSummary, utcDay } from './summary';

/** A turn summary with what ChatGPT reported for it in lat/r (joined on read by request id). */
export interface InsightTurn extends TurnSummary {
  /** lat/r `ts_first_token_ms`, ms; null without a linked lat/r report. */
  reportedFirstTokenMs: number | null;
  /** lat/r `ts_total_request_ms`, ms. */
  reportedTotalMs: number | null;
}

/** A lat/r report with the time it was posted. */
export interface TimedLatR {
  startTime: number;
  report: LatRReport;
}

/**
 * Joins lat/r reports to turns by `server_request_id` (one of the turn's `requestIds`). Turns without a
 * matching report get nulls: no guessing by time here (the detail view shows its guesses, flagged).
 */
export function joinReported(turns: readonly TurnSummary[], latRs: readonly TimedLatR[]): InsightTurn[] {
  const byId = new Map<string, LatRReport>();
  for (const l of latRs) if (l.report.serverRequestId) byId.set(l.report.serverRequestId, l.report);
  return turns.map((t) => {
    const r = t.requestIds.map((id) => byId.get(id)).find((x) => x !== undefined);
    return {
      ...t,
      reportedFirstTokenMs: r?.tsFirstTokenMs ?? null,
      reportedTotalMs: r?.tsTotalRequestMs ?? null,
    };
  });
}

/** The model a turn is counted under: the one that answered, else the one asked for, else `unknown`. */
export function modelOf(t: Pick<TurnSummary, 'modelResolved' | 'modelRequested'>): string {
  return t.modelResolved ?? t.modelRequested ?? 'unknown';
}

/** What Insights filters by. Dates are UTC days, inclusive; null: no bound / every host / every model. */
export interface InsightsFilter {
  fromDay: string | null;
  toDay: string | null;
  host: string | null;
  model: string | null;
}

export const NO_FILTER: InsightsFilter = { fromDay: null, toDay: null, host: null, model: null };

/** Turns inside the filter. */
export function filterTurns<T extends TurnSummary>(turns: readonly T[], f: InsightsFilter): T[] {
  return turns.filter(
    (t) =>
      (f.fromDay === null || t.day >= f.fromDay) &&
      (f.toDay === null || t.day <= f.toDay) &&
      (f.host === null || t.host === f.host) &&
      (f.model === null || modelOf(t) === f.model),
  );
}

/** Calls inside the filter's days and host (calls have no model). */
export function filterCalls<T extends Pick<CallSummary, 'startTime' | 'host'>>(
  calls: readonly T[],
  f: InsightsFilter,
): T[] {
  if (f.fromDay === null && f.toDay === null && f.host === null) return [...calls];
  const from = f.fromDay === null ? -Infinity : Date.parse(`${f.fromDay}T00:00:00Z`);
  const to = f.toDay === null ? Infinity : Date.parse(`${f.toDay}T00:00:00Z`) + 86_400_000;
  return calls.filter(
    (c) => c.startTime >= from && c.startTime < to && (f.host === null || c.host === f.host),
  );
}

/** The latency metrics Insights plots, with their unit. */
export const LATENCY_METRICS = [
  { key: 'ttfbMs', label: 'Time to first byte', unit: 'ms' },
  { key: 'thinkingMs', label: 'Thinking time', unit: 'ms' },
  { key: 'firstAnswerTextMs', label: 'Time to first answer text', unit: 'ms' },
  { key: 'answerCharsPerSec', label: 'Answer rate', unit: 'chars/s' },
  { key: 'totalMs', label: 'Total turn time', unit: 'ms' },
  { key: 'reportedFirstTokenMs', label: 'Reported first token (lat/r)', unit: 'ms' },
  { key: 'reportedThoughtMs', label: 'Reported "Thought for N s"', unit: 'ms' },
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number]['key'];

/**
 * A metric's value for a turn (null: not measured). `reportedThoughtMs` is the reported seconds × 1000.
 * Failed turns (HTTP ≥ 400, errors) have no latency: a 429 answered in 11 ms is not a fast turn.
 */
export function metricValue(t: InsightTurn, m: LatencyMetric): number | null {
  if (t.failed) return null;
  if (m === 'reportedThoughtMs')
    return t.reportedThoughtSeconds === null ? null : t.reportedThoughtSeconds * 1000;
  return t[m];
}

/** Summary statistics of one set of values. */
export interface Distribution {
  n: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** n, min, p50, p95, max of `values` (any order). */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? null,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? null,
  };
}

/** One metric's distribution per model (models sorted by name). */
export function distributionByModel(
  turns: readonly InsightTurn[],
  m: LatencyMetric,
): { model: string; dist: Distribution }[] {
  const byModel = new Map<string, number[]>();
  for (const t of turns) {
    const v = metricValue(t, m);
    if (v === null) continue;
    const model = modelOf(t);
    const list = byModel.get(model);
    if (list) list.push(v);
    else byModel.set(model, [v]);
  }
  return [...byModel.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([model, values]) => ({ model, dist: distribution(values) }));
}

/** p50/p95 of one metric for one (UTC) day and model. */
export interface DailyPercentiles {
  day: string;
  model: string;
  n: number;
  p50: number | null;
  p95: number | null;
}

/** Daily p50/p95 of a metric per model, sorted by day then model; turns without the metric left out. */
export function dailyPercentiles(turns: readonly InsightTurn[], m: LatencyMetric): DailyPercentiles[] {
  const groups = new Map<string, { day: string; model: string; values: number[] }>();
  for (const t of turns) {
    const v = metricValue(t, m);
    if (v === null) continue;
    const model = modelOf(t);
    const key = `${t.day}\u0000${model}`;
    const g = groups.get(key);
    if (g) g.values.push(v);
    else groups.set(key, { day: t.day, model, values: [v] });
  }
  return [...groups.values()]
    .map((g) => {
      const d = distribution(g.values);
      return { day: g.day, model: g.model, n: d.n, p50: d.p50, p95: d.p95 };
    })
    .sort((a, b) => (a.day === b.day ? (a.model < b.model ? -1 : 1) : a.day < b.day ? -1 : 1));
}

/** Turns per UTC day, with how many stopped, failed or were flagged by moderation. */
export interface TurnDay {
  day: string;
  turns: number;
  stopped: number;
  failed: number;
  moderated: number;
}

export function turnsPerDay(turns: readonly TurnSummary[]): TurnDay[] {
  const days = new Map<string, TurnDay>();
  for (const t of turns) {
    let d = days.get(t.day);
    if (!d) {
      d = { day: t.day, turns: 0, stopped: 0, failed: 0, moderated: 0 };
      days.set(t.day, d);
    }
    d.turns++;
    if (t.stopped) d.stopped++;
    if (t.failed) d.failed++;
    if (t.moderationFlagged || t.moderationBlocked) d.moderated++;
  }
  return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Calls and bytes per UTC day and kind. `bytesDown` is the response bytes the page read (`bodyBytes`). */
export interface KindDay {
  day: string;
  kind: string;
  calls: number;
  bytesUp: number;
  bytesDown: number;
}

export function callVolume(calls: readonly CallSummary[]): KindDay[] {
  const rows = new Map<string, KindDay>();
  for (const c of calls) {
    const day = utcDay(c.startTime);
    const key = `${day}\u0000${c.kind}`;
    let r = rows.get(key);
    if (!r) {
      r = { day, kind: c.kind, calls: 0, bytesUp: 0, bytesDown: 0 };
      rows.set(key, r);
    }
    r.calls++;
    r.bytesUp += c.bytesUp;
    r.bytesDown += c.bytesDown;
  }
  return [...rows.values()].sort((a, b) =>
    a.day === b.day ? (a.kind < b.kind ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
}

/** HTTP errors per UTC day: 429 (rate limited), 403 (forbidden, often a challenge), 5xx. */
export interface ErrorDay {
  day: string;
  s429: number;
  s403: number;
  s5xx: number;
}

export function httpErrorsPerDay(calls: readonly Pick<CallSummary, 'startTime' | 'status'>[]): ErrorDay[] {
  const days = new Map<string, ErrorDay>();
  for (const c of calls) {
    const s = c.status;
    if (s === null || (s !== 429 && s !== 403 && !(s >= 500 && s <= 599))) continue;
    const day = utcDay(c.startTime);
    let d = days.get(day);
    if (!d) {
      d = { day, s429: 0, s403: 0, s5xx: 0 };
      days.set(day, d);
    }
    if (s === 429) d.s429++;
    else if (s === 403) d.s403++;
    else d.s5xx++;
  }
  return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Every UTC day from `first` to `last` inclusive (plots need the empty days too). */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 100_000; t += 86_400_000)
    out.push(utcDay(t));
  return out;
}

/** Per-turn metrics as CSV (RFC 4180: comma separated, quoted where needed, CRLF line ends). */
export function turnsCsv(turns: readonly InsightTurn[]): string {
  const cols = [
    'callId',
    'conversationId',
    'startTime',
    'day',
    'host',
    'modelRequested',
    'modelResolved',
    'httpStatus',
    'outcome',
    'stopped',
    'failed',
    'moderationFlagged',
    'moderationBlocked',
    'ttfbMs',
    'thinkingMs',
    'firstAnswerTextMs',
    'answerMs',
    'answerChars',
    'answerCharsPerSec',
    'totalMs',
    'reportedFirstTokenMs',
    'reportedTotalMs',
    'reportedThoughtSeconds',
  ] as const;
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [cols.join(',')];
  for (const t of turns) lines.push(cols.map((c) => cell(t[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
