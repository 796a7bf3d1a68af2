/**
 * Parquet tables for analysis engines (DuckDB, Spark, pandas, BigQuery…): `calls`, `turns` and optionally
 * `chunks`, one `.parquet` file each, delivered together as a `.zip` (stored, not deflated: Parquet pages are
 * already Snappy-compressed). Columns, types and units: docs/analysis-at-scale.md.
 *
 * Libraries: hyparquet-writer (pure JS, no WASM, Snappy built in) writes the files; fflate zips them. Both
 * are loaded with a dynamic `import()` when a Parquet export starts, so no other page pays for them.
 *
 * Row building is cheap and runs in slices; the files are written a row group per slice with
 * hyparquet-writer's incremental `ParquetWriter` (sizes: `rowGroupRows`). The file footer is written in one
 * call and costs in proportion to row groups × columns, which is why row groups are sized in cells.
 */
import type { ColumnSource } from 'hyparquet-writer';
import type { StoredCall } from '../store/schema';
import type { ExportedAnalysis } from './format';
import { GENERATOR } from './generator';
import { type ChunkMeta, callEnd, finishReasons, requestBodyBytes } from './otlp';
import type { Slicer } from './slicer';

/**
 * Cells (rows × columns) of a full row group, the unit of one slice of writing: 2,500 rows of `calls`
 * (22 columns) take ~15 ms to encode once the encoder's code is optimised. Sizing by cells rather than
 * rows keeps narrow tables (`chunks`, 7 columns) from having three times the row groups, and with them
 * three times the footer, which hyparquet-writer writes in one synchronous call (~17 µs per row group and
 * column when warm, about four times that cold).
 */
export const PARQUET_ROW_GROUP_CELLS = 55_000;

/**
 * Rows of row group `index` (0-based) of a table with `columns` columns: the first four row groups ramp
 * up (1/16, 1/8, 1/4, 1/2 of a full one) while the encoder's code is still cold, which made a full first
 * row group take 50-60 ms instead of ~15 ms; then PARQUET_ROW_GROUP_CELLS / `columns`.
 */
export function rowGroupRows(columns: number, index: number): number {
  const full = Math.floor(PARQUET_ROW_GROUP_CELLS / Math.max(1, columns));
  return Math.max(1, Math.floor(full / 2 ** Math.max(0, 4 - index)));
}

type ColType = 'STRING' | 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';
type Cell = string | number | boolean | Date | null;

/** A table: column names with their Parquet types (hyparquet-writer basic types), then its rows. */
export interface Table {
  name: 'calls' | 'turns' | 'chunks';
  columns: readonly (readonly [string, ColType])[];
  rows: Cell[][];
}

/**
 * `calls`: one row per HTTP call / WebSocket. Times: `start_time` TIMESTAMP (UTC, ms), offsets in ms
 * (DOUBLE, sub-ms precision), sizes in bytes.
 */
export const CALL_COLUMNS = [
  ['call_id', 'STRING'],
  ['page_session_id', 'STRING'],
  ['conversation_id', 'STRING'],
  ['kind', 'STRING'],
  ['transport', 'STRING'],
  ['method', 'STRING'],
  ['url', 'STRING'],
  ['host', 'STRING'],
  ['path', 'STRING'],
  ['status', 'INT32'],
  ['outcome', 'STRING'],
  ['is_error', 'BOOLEAN'],
  ['start_time', 'TIMESTAMP'],
  ['start_time_ms', 'DOUBLE'],
  ['time_to_headers_ms', 'DOUBLE'],
  ['time_to_first_chunk_ms', 'DOUBLE'],
  ['duration_ms', 'DOUBLE'],
  ['request_bytes', 'DOUBLE'],
  ['response_bytes', 'DOUBLE'],
  ['chunk_count', 'INT32'],
  ['model', 'STRING'],
  ['import_id', 'STRING'],
] as const;

