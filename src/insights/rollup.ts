/**
 * Daily rollups: what the Insights page draws first, without reading every summary. One row per UTC day ×
 * host × model × kind, kept up to date by the store in the same transaction as the call and turn summaries
 * (src/store/rollups.ts): every put of a summary subtracts the summary it replaces and adds the new one;
 * every delete subtracts. Call rows (model null) count calls, bytes and HTTP errors; turn rows (kind
 * `conversation`, model = `modelOf`) count turns and hold one latency histogram per metric.
 *
 * Histograms are fixed log buckets: HIST_STEPS buckets per doubling (bucket i ≥ 1 holds values in
 * [2^((i-1)/16), 2^(i/16)), bucket 0 holds values below 1). A percentile read from them is approximate:
 * within ±HIST_RELATIVE_ERROR (≈2.2 %) of the exact (linearly interpolated) percentile for values ≥ 1, and
 * within 1 unit below that. The exact figures come from the per-turn summaries, read after the plots.
 */
import { modelOf } from './aggregate';
import type { CallSummary, TurnSummary } from './summary';
import { utcDay } from './summary';

/** Bump when what a rollup row holds or how a summary contributes to it changes: rollups are rebuilt. */
export const ROLLUP_VERSION = 1;

/** Buckets per doubling. */
export const HIST_STEPS = 16;
/** Largest relative error of a histogram percentile for values ≥ 1: half a bucket, geometrically. */
export const HIST_RELATIVE_ERROR = 2 ** (1 / (2 * HIST_STEPS)) - 1;

/** The metrics with a histogram (lat/r's reported first token is joined at read time: details only). */
export const ROLLUP_METRICS = [
  'ttfbMs',
  'thinkingMs',
  'firstAnswerTextMs',
  'answerCharsPerSec',
  'totalMs',
  'reportedThoughtMs',
] as const;
export type RollupMetric = (typeof ROLLUP_METRICS)[number];

/** Sparse histogram: bucket index → count. */
export type Histogram = Record<string, number>;

/** One rollup row. Counts are integers; bytes are the call summaries' (`bytesUp`, `bytesDown`). */
export interface DailyRollup {
  /** JSON of [day, host, model, kind] (the store key). */
  key: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  host: string | null;
  /** `modelOf` the turn for turn rows; null for call rows. */
  model: string | null;
  kind: string;
  calls: number;
  bytesUp: number;
  bytesDown: number;
  s429: number;
  s403: number;
  s5xx: number;
  /** Calls that are ended sends (each should have a turn summary). */
  sends: number;
  turns: number;
  stopped: number;
  failed: number;
  moderated: number;
  /** Per metric, the histogram of the non-failed turns' values. */
  hist: Partial<Record<RollupMetric, Histogram>>;
  /** Turn summaries by the ANALYSIS_VERSION that computed them (is every send summarized by this one?). */
  versions: Record<string, number>;
  /** Drift observations: `${subject}\u0000${name}` → how many calls/turns showed it (request fields, frames…). */
  drift: Record<string, number>;
}

/** The histogram bucket of a value (see the module comment). */
export function bucketOf(v: number): number {
  if (!(v >= 1)) return 0;
  return 1 + Math.floor(Math.log2(v) * HIST_STEPS);
}

/** A bucket's representative value: its geometric middle (0.5 for bucket 0). */
export function bucketValue(i: number): number {
  if (i <= 0) return 0.5;
  return 2 ** ((i - 0.5) / HIST_STEPS);
}

/**
 * A percentile (0–100) from a histogram, interpolating between the closest ranks like `percentile`
 * (src/analysis/latency.ts) with each rank's value taken as its bucket's representative. Approximate: see
 * HIST_RELATIVE_ERROR. null for an empty histogram.
 */
export function histPercentile(h: Histogram, p: number): number | null {
  const entries = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = (p / 100) * (total - 1);
  const at = (r: number) => {
    let seen = 0;
    for (const [i, n] of entries) {
      seen += n;
      if (r < seen) return bucketValue(i);
    }
    return bucketValue(entries.at(-1)?.[0] ?? 0);
  };
  const lo = Math.floor(rank);
  const a = at(lo);
  const b = at(Math.ceil(rank));
  return a + (b - a) * (rank - lo);
}

/** Count of a histogram, and its smallest and largest bucket representatives. */
export function histStats(h: Histogram): { n: number; min: number | null; max: number | null } {
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [k, c] of Object.entries(h)) {
    if (c <= 0) continue;
    n += c;
    lo = Math.min(lo, Number(k));
    hi = Math.max(hi, Number(k));
  }
  return n === 0 ? { n, min: null, max: null } : { n, min: bucketValue(lo), max: bucketValue(hi) };
}

/** Adds `sign` × `from` into `into` (sparse maps; zero entries are removed). */
function addCounts(into: Record<string, number>, from: Record<string, number>, sign: number) {
  for (const [k, n] of Object.entries(from)) {
    const v = (into[k] ?? 0) + sign * n;
    if (v === 0) delete into[k];
    else into[k] = v;
  }
}

