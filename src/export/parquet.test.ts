import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { unzipSync } from 'fflate';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCanaries, THINKING_PACE, thinkingFlow2026 } from '../../test/flows';
import { percentile } from '../analysis';
import { captureFlow } from '../analysis/test-captures';
import { exportToText } from './export';
import { exportFile } from './format';
import {
  CALL_COLUMNS,
  CHUNK_COLUMNS,
  rowGroupRows,
  type Table,
  TURN_COLUMNS,
  writeParquetZip,
} from './parquet';
import { Slicer } from './slicer';
import { memorySource, merge, seedAndReal } from './test-data';

const ALL = { label: 'All captures', callIds: null };

/** The seed and real flows plus thinking turns at several paces (different TTFB and reasoning times). */
function capture() {
  const flows = [1, 1.5, 2, 3].map((f, i) =>
    captureFlow(
      thinkingFlow2026(makeCanaries(`pq${i}`), {
        ...THINKING_PACE,
        waitMs: THINKING_PACE.waitMs * f,
        thinkMs: THINKING_PACE.thinkMs * f,
      }),
      {
        prefix: `think${i}`,
        pageSessionId: `think-page-${i}`,
        startTime: Date.parse('2026-03-10T10:00:00Z') + i * 3600_000,
      },
    ),
  );
  return merge(seedAndReal('pq'), ...flows);
}

