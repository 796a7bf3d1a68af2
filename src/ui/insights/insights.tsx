/**
 * The Insights page: what all the recorded traffic says, in plots with tables beside them. Draws first from
 * the daily rollups (a few rows per day, src/insights/rollup.ts: counts exact, percentiles approximate from
 * log-bucket histograms), then, once the plots are on screen, reads the details — every call and turn
 * summary and the lat/r reports (src/insights/load.ts), then the telemetry bodies — and redraws with the
 * exact figures. Aggregates in memory as the filter (UTC days, host, model) changes.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  callVolume,
  type DailyPercentiles,
  type Distribution,
  dailyPercentiles,
  daysBetween,
  distributionByModel,
  type ErrorDay,
  filterCalls,
  filterTurns,
  httpErrorsPerDay,
  type InsightsFilter,
  type KindDay,
  LATENCY_METRICS,
  type LatencyMetric,
  modelOf,
  NO_FILTER,
  type TurnDay,
  turnsCsv,
  turnsPerDay,
} from '../../insights/aggregate';
import { type DriftRow, driftObservations, driftTable } from '../../insights/drift';
import { type InsightsData, loadInsights, loadTelemetry } from '../../insights/load';
import { type DailyRollup, HIST_RELATIVE_ERROR } from '../../insights/rollup';
import {
  filterRollups,
  rollupCallVolume,
  rollupChoices,
  rollupCounts,
  rollupDailyPercentiles,
  rollupDaySpan,
  rollupDistributionByModel,
  rollupDrift,
  rollupErrorsPerDay,
  rollupTurnsPerDay,
} from '../../insights/rollup-view';
import { utcDay } from '../../insights/summary';
import { type TelemetryEvent, telemetryTable } from '../../insights/telemetry';
import type { UiClient } from '../client';
import { saveFile } from '../export/download';
import { Chart, type ChartSeries } from './chart';

const dayX = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/** A number for a table cell: integers for ms and counts, one decimal for rates; `–` for none. */
export function fmt(v: number | null | undefined, unit = 'ms'): string {
  if (v === null || v === undefined) return '–';
  if (unit === 'chars/s') return v.toFixed(1);
  return String(Math.round(v));
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const iso = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

/** What the page shows for one filter, from the rollups (approximate percentiles) or the details (exact). */
interface View {
  /** Percentiles, min and max come from histograms (details still loading). */
  approximate: boolean;
  turnCount: number;
  callCount: number;
  /** Every UTC day plotted (a day of margin either side). */
  days: string[];
  distributions: { metric: (typeof LATENCY_METRICS)[number]; model: string; dist: Distribution }[];
  daily: Map<LatencyMetric, DailyPercentiles[]>;
  turnsPerDay: TurnDay[];
  errorsPerDay: ErrorDay[];
  callVolume: KindDay[];
  drift: DriftRow[];
  /** The filtered turns (details only: the CSV). */
  turns: InsightsData['turns'] | null;
}

function span(first: string | null, last: string | null): string[] {
  if (first === null || last === null) return [];
  // A day of margin either side, so that one day of data plots as a day, not as an auto-scaled span.
  const t = (d: string) => Date.parse(`${d}T00:00:00Z`);
  return daysBetween(utcDay(t(first) - 86_400_000), utcDay(t(last) + 86_400_000));
}

function detailView(data: InsightsData, filter: InsightsFilter): View {
  const turns = filterTurns(data.turns, filter);
  // Calls have no model: the model filter narrows turns only.
  const calls = filterCalls(data.calls, filter);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const t of turns) {
    if (t.startTime < lo) lo = t.startTime;
    if (t.startTime > hi) hi = t.startTime;
  }
  for (const c of calls) {
    if (c.startTime < lo) lo = c.startTime;
    if (c.startTime > hi) hi = c.startTime;
  }
  return {
    approximate: false,
    turnCount: turns.length,
    callCount: calls.length,
    days: lo > hi ? [] : span(utcDay(lo), utcDay(hi)),
    distributions: LATENCY_METRICS.flatMap((m) =>
      distributionByModel(turns, m.key).map((r) => ({ metric: m, ...r })),
    ),
    daily: new Map(LATENCY_METRICS.map((m) => [m.key, dailyPercentiles(turns, m.key)])),
    turnsPerDay: turnsPerDay(turns),
    errorsPerDay: httpErrorsPerDay(calls),
    callVolume: callVolume(calls),
    drift: driftTable(driftObservations(calls, turns)),
    turns,
  };
}