/** An empty row for a key. */
export function emptyRollup(
  day: string,
  host: string | null,
  model: string | null,
  kind: string,
): DailyRollup {
  return {
    key: JSON.stringify([day, host, model, kind]),
    day,
    host,
    model,
    kind,
    calls: 0,
    bytesUp: 0,
    bytesDown: 0,
    s429: 0,
    s403: 0,
    s5xx: 0,
    sends: 0,
    turns: 0,
    stopped: 0,
    failed: 0,
    moderated: 0,
    hist: {},
    versions: {},
    drift: {},
  };
}

const COUNTS = [
  'calls',
  'bytesUp',
  'bytesDown',
  's429',
  's403',
  's5xx',
  'sends',
  'turns',
  'stopped',
  'failed',
  'moderated',
] as const;

/** Adds `sign` (1 or -1) × `delta` into `row` (same key). Mutates and returns `row`. */
export function mergeRollup(row: DailyRollup, delta: DailyRollup, sign: number): DailyRollup {
  for (const k of COUNTS) row[k] += sign * delta[k];
  for (const m of ROLLUP_METRICS) {
    const d = delta.hist[m];
    if (!d) continue;
    const h = row.hist[m] ?? {};
    addCounts(h, d, sign);
    if (Object.keys(h).length > 0) row.hist[m] = h;
    else delete row.hist[m];
  }
  addCounts(row.versions, delta.versions, sign);
  addCounts(row.drift, delta.drift, sign);
  return row;
}

/** True when a row counts nothing (it can be deleted). */
export function isEmptyRollup(row: DailyRollup): boolean {
  return (
    COUNTS.every((k) => row[k] === 0) &&
    Object.keys(row.hist).length === 0 &&
    Object.keys(row.versions).length === 0 &&
    Object.keys(row.drift).length === 0
  );
}

/** What one call summary adds to its row (day of its start, its host, model null, its kind). */
export function callRollup(c: CallSummary): DailyRollup {
  const r = emptyRollup(utcDay(c.startTime), c.host, null, c.kind);
  r.calls = 1;
  r.bytesUp = c.bytesUp;
  r.bytesDown = c.bytesDown;
  const s = c.status;
  if (s === 429) r.s429 = 1;
  else if (s === 403) r.s403 = 1;
  else if (s !== null && s >= 500 && s <= 599) r.s5xx = 1;
  if (c.send) r.sends = 1;
  for (const f of c.fields) r.drift[`request field\u0000${f}`] = 1;
  return r;
}

/** A turn's value of a rollup metric (as `metricValue`: failed turns have none). */
export function rollupMetricValue(t: TurnSummary, m: RollupMetric): number | null {
  if (t.failed) return null;
  if (m === 'reportedThoughtMs')
    return t.reportedThoughtSeconds === null ? null : t.reportedThoughtSeconds * 1000;
  return t[m];
}

/** What one turn summary adds to its row (its day, host, `modelOf`, kind `conversation`). */
export function turnRollup(t: TurnSummary): DailyRollup {
  const r = emptyRollup(t.day, t.host, modelOf(t), 'conversation');
  r.turns = 1;
  r.versions[t.version] = 1;
  if (t.stopped) r.stopped = 1;
  if (t.failed) r.failed = 1;
  if (t.moderationFlagged || t.moderationBlocked) r.moderated = 1;
  for (const m of ROLLUP_METRICS) {
    const v = rollupMetricValue(t, m);
    if (v !== null) r.hist[m] = { [bucketOf(v)]: 1 };
  }
  r.drift[`format\u0000${t.format}`] = 1;
  for (const f of t.frameLabels) r.drift[`frame\u0000${f}`] = 1;
  for (const f of t.unknownFrames) r.drift[`flag\u0000${f}`] = 1;
  return r;
}

/**
 * Accumulates contributions in memory during one transaction (so that concurrent requests never read and
 * write the same row twice): `add(row, ±1)`, then the store merges each into its stored row once.
 */
export class RollupDelta {
  readonly rows = new Map<string, DailyRollup>();

  /** Adds `sign` × a contribution (from `callRollup` / `turnRollup`). */
  add(contribution: DailyRollup, sign: 1 | -1): void {
    let row = this.rows.get(contribution.key);
    if (!row) {
      row = emptyRollup(contribution.day, contribution.host, contribution.model, contribution.kind);
      this.rows.set(row.key, row);
    }
    mergeRollup(row, contribution, sign);
  }

  /** Replaces `old` (may be undefined) by `next` (may be undefined) of one call summary. */
  call(old: CallSummary | undefined, next: CallSummary | undefined): void {
    if (old) this.add(callRollup(old), -1);
    if (next) this.add(callRollup(next), 1);
  }

  /** Replaces `old` by `next` of one turn summary. */
  turn(old: TurnSummary | undefined, next: TurnSummary | undefined): void {
    if (old) this.add(turnRollup(old), -1);
    if (next) this.add(turnRollup(next), 1);
  }
}