async function parquetFiles(shareSafe = false) {
  const cap = capture();
  const { result } = await exportToText(memorySource(cap), { format: 'parquet', shareSafe, scope: ALL });
  const zip = result.parts[0];
  if (!(zip instanceof Uint8Array)) throw new Error('no zip');
  return { cap, result, files: unzipSync(zip) };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Parquet export', () => {
  it('zips calls, turns and chunks tables with the documented columns', async () => {
    const { files, cap, result } = await parquetFiles();
    expect(result.filename).toMatch(/\.parquet\.zip$/);
    expect(result.mimeType).toBe('application/zip');
    expect(Object.keys(files).sort()).toEqual(['calls.parquet', 'chunks.parquet', 'turns.parquet']);
    const read = async (name: string) => {
      const u8 = files[name] as Uint8Array;
      return parquetReadObjects({
        file: u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer,
      });
    };
    const calls = await read('calls.parquet');
    expect(calls).toHaveLength(cap.calls.length);
    expect(Object.keys(calls[0] ?? {})).toEqual(CALL_COLUMNS.map(([n]) => n));
    const turns = await read('turns.parquet');
    expect(Object.keys(turns[0] ?? {})).toEqual(TURN_COLUMNS.map(([n]) => n));
    expect(turns.length).toBeGreaterThanOrEqual(6);
    const chunks = await read('chunks.parquet');
    expect(Object.keys(chunks[0] ?? {})).toEqual(CHUNK_COLUMNS.map(([n]) => n));
    expect(chunks).toHaveLength([...cap.chunks.values()].reduce((n, l) => n + l.length, 0));
  });

  it('writes a large table in ramped row groups that read back whole, the zip in table order', async () => {
    const t0 = Date.parse('2026-03-10T10:00:00Z');
    const chunks: Table = {
      name: 'chunks',
      columns: CHUNK_COLUMNS,
      rows: Array.from({ length: 20_000 }, (_, i) => [
        `c${i >> 4}`,
        i & 15,
        new Date(t0 + i),
        t0 + i,
        i & 15,
        100 + (i % 7),
        i % 3 === 0 ? 'in' : null,
      ]),
    };
    const turns: Table = { name: 'turns', columns: TURN_COLUMNS, rows: [] };
    // A frozen clock: the slices are cut by work units, as in a throttled tab.
    const gen = writeParquetZip([chunks, turns], new Slicer({ now: () => 0, pause: async () => {} }));
    let step = await gen.next();
    let yields = 0;
    for (; !step.done; step = await gen.next()) yields++;
    const files = unzipSync(step.value);
    expect(Object.keys(files)).toEqual(['chunks.parquet', 'turns.parquet']);
    const u8 = files['chunks.parquet'] as Uint8Array;
    const file = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
    const sizes = parquetMetadata(file).row_groups.map((g) => Number(g.num_rows));
    const expected: number[] = [];
    for (let n = 0, g = 0; n < 20_000; g++) {
      expected.push(Math.min(20_000 - n, rowGroupRows(CHUNK_COLUMNS.length, g)));
      n += expected[g] ?? 0;
    }
    expect(sizes).toEqual(expected);
    expect(sizes.slice(0, 5)).toEqual([491, 982, 1964, 3928, 7857]);
    // Every full row group ends a slice, even with a frozen clock.
    expect(yields).toBeGreaterThanOrEqual(sizes.filter((n) => n === 7857).length);
    const back = await parquetReadObjects({ file });
    expect(back).toHaveLength(20_000);
    expect(back[12_345]).toEqual({
      call_id: 'c771',
      seq: 9,
      time: new Date(t0 + 12_345),
      time_ms: t0 + 12_345,
      offset_ms: 9,
      bytes: 100 + (12_345 % 7),
      direction: 'in',
    });
  });

  it('DuckDB reads the files: median TTFB and thinking time per model equal the extension analysis', async () => {
    const { files } = await parquetFiles();
    const dir = mkdtempSync(join(tmpdir(), 'cfr-parquet-'));
    dirs.push(dir);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);

    // The extension's own analysis of the same calls (the JSON export's).
    const { text } = await exportToText(memorySource(capture()), {
      format: 'json',
      shareSafe: false,
      scope: ALL,
    });
    const file = exportFile.parse(JSON.parse(text));
    const byModel = new Map<string, { ttfb: number[]; reasoning: number[] }>();
    for (const c of file.analysis.conversations) {
      for (const t of c.turns) {
        const model = t.model.resolved ?? t.model.requested ?? '(unknown)';
        const e = byModel.get(model) ?? { ttfb: [], reasoning: [] };
        byModel.set(model, e);
        const ph = t.latency.phases;
        if (ph?.ttfbMs != null) e.ttfb.push(ph.ttfbMs);
        if (ph?.reasoningMs != null) e.reasoning.push(ph.reasoningMs);
      }
    }
    const median = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    const expected = [...byModel]
      .map(([model, e]) => ({ model, ttfb: median(e.ttfb), reasoning: median(e.reasoning) }))
      .sort((a, b) => (a.model < b.model ? -1 : 1));
    expect(expected.some((e) => e.reasoning !== null)).toBe(true);

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const turns = join(dir, 'turns.parquet').replaceAll("'", "''");
      const reader = await conn.runAndReadAll(
        `SELECT coalesce(model_resolved, model_requested, '(unknown)') AS model,
                median(ttfb_ms) AS ttfb, median(reasoning_ms) AS reasoning
           FROM read_parquet('${turns}') GROUP BY ALL ORDER BY model`,
      );
      const rows = (await reader.getRowObjectsJS()) as {
        model: string;
        ttfb: number | null;
        reasoning: number | null;
      }[];
      expect(rows.map((r) => r.model)).toEqual(expected.map((e) => e.model));
      rows.forEach((r, i) => {
        const e = expected[i];
        if (e?.ttfb == null) expect(r.ttfb).toBeNull();
        else expect(r.ttfb).toBeCloseTo(e.ttfb, 6);
        if (e?.reasoning == null) expect(r.reasoning).toBeNull();
        else expect(r.reasoning).toBeCloseTo(e.reasoning, 6);
      });
      // The calls table joins the turns: every turn's call is a conversation call.
      const calls = join(dir, 'calls.parquet').replaceAll("'", "''");
      const joined = await conn.runAndReadAll(
        `SELECT count(*) AS n, count(*) FILTER (WHERE c.kind = 'conversation') AS sends
           FROM read_parquet('${turns}') t JOIN read_parquet('${calls}') c USING (call_id)`,
      );
      const [j] = (await joined.getRowObjectsJS()) as { n: bigint; sends: bigint }[];
      expect(j?.n).toBe(j?.sends);
      expect(Number(j?.n)).toBe(file.analysis.conversations.reduce((n, c) => n + c.turns.length, 0));
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  }, 60_000);

  it('share-safe: no canary reaches the tables', async () => {
    const cap = seedAndReal('pqsafe');
    const { result } = await exportToText(memorySource(cap), {
      format: 'parquet',
      shareSafe: true,
      scope: ALL,
    });
    const files = unzipSync(result.parts[0] as Uint8Array);
    const text = Object.values(files)
      .map((f) => Buffer.from(f).toString('latin1'))
      .join('');
    expect(cap.canaries.filter((k) => text.includes(k))).toEqual([]);
  });
});
