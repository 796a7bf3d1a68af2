/**
 * Insights' aggregates computed from daily rollup rows (src/insights/rollup.ts) instead of every summary:
 * the same shapes as src/insights/aggregate.ts and drift.ts, so that the page draws from either. Counts,
 * bytes and drift days are exact; percentiles, min and max come from log-bucket histograms and are
 * approximate (within ±HIST_RELATIVE_ERROR ≈ 2.2 % for values ≥ 1; see rollup.ts). lat/r's reported first
 * token is not rolled up (it is joined to turns at read time): it comes with the details.
 */
import type {
  DailyPercentiles,
  Distribution,
  ErrorDay,
  InsightsFilter,
  KindDay,
  LatencyMetric,
  TurnDay,
} from './aggregate';
import { type DriftObservation, type DriftRow, type DriftSubject, driftTable } from './drift';
import { type DailyRollup, type Histogram, histPercentile, histStats, ROLLUP_METRICS } from './rollup';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows inside the filter: call rows (model null) by day and host; turn rows by day, host and model. */
export function filterRollups(rows: readonly DailyRollup[], f: InsightsFilter): DailyRollup[] {
  return rows.filter(
    (r) =>
      (f.fromDay === null || r.day >= f.fromDay) &&
      (f.toDay === null || r.day <= f.toDay) &&
      (f.host === null || r.host === f.host) &&
      (f.model === null || r.model === null || r.model === f.model),
  );
}

/** Turn rows are those with a model; call rows have none. */
const turnRows = (rows: readonly DailyRollup[]) => rows.filter((r) => r.model !== null);
const callRows = (rows: readonly DailyRollup[]) => rows.filter((r) => r.model === null);

/** Total turns and calls of the rows. */
export function rollupCounts(rows: readonly DailyRollup[]): { turns: number; calls: number } {
  let turns = 0;
  let calls = 0;
  for (const r of rows) {
    turns += r.turns;
    calls += r.calls;
  }
  return { turns, calls };
}

/** First and last UTC day of the rows (null when none). */
export function rollupDaySpan(rows: readonly DailyRollup[]): { first: string; last: string } | null {
  let first: string | null = null;
  let last: string | null = null;
  for (const r of rows) {
    if (first === null || r.day < first) first = r.day;
    if (last === null || r.day > last) last = r.day;
  }
  return first === null || last === null ? null : { first, last };
}

/** Hosts and models of the turn rows, sorted (the filter's choices). */
export function rollupChoices(rows: readonly DailyRollup[]): { hosts: string[]; models: string[] } {
  const t = turnRows(rows);
  return {
    hosts: [...new Set(t.map((r) => r.host).filter((h): h is string => h !== null))].sort(),
    models: [...new Set(t.map((r) => r.model as string))].sort(),
  };
}

function mergeHist(into: Histogram, h: Histogram | undefined) {
  if (!h) return;
  for (const [k, n] of Object.entries(h)) into[k] = (into[k] ?? 0) + n;
}

const isRolled = (m: LatencyMetric): m is (typeof ROLLUP_METRICS)[number] =>
  (ROLLUP_METRICS as readonly string[]).includes(m);

/** Approximate distribution of a histogram (see the module comment). */
function histDistribution(h: Histogram): Distribution {
  const s = histStats(h);
  return { n: s.n, min: s.min, p50: histPercentile(h, 50), p95: histPercentile(h, 95), max: s.max };
}

/** `distributionByModel` from rollups (approximate percentiles, min and max). */
export function rollupDistributionByModel(
  rows: readonly DailyRollup[],
  m: LatencyMetric,
): { model: string; dist: Distribution }[] {
  if (!isRolled(m)) return [];
  const by = new Map<string, Histogram>();
  for (const r of turnRows(rows)) {
    const h = r.hist[m];
    if (!h) continue;
    const model = r.model as string;
    const acc = by.get(model) ?? {};
    mergeHist(acc, h);
    by.set(model, acc);
  }
  return [...by.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([model, h]) => ({ model, dist: histDistribution(h) }))
    .filter((r) => r.dist.n > 0);
}

/** `dailyPercentiles` from rollups (approximate p50/p95, exact n). */
export function rollupDailyPercentiles(rows: readonly DailyRollup[], m: LatencyMetric): DailyPercentiles[] {
  if (!isRolled(m)) return [];
  const groups = new Map<string, { day: string; model: string; h: Histogram }>();
  for (const r of turnRows(rows)) {
    const h = r.hist[m];
    if (!h) continue;
    const model = r.model as string;
    const key = `${r.day}\u0000${model}`;
    const g = groups.get(key) ?? { day: r.day, model, h: {} };
    mergeHist(g.h, h);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const d = histDistribution(g.h);
      return { day: g.day, model: g.model, n: d.n, p50: d.p50, p95: d.p95 };
    })
    .filter((r) => r.n > 0)
    .sort((a, b) => cmp(a.day, b.day) || cmp(a.model, b.model));
}

/** `turnsPerDay` from rollups (exact). */
export function rollupTurnsPerDay(rows: readonly DailyRollup[]): TurnDay[] {
  const days = new Map<string, TurnDay>();
  for (const r of turnRows(rows)) {
    const d = days.get(r.day) ?? { day: r.day, turns: 0, stopped: 0, failed: 0, moderated: 0 };
    d.turns += r.turns;
    d.stopped += r.stopped;
    d.failed += r.failed;
    d.moderated += r.moderated;
    days.set(r.day, d);
  }
  return [...days.values()].filter((d) => d.turns > 0).sort((a, b) => cmp(a.day, b.day));
}

/** `httpErrorsPerDay` from rollups (exact). */
export function rollupErrorsPerDay(rows: readonly DailyRollup[]): ErrorDay[] {
  const days = new Map<string, ErrorDay>();
  for (const r of callRows(rows)) {
    if (r.s429 + r.s403 + r.s5xx === 0) continue;
    const d = days.get(r.day) ?? { day: r.day, s429: 0, s403: 0, s5xx: 0 };
    d.s429 += r.s429;
    d.s403 += r.s403;
    d.s5xx += r.s5xx;
    days.set(r.day, d);
  }
  return [...days.values()].sort((a, b) => cmp(a.day, b.day));
}

/** `callVolume` from rollups (exact). */
export function rollupCallVolume(rows: readonly DailyRollup[]): KindDay[] {
  const out = new Map<string, KindDay>();
  for (const r of callRows(rows)) {
    if (r.calls === 0) continue;
    const key = `${r.day}\u0000${r.kind}`;
    const k = out.get(key) ?? { day: r.day, kind: r.kind, calls: 0, bytesUp: 0, bytesDown: 0 };
    k.calls += r.calls;
    k.bytesUp += r.bytesUp;
    k.bytesDown += r.bytesDown;
    out.set(key, k);
  }
  return [...out.values()].sort((a, b) => cmp(a.day, b.day) || cmp(a.kind, b.kind));
}

/** `driftTable` from rollups (exact: one observation per row day that counted the shape). */
export function rollupDrift(rows: readonly DailyRollup[]): DriftRow[] {
  const obs: DriftObservation[] = [];
  for (const r of rows) {
    for (const [key, n] of Object.entries(r.drift)) {
      if (n <= 0) continue;
      const [subject, name] = key.split('\u0000') as [DriftSubject, string];
      obs.push({ kind: r.kind, subject, name, day: r.day });
    }
  }
  return driftTable(obs);
}