/** `turns`: one row per conversation send (a turn), with the latency and phase metrics, in ms. */
export const TURN_COLUMNS = [
  ['call_id', 'STRING'],
  ['conversation_id', 'STRING'],
  ['turn_index', 'INT32'],
  ['page_session_id', 'STRING'],
  ['start_time', 'TIMESTAMP'],
  ['start_time_ms', 'DOUBLE'],
  ['action', 'STRING'],
  ['model_requested', 'STRING'],
  ['model_resolved', 'STRING'],
  ['status', 'INT32'],
  ['finish_reason', 'STRING'],
  ['is_continuation', 'BOOLEAN'],
  ['incomplete', 'BOOLEAN'],
  ['ttfb_ms', 'DOUBLE'],
  ['ttft_ms', 'DOUBLE'],
  ['first_answer_text_ms', 'DOUBLE'],
  ['reasoning_at_ms', 'DOUBLE'],
  ['reasoning_ms', 'DOUBLE'],
  ['reported_thought_seconds', 'DOUBLE'],
  ['tool_calls', 'INT32'],
  ['tools', 'STRING'],
  ['tool_ms', 'DOUBLE'],
  ['answer_ms', 'DOUBLE'],
  ['end_at_ms', 'DOUBLE'],
  ['total_ms', 'DOUBLE'],
  ['content_events', 'INT32'],
  ['events_per_second', 'DOUBLE'],
  ['gap_p50_ms', 'DOUBLE'],
  ['gap_p95_ms', 'DOUBLE'],
  ['max_stall_ms', 'DOUBLE'],
] as const;

/** `chunks`: one row per body read / socket frame (no body text: sizes and times only). */
export const CHUNK_COLUMNS = [
  ['call_id', 'STRING'],
  ['seq', 'INT32'],
  ['time', 'TIMESTAMP'],
  ['time_ms', 'DOUBLE'],
  ['offset_ms', 'DOUBLE'],
  ['bytes', 'INT32'],
  ['direction', 'STRING'],
] as const;

const num = (n: number | null | undefined): number | null =>
  typeof n === 'number' && Number.isFinite(n) ? n : null;
const diff = (a: number | undefined, b: number) => (a === undefined ? null : num(a - b));

/** Builds the tables' rows (in slices) from the exported calls, chunk facts and analysis. */
export async function* parquetTables(
  calls: readonly StoredCall[],
  chunkMeta: ReadonlyMap<string, readonly ChunkMeta[]>,
  analysis: ExportedAnalysis,
  slicer: Slicer,
  opts: { chunks: boolean },
): AsyncGenerator<void, Table[], void> {
  const turnModel = new Map<string, string | null>();
  const turns: Table = { name: 'turns', columns: TURN_COLUMNS, rows: [] };
  for (const conv of analysis.conversations) {
    const convId = conv.id;
    for (const t of conv.turns) {
      const lat = t.latency;
      const ph = lat.phases;
      turnModel.set(t.callId, t.model.resolved ?? t.model.requested);
      const tools = ph?.tools ?? [];
      turns.rows.push([
        t.callId,
        convId,
        t.index,
        t.pageSessionId,
        new Date(t.startTime),
        t.startTime,
        t.action,
        t.model.requested,
        t.model.resolved,
        t.status,
        finishReasons(t.decoded.finishDetails)[0] ?? null,
        t.isContinuation,
        t.incomplete,
        num(ph?.ttfbMs),
        num(lat.ttftMs),
        num(ph?.firstAnswerTextMs),
        num(ph?.reasoningAtMs),
        num(ph?.reasoningMs),
        num(ph?.reportedThoughtSeconds),
        tools.length,
        tools.length > 0 ? tools.map((x) => x.tool).join(',') : null,
        tools.length > 0 ? tools.reduce((s, x) => s + (x.durationMs ?? 0), 0) : null,
        num(ph?.answerMs),
        num(ph?.endAtMs),
        num(lat.totalMs),
        lat.contentEvents,
        num(lat.eventsPerSecond),
        num(lat.gapP50Ms),
        num(lat.gapP95Ms),
        num(lat.maxStallMs),
      ]);
    }
    slicer.spend(1 + conv.turns.length);
    if (slicer.due()) {
      yield;
      await slicer.pause();
    }
  }
  const callTable: Table = { name: 'calls', columns: CALL_COLUMNS, rows: [] };
  const chunkTable: Table = { name: 'chunks', columns: CHUNK_COLUMNS, rows: [] };
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (!c) continue;
    let host: string | null = null;
    let path: string | null = null;
    try {
      const u = new URL(c.url);
      host = u.hostname;
      path = u.pathname;
    } catch {
      // Keep the url column only.
    }
    const end = c.endTime ?? (c.lastChunkTime !== undefined ? callEnd(c) : undefined);
    const metas = chunkMeta.get(c.callId) ?? [];
    callTable.rows.push([
      c.callId,
      c.pageSessionId,
      c.conversationId,
      c.kind,
      c.transport,
      c.method,
      c.url,
      host,
      path,
      c.status ?? null,
      c.outcome ?? null,
      (c.status ?? 0) >= 400 || c.outcome === 'error',
      new Date(c.startTime),
      c.startTime,
      diff(c.headersTime, c.startTime),
      diff(c.firstChunkTime, c.startTime),
      diff(end, c.startTime),
      requestBodyBytes(c),
      c.bodyBytes ?? null,
      c.chunkCount ?? metas.length,
      turnModel.get(c.callId) ?? null,
      c.importId ?? null,
    ]);
    if (opts.chunks) {
      for (const ch of metas) {
        chunkTable.rows.push([
          c.callId,
          ch.seq,
          new Date(ch.time),
          ch.time,
          ch.time - c.startTime,
          ch.bytes,
          ch.direction ?? null,
        ]);
      }
    }
    if (i % 16 === 15) {
      slicer.spend(1);
      if (slicer.due()) {
        yield;
        await slicer.pause();
      }
    }
  }
  return opts.chunks ? [callTable, turns, chunkTable] : [callTable, turns];
}