function rollupView(all: readonly DailyRollup[], filter: InsightsFilter): View {
  const rows = filterRollups(all, filter);
  const counts = rollupCounts(rows);
  const s = rollupDaySpan(rows);
  return {
    approximate: true,
    turnCount: counts.turns,
    callCount: counts.calls,
    days: span(s?.first ?? null, s?.last ?? null),
    distributions: LATENCY_METRICS.flatMap((m) =>
      rollupDistributionByModel(rows, m.key).map((r) => ({ metric: m, ...r })),
    ),
    daily: new Map(LATENCY_METRICS.map((m) => [m.key, rollupDailyPercentiles(rows, m.key)])),
    turnsPerDay: rollupTurnsPerDay(rows),
    errorsPerDay: rollupErrorsPerDay(rows),
    callVolume: rollupCallVolume(rows),
    drift: rollupDrift(rows),
    turns: null,
  };
}

const APPROX = `approximate until the details load: log-bucket histograms, within ±${(HIST_RELATIVE_ERROR * 100).toFixed(1)} %`;

/**
 * The page. Reads the rollups first (when they cover every call and send) and draws from them; the
 * details are read after the plots are on screen. Without complete rollups (calls recorded or imported
 * before summaries existed), summarizes first, with progress, and draws from the details.
 */
export function InsightsView({ client }: { client: UiClient }) {
  const [rollups, setRollups] = useState<DailyRollup[] | null>(null);
  const [data, setData] = useState<InsightsData | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<InsightsFilter>(NO_FILTER);

  useEffect(() => {
    let alive = true;
    const fail = (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err));
    // Plots draw in effects after the render: the frame after it has them on screen (the bench's mark).
    const afterDraw = (then: () => void) =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          performance.mark('cfr:insights-drawn');
          then();
        }, 0),
      );
    const details = (first: boolean) =>
      loadInsights(client, (done, total) => alive && setProgress({ done, total })).then((d) => {
        if (!alive) return;
        performance.mark('cfr:insights-read');
        setData(d);
        setProgress(null);
        if (first) afterDraw(() => undefined);
      }, fail);
    (client.rollups ? client.rollups() : Promise.resolve(null)).then((snap) => {
      if (!alive) return;
      if (!snap?.complete) return details(true);
      performance.mark('cfr:insights-rollups-read');
      setRollups(snap.rows);
      afterDraw(() => alive && details(false));
      return undefined;
    }, fail);
    return () => {
      alive = false;
    };
  }, [client]);

  if (error)
    return (
      <p class="ins-error" role="alert">
        Could not read the store: {error}
      </p>
    );
  if (!data && !rollups)
    return (
      <p class="ins-loading" role="status">
        {progress
          ? `Summarizing turns recorded before: ${progress.done} of ${progress.total}…`
          : 'Reading the store…'}
      </p>
    );
  return <InsightsBody data={data} rollups={rollups} filter={filter} setFilter={setFilter} client={client} />;
}

