/**
 * Export at scale, in Node (no browser): 100,000 calls exported to each format with the extension's own
 * time-sliced exporter and its default Slicer (real clock, ~8 ms slices), yielding to the event loop
 * between slices as the popup does, RUNS times per format (the formats interleaved). The longest
 * main-thread task is the longest uninterrupted stretch of work: one `gen.next()` step of the export
 * generator (between two yields the exporter never gives the event loop a turn). It includes whatever V8
 * does on the main thread meanwhile: on a loaded 2-core machine an incremental-marking step of a ~1 GB heap
 * was seen to take 100-130 ms (`--trace-gc`), hence several runs. Then the converter (scripts/convert.ts)
 * reads a 100,000-call JSON export and writes Parquet and OTLP, and its throughput in calls/s is reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from '../scripts/convert';
import { type CaptureSource, type ExportFormat, exportCaptures, exportToText, Slicer } from '../src/export';
import { syntheticCaptures } from '../src/export/test-data';

export const CALLS = 100_000;
/** Exports per format. */
export const EXPORT_RUNS = 3;

export interface ExportBenchRow {
  format: ExportFormat;
  shareSafe: boolean;
  totalMs: number;
  /** Longest uninterrupted step, wall-clock ms (includes time the OS gave other processes). */
  longestTaskMs: number;
  /** The same step's CPU time of the whole process, ms (V8's GC and compiler threads included). */
  longestTaskCpuMs: number;
  /** Phase of the last progress event before the longest step (what the step was doing). */
  longestTaskPhase: string;
  /** 99th percentile of the steps, wall-clock ms: what a user meets, GC pauses and contention aside. */
  p99TaskMs: number;
  slices: number;
  progressEvents: number;
  bytes: number;
}

export interface ExportBench {
  /** Per format (and share-safe), its EXPORT_RUNS runs. */
  rows: ExportBenchRow[][];
  converter: { to: 'parquet' | 'otlp'; calls: number; ms: number; callsPerSecond: number }[];
}

async function timedExport(
  source: CaptureSource,
  format: ExportFormat,
  shareSafe: boolean,
): Promise<ExportBenchRow> {
  const slicer = new Slicer();
  const gen = exportCaptures(source, { format, shareSafe, scope: { label: 'bench', callIds: null }, slicer });
  let longest = 0;
  let longestCpu = 0;
  let longestPhase = '';
  let phase = 'start';
  const steps: number[] = [];
  let progressEvents = 0;
  const t0 = performance.now();
  for (;;) {
    const s = performance.now();
    const c = process.cpuUsage();
    const step = await gen.next();
    const wall = performance.now() - s;
    const cpu = process.cpuUsage(c);
    steps.push(wall);
    if (wall > longest) {
      longest = wall;
      longestCpu = (cpu.user + cpu.system) / 1000;
      longestPhase = phase;
    }
    if (step.done) {
      const bytes = step.value.parts.reduce(
        (n, p) => n + (typeof p === 'string' ? p.length : p.byteLength),
        0,
      );
      return {
        format,
        shareSafe,
        totalMs: performance.now() - t0,
        longestTaskMs: longest,
        longestTaskCpuMs: longestCpu,
        longestTaskPhase: longestPhase,
        p99TaskMs: [...steps].sort((a, b) => a - b)[Math.floor(0.99 * (steps.length - 1))] ?? 0,
        slices: slicer.slices.length,
        progressEvents,
        bytes,
      };
    }
    progressEvents++;
    phase = step.value.phase;
  }
}

export async function benchExport(): Promise<ExportBench> {
  const { source } = syntheticCaptures(CALLS);
  // The Parquet libraries are a lazily loaded chunk: in the extension the dynamic import() loads and
  // compiles it off the export's critical path (the export awaits it); under tsx, the first import would
  // transform it synchronously and count that as export work. Load it once, as the browser would have.
  await import('../src/export/parquet-lib');
  const cases = [
    ['json', false],
    ['har', false],
    ['otlp', false],
    ['parquet', false],
    ['otlp', true],
    ['parquet', true],
  ] as const;
  const rows: ExportBenchRow[][] = cases.map(() => []);
  for (let run = 0; run < EXPORT_RUNS; run++)
    for (const [i, [format, shareSafe]] of cases.entries())
      rows[i]?.push(await timedExport(source, format, shareSafe));

  const dir = mkdtempSync(join(tmpdir(), 'cfr-bench-'));
  const converter: ExportBench['converter'] = [];
  try {
    const input = join(dir, 'export.json');
    writeFileSync(
      input,
      (
        await exportToText(source, {
          format: 'json',
          shareSafe: false,
          scope: { label: 'bench', callIds: null },
        })
      ).text,
    );
    for (const to of ['parquet', 'otlp'] as const) {
      const s = await convert({
        inputs: [input],
        to,
        out: join(dir, to),
        shareSafe: false,
        chunks: true,
        log: () => {},
      });
      if (s.failed.length > 0) throw new Error(`converter failed: ${s.failed[0]?.error}`);
      converter.push({ to, calls: s.calls, ms: s.ms, callsPerSecond: s.calls / (s.ms / 1000) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, converter };
}