/**
 * Writes one table as a Parquet file, a row group (rowGroupRows) per slice, then the footer. Column-major
 * data is cut from the rows one row group at a time, so memory stays one row group above the rows themselves.
 */
async function* writeTable(
  table: Table,
  slicer: Slicer,
  lib: typeof import('./parquet-lib'),
): AsyncGenerator<void, Uint8Array, void> {
  const columnsOf = (from: number, to: number): ColumnSource[] =>
    table.columns.map(([name, type], j) => {
      const data: Cell[] = new Array(to - from);
      for (let r = from; r < to; r++) data[r - from] = table.rows[r]?.[j] ?? null;
      return { name, data, type };
    });
  const writer = new lib.ByteWriter();
  // The schema from the column types alone (one row is enough; every column is nullable).
  const schema = lib.schemaFromColumnData({ columnData: columnsOf(0, Math.min(1, table.rows.length)) });
  const pq = new lib.ParquetWriter({
    writer,
    schema,
    createdBy: `${GENERATOR.name} ${GENERATOR.version} (hyparquet-writer)`,
  });
  for (let from = 0, group = 0; from < table.rows.length; group++) {
    const to = Math.min(table.rows.length, from + rowGroupRows(table.columns.length, group));
    // Untyped columns: the schema already fixes the types.
    const columnData = columnsOf(from, to).map(({ name, data }) => ({ name, data }));
    await pq.write({ columnData, rowGroupSize: to - from });
    // ~64 cells per unit (~20 µs): a full row group fills a slice even when the clock is frozen.
    slicer.spend(Math.ceil(((to - from) * table.columns.length) / 64));
    from = to;
    // After the last row group too: the footer (one synchronous call) gets a slice of its own.
    if (slicer.due() || from === table.rows.length) {
      yield;
      await slicer.pause();
    }
  }
  pq.finish();
  return new Uint8Array(writer.getBuffer());
}

/** The zip entry name of a table. */
export const parquetFileName = (t: Table['name']) => `${t}.parquet`;

const cells = (t: Table) => t.rows.length * t.columns.length;

/**
 * Writes the tables as Parquet files and zips them (stored), the entries in the order of `tables`. Returns
 * the zip's bytes. The smallest table is written first: its row groups and footer run the library's code
 * while it is cold, and the footers grow from table to table as that code gets optimised.
 */
export async function* writeParquetZip(
  tables: readonly Table[],
  slicer: Slicer,
): AsyncGenerator<void, Uint8Array<ArrayBuffer>, void> {
  const lib = await import('./parquet-lib');
  // The keys in the order of `tables` first: the zip's entries follow it.
  const files: Record<string, Uint8Array> = Object.fromEntries(
    tables.map((t) => [parquetFileName(t.name), new Uint8Array()]),
  );
  for (const t of [...tables].sort((a, b) => cells(a) - cells(b)))
    files[parquetFileName(t.name)] = yield* writeTable(t, slicer, lib);
  if (slicer.due()) {
    yield;
    await slicer.pause();
  }
  return lib.zipSync(files, { level: 0 }) as Uint8Array<ArrayBuffer>;
}