function InsightsBody({
  data,
  rollups,
  filter,
  setFilter,
  client,
}: {
  data: InsightsData | null;
  rollups: DailyRollup[] | null;
  filter: InsightsFilter;
  setFilter: (f: InsightsFilter) => void;
  client: UiClient;
}) {
  // Telemetry bodies are read after the details: they are the largest part of what Insights reads.
  const [events, setEvents] = useState<TelemetryEvent[] | null>(null);
  const haveDetails = data !== null;
  useEffect(() => {
    if (!haveDetails) return;
    let alive = true;
    const t = setTimeout(() => {
      loadTelemetry(client).then(
        (e) => alive && setEvents(e),
        () => alive && setEvents([]),
      );
    }, 0);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [client, haveDetails]);
  const choices = useMemo(() => {
    if (data)
      return {
        hosts: [...new Set(data.turns.map((t) => t.host).filter((h): h is string => h !== null))].sort(),
        models: [...new Set(data.turns.map(modelOf))].sort(),
      };
    return rollupChoices(rollups ?? []);
  }, [data, rollups]);
  const { hosts, models } = choices;
  const view = useMemo(
    () => (data ? detailView(data, filter) : rollupView(rollups ?? [], filter)),
    [data, rollups, filter],
  );
  const telemetry = useMemo(
    () =>
      (events ?? []).filter((e) => {
        const day = utcDay(e.time);
        return (
          (filter.fromDay === null || day >= filter.fromDay) && (filter.toDay === null || day <= filter.toDay)
        );
      }),
    [events, filter],
  );
  const allDays = view.days;
  const x = useMemo(() => allDays.map(dayX), [allDays]);

  const download = () => view.turns && saveFile([turnsCsv(view.turns)], 'text/csv', 'chatgpt-turns.csv');

  return (
    <main class="insights">
      <header class="ins-header">
        <h1>Insights</h1>
        <p class="ins-counts" data-testid="ins-counts">
          {view.turnCount} turns, {view.callCount} calls
          {allDays.length > 2 && ` · ${allDays[1]} to ${allDays.at(-2)} (UTC days)`}
        </p>
        {!data && (
          <p class="ins-loading" role="status" data-testid="ins-details-status">
            Loading details… (percentiles {APPROX})
          </p>
        )}
        <button
          type="button"
          class="btn"
          onClick={download}
          disabled={!view.turns || view.turns.length === 0}
        >
          Download per-turn metrics (CSV)
        </button>
      </header>
      <form class="ins-filter" onSubmit={(e) => e.preventDefault()} aria-label="Filter">
        <label>
          From
          <input
            type="date"
            value={filter.fromDay ?? ''}
            onInput={(e) => setFilter({ ...filter, fromDay: e.currentTarget.value || null })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={filter.toDay ?? ''}
            onInput={(e) => setFilter({ ...filter, toDay: e.currentTarget.value || null })}
          />
        </label>
        <label>
          Host
          <select
            value={filter.host ?? ''}
            onChange={(e) => setFilter({ ...filter, host: e.currentTarget.value || null })}
          >
            <option value="">All hosts</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select
            value={filter.model ?? ''}
            onChange={(e) => setFilter({ ...filter, model: e.currentTarget.value || null })}
          >
            <option value="">All models</option>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </form>

      <section aria-labelledby="ins-latency">
        <h2 id="ins-latency">Latency</h2>
        <DistributionTable rows={view.distributions} approximate={view.approximate} />
        <div class="ins-grid">
          {LATENCY_METRICS.map((m) => (
            <LatencyChart
              key={m.key}
              metric={m.key}
              label={m.label}
              unit={m.unit}
              rows={view.daily.get(m.key) ?? []}
              approximate={view.approximate}
              days={allDays}
              x={x}
            />
          ))}
        </div>
      </section>

      <section aria-labelledby="ins-volume">
        <h2 id="ins-volume">Volume and errors</h2>
        <div class="ins-grid">
          <TurnsChart rows={view.turnsPerDay} days={allDays} x={x} />
          <ErrorsChart rows={view.errorsPerDay} days={allDays} x={x} />
          <CallsChart rows={view.callVolume} days={allDays} x={x} />
        </div>
        <KindTable volume={view.callVolume} />
      </section>

      <section aria-labelledby="ins-telemetry">
        <h2 id="ins-telemetry">Telemetry: what ChatGPT reports about your session</h2>
        {events === null ? (
          <p class="ins-loading" role="status">
            Reading telemetry bodies…
          </p>
        ) : (
          <TelemetryTable rows={telemetryTable(telemetry)} />
        )}
      </section>

      <section aria-labelledby="ins-drift">
        <h2 id="ins-drift">Protocol drift</h2>
        <DriftTable rows={view.drift} />
      </section>
    </main>
  );
}

function DistributionTable({ rows, approximate }: { rows: View['distributions']; approximate: boolean }) {
  return (
    <table class="ins-table" data-testid="ins-distributions" data-approximate={approximate}>
      <caption>
        Distributions per model (percentiles: linear interpolation between closest ranks
        {approximate ? `; ${APPROX}` : ''})
      </caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Model</th>
          <th scope="col">n</th>
          <th scope="col">min</th>
          <th scope="col">p50</th>
          <th scope="col">p95</th>
          <th scope="col">max</th>
          <th scope="col">Unit</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.metric.key}-${r.model}`} data-metric={r.metric.key} data-model={r.model}>
            <th scope="row">{r.metric.label}</th>
            <td>{r.model}</td>
            <td>{r.dist.n}</td>
            <td>{fmt(r.dist.min, r.metric.unit)}</td>
            <td>{fmt(r.dist.p50, r.metric.unit)}</td>
            <td>{fmt(r.dist.p95, r.metric.unit)}</td>
            <td>{fmt(r.dist.max, r.metric.unit)}</td>
            <td>{r.metric.unit}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LatencyChart(props: {
  metric: LatencyMetric;
  label: string;
  unit: string;
  rows: DailyPercentiles[];
  approximate: boolean;
  days: string[];
  x: number[];
}) {
  const { metric, label, unit, rows, approximate, days, x } = props;
  const series = useMemo(() => {
    const models = [...new Set(rows.map((r) => r.model))].sort();
    const index = new Map(days.map((d, i) => [d, i]));
    const out: ChartSeries[] = [];
    models.forEach((model) => {
      const p50: (number | null)[] = days.map(() => null);
      const p95: (number | null)[] = days.map(() => null);
      for (const r of rows) {
        if (r.model !== model) continue;
        const i = index.get(r.day);
        if (i === undefined) continue;
        p50[i] = r.p50;
        p95[i] = r.p95;
      }
      const color = `--ins-${out.length / 2}`;
      out.push({ label: `${model} p50`, values: p50, color });
      out.push({ label: `${model} p95`, values: p95, color, dash: true });
    });
    return out;
  }, [rows, days]);
  return (
    <Chart
      title={`${label}, daily p50/p95 (${unit})`}
      x={x}
      series={series}
      unit={unit}
      table={
        <DataTable
          testId={`ins-daily-${metric}`}
          caption={approximate ? `Percentiles ${APPROX}` : undefined}
          rows={rows}
          rowKey={(r) => `${r.day}-${r.model}`}
          columns={[
            ['Day (UTC)', (r) => r.day],
            ['Model', (r) => r.model],
            ['n', (r) => r.n],
            ['p50', (r) => fmt(r.p50, unit)],
            ['p95', (r) => fmt(r.p95, unit)],
          ]}
        />
      }
    />
  );
}

function TurnsChart({ rows, days, x }: { rows: TurnDay[]; days: string[]; x: number[] }) {
  const series = useMemo(() => {
    const by = new Map(rows.map((r) => [r.day, r]));
    const col = (k: 'turns' | 'stopped' | 'failed' | 'moderated') => days.map((d) => by.get(d)?.[k] ?? 0);
    return [
      { label: 'turns', values: col('turns') },
      { label: 'stopped', values: col('stopped'), color: '--warn' },
      { label: 'failed', values: col('failed'), color: '--danger' },
      { label: 'moderation flags', values: col('moderated'), color: '--ph-reasoning' },
    ];
  }, [rows, days]);
  return (
    <Chart
      title="Turns per day"
      x={x}
      series={series}
      unit="turns"
      bars
      table={
        <DataTable
          testId="ins-turns-per-day"
          rows={rows}
          rowKey={(r) => r.day}
          columns={[
            ['Day (UTC)', (r) => r.day],
            ['Turns', (r) => r.turns],
            ['Stopped', (r) => r.stopped],
            ['Failed', (r) => r.failed],
            ['Moderation flags', (r) => r.moderated],
          ]}
        />
      }
    />
  );
}

function ErrorsChart({ rows, days, x }: { rows: ErrorDay[]; days: string[]; x: number[] }) {
  const series = useMemo(() => {
    const by = new Map(rows.map((r) => [r.day, r]));
    const col = (k: 's429' | 's403' | 's5xx') => days.map((d) => by.get(d)?.[k] ?? 0);
    return [
      { label: '429', values: col('s429'), color: '--warn' },
      { label: '403', values: col('s403'), color: '--ph-tool' },
      { label: '5xx', values: col('s5xx'), color: '--danger' },
    ];
  }, [rows, days]);
  return (
    <Chart
      title="HTTP errors per day"
      x={x}
      series={series}
      unit="calls"
      bars
      table={
        <DataTable
          testId="ins-errors-per-day"
          rows={rows}
          rowKey={(r) => r.day}
          columns={[
            ['Day (UTC)', (r) => r.day],
            ['429', (r) => r.s429],
            ['403', (r) => r.s403],
            ['5xx', (r) => r.s5xx],
          ]}
        />
      }
    />
  );
}

function CallsChart({ rows, days, x }: { rows: KindDay[]; days: string[]; x: number[] }) {
  const series = useMemo(() => {
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r.kind, (totals.get(r.kind) ?? 0) + r.calls);
    const kinds = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
    const index = new Map(days.map((d, i) => [d, i]));
    return kinds.slice(0, 8).map((kind) => {
      const values = days.map(() => 0);
      for (const r of rows) {
        if (r.kind !== kind) continue;
        const i = index.get(r.day);
        if (i !== undefined) values[i] = r.calls;
      }
      return { label: kind, values, color: `--k-${kind}` };
    });
  }, [rows, days]);
  return (
    <Chart
      title="Calls per day, by kind"
      x={x}
      series={series}
      unit="calls"
      table={
        <DataTable
          testId="ins-calls-per-day"
          rows={rows}
          rowKey={(r) => `${r.day}-${r.kind}`}
          columns={[
            ['Day (UTC)', (r) => r.day],
            ['Kind', (r) => r.kind],
            ['Calls', (r) => r.calls],
            ['Bytes up', (r) => r.bytesUp],
            ['Bytes down', (r) => r.bytesDown],
          ]}
        />
      }
    />
  );
}

function KindTable({ volume }: { volume: KindDay[] }) {
  const rows = useMemo(() => {
    const by = new Map<string, { kind: string; calls: number; up: number; down: number }>();
    for (const r of volume) {
      const t = by.get(r.kind) ?? { kind: r.kind, calls: 0, up: 0, down: 0 };
      t.calls += r.calls;
      t.up += r.bytesUp;
      t.down += r.bytesDown;
      by.set(r.kind, t);
    }
    return [...by.values()].sort((a, b) => b.calls - a.calls);
  }, [volume]);
  return (
    <table class="ins-table" data-testid="ins-kinds">
      <caption>Calls and bytes per kind (up: request bodies; down: response bytes read)</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Calls</th>
          <th scope="col">Up</th>
          <th scope="col">Down</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.kind} data-kind={r.kind}>
            <th scope="row">{r.kind}</th>
            <td>{r.calls}</td>
            <td>{fmtBytes(r.up)}</td>
            <td>{fmtBytes(r.down)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TelemetryTable({ rows }: { rows: ReturnType<typeof telemetryTable> }) {
  if (rows.length === 0) return <p class="ins-empty">No telemetry recorded in this range.</p>;
  return (
    <table class="ins-table" data-testid="ins-telemetry">
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Event</th>
          <th scope="col">Count</th>
          <th scope="col">First seen (UTC)</th>
          <th scope="col">Last seen (UTC)</th>
          <th scope="col">Bytes</th>
          <th scope="col">Sample</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 500).map((r) => (
          <tr key={`${r.source}-${r.name}`} data-event={r.name}>
            <td>{r.source}</td>
            <th scope="row">{r.name}</th>
            <td>{r.count}</td>
            <td>{iso(r.firstSeen)}</td>
            <td>{iso(r.lastSeen)}</td>
            <td>{r.bytes}</td>
            <td>
              <details>
                <summary>payload</summary>
                <pre class="ins-sample">{JSON.stringify(r.sample, null, 2)?.slice(0, 4000)}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DriftTable({ rows }: { rows: DriftRow[] }) {
  if (rows.length === 0) return <p class="ins-empty">No shapes observed in this range.</p>;
  return (
    <table class="ins-table" data-testid="ins-drift">
      <caption>Request fields per kind and stream frame types, with the first UTC day each was seen</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">What</th>
          <th scope="col">Name</th>
          <th scope="col">First seen</th>
          <th scope="col">Last seen</th>
          <th scope="col">Days</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 1000).map((r) => (
          <tr key={`${r.kind}-${r.subject}-${r.name}`}>
            <td>{r.kind}</td>
            <td>{r.subject}</td>
            <th scope="row">{r.name}</th>
            <td>{r.firstDay}</td>
            <td>{r.lastDay}</td>
            <td>{r.days}</td>
            <td>
              {[r.appeared ? 'appeared' : '', r.vanished ? 'vanished' : ''].filter(Boolean).join(', ') || '–'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A plot's table alternative (accessible, copyable): one header cell per column, one row per record, each
 * cell rendered by its column's function.
 */
function DataTable<R>({
  testId,
  caption,
  rows,
  rowKey,
  columns,
}: {
  testId: string;
  caption?: string | undefined;
  rows: readonly R[];
  rowKey: (r: R) => string;
  columns: [string, (r: R) => ComponentChildren][];
}) {
  return (
    <table class="ins-table" data-testid={testId}>
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map(([name]) => (
            <th key={name} scope="col">
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map(([name, cell]) => (
              <td key={name}>{cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
