/**
 * Exports in slices: an async generator that yields progress between slices of work and returns the file
 * as string parts (for `new Blob(parts)`: no single giant string, whose length V8 caps near 512 MiB).
 *
 * Pipeline, per call in time order: read its chunks (batched, a few batches ahead), redact again (a
 * store written by an older version may predate a redaction rule), make share-safe if asked, write.
 * Share-safe first runs a learning pass (headers, URLs, request bodies, small identity bodies) so
 * identifiers are known before the first call is written. JSON then adds the analysis, computed from
 * the same (redacted, share-safe) records, so it can never show what the raw part hides.
 */

import type { ChunkMap } from '../analysis';
import { EXPORT_ANALYSIS_BODY_CHARS, EXPORT_IDENTITY_BODY_BYTES } from '../capture/limits';
import { redactStoredCall, redactStoredChunk } from '../capture/sanitize';
import type { StoredCall, StoredChunk } from '../store/schema';
import { analyseForExport } from './analysis';
import {
  type ExportedAnalysis,
  type ExportedCall,
  type ExportFile,
  FORMAT_NAME,
  FORMAT_VERSION,
} from './format';
import { GENERATOR } from './generator';
import { harEntry, harPage } from './har';
import { type ChunkMeta, writeOtlp } from './otlp';
import { parquetTables, writeParquetZip } from './parquet';
import { redactBodyChunks } from './redact';
import { ShareSafe } from './share-safe';
import { Slicer, textUnits } from './slicer';

/** What the exporter reads; the UI's client has this shape. */
export interface CaptureSource {
  allCalls(): Promise<StoredCall[]>;
  chunks(callId: string): Promise<StoredChunk[]>;
  /** Optional fast path: many calls' chunks in one read. */
  chunksOf?(callIds: readonly string[]): Promise<Map<string, StoredChunk[]>>;
}

/**
 * `json`: our format (docs/export-format.md); `har`: HAR 1.2; `otlp`: OpenTelemetry traces, OTLP/JSON
 * (src/export/otlp.ts); `parquet`: a zip of Parquet tables (src/export/parquet.ts). All honour share-safe.
 */
export type ExportFormat = 'json' | 'har' | 'otlp' | 'parquet';

/** File name extension of each format. */
export const FORMAT_EXTENSIONS: Record<ExportFormat, string> = {
  json: 'json',
  har: 'har',
  otlp: 'otlp.json',
  parquet: 'parquet.zip',
};

/** MIME type of each format's file. */
const MIME_TYPES: Record<ExportFormat, string> = {
  json: 'application/json',
  // HAR files are JSON; browsers and DevTools recognise them by the .har extension.
  har: 'application/json',
  otlp: 'application/json',
  parquet: 'application/zip',
};

export interface ExportScopeInput {
  label: string;
  /** null: every stored call. */
  callIds: readonly string[] | null;
}

export interface ExportOptions {
  format: ExportFormat;
  shareSafe: boolean;
  scope: ExportScopeInput;
  now?: Date;
  slicer?: Slicer;
  /** Parquet only: also write the `chunks` table (default true). */
  parquetChunks?: boolean;
}

export type ExportPhase = 'reading' | 'scanning' | 'writing' | 'analysing';

export interface ExportProgress {
  phase: ExportPhase;
  done: number;
  total: number;
}

export interface ExportResult {
  /** The file: text parts, or for Parquet one binary part (the zip). Give them to `new Blob(parts)`. */
  parts: (string | Uint8Array<ArrayBuffer>)[];
  mimeType: string;
  filename: string;
  calls: number;
  chunks: number;
  conversations: number;
}

export { GENERATOR };

/** `chatgpt-flows-2026-05-01T12-30-05Z.json`: UTC, sortable, no colons (not allowed in Windows names). */
export function exportFilename(format: ExportFormat, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return `chatgpt-flows-${stamp}.${FORMAT_EXTENSIONS[format]}`;
}

/** Reads chunks a few batches ahead of the writer, in batches through `chunksOf` when the source has it. */
class ChunkReader {
  private readonly batches = new Map<number, Promise<Map<string, StoredChunk[]>>>();

  constructor(
    private readonly source: CaptureSource,
    private readonly ids: readonly string[],
    private readonly batchSize = 64,
    private readonly ahead = 3,
  ) {}

  private load(b: number): Promise<Map<string, StoredChunk[]>> {
    let p = this.batches.get(b);
    if (!p) {
      const ids = this.ids.slice(b * this.batchSize, (b + 1) * this.batchSize);
      p = this.source.chunksOf
        ? this.source.chunksOf(ids)
        : Promise.all(ids.map((id) => this.source.chunks(id))).then(
            (lists) => new Map(ids.map((id, i) => [id, lists[i] ?? []])),
          );
      // Awaited later; until then a rejection must not count as unhandled.
      p.catch(() => {});
      this.batches.set(b, p);
    }
    return p;
  }

  async get(index: number): Promise<StoredChunk[]> {
    const b = Math.floor(index / this.batchSize);
    for (let i = b; i <= b + this.ahead && i * this.batchSize < this.ids.length; i++) void this.load(i);
    this.batches.delete(b - 1);
    const map = await this.load(b);
    return map.get(this.ids[index] ?? '') ?? [];
  }
}

/** Response bodies the share-safe learning pass reads: where identities live. */
const IDENTITY_KINDS = new Set(['auth_session', 'accounts_check', 'other']);

const chars = (chunks: readonly StoredChunk[]) => chunks.reduce((n, c) => n + c.data.length, 0);

/** In seq order; a response body is redacted as a whole, socket frames one by one (each is a message). */
function redactChunks(call: StoredCall, raw: readonly StoredChunk[]): StoredChunk[] {
  const sorted = [...raw].sort((a, b) => a.seq - b.seq);
  if (call.transport === 'websocket') return sorted.map((ch) => redactStoredChunk(ch, 'text'));
  return redactBodyChunks(sorted, call.responseBodyEncoding);
}

export async function* exportCaptures(
  source: CaptureSource,
  opts: ExportOptions,
): AsyncGenerator<ExportProgress, ExportResult, void> {
  const slicer = opts.slicer ?? new Slicer();
  const now = opts.now ?? new Date();
  yield { phase: 'reading', done: 0, total: 0 };
  let calls = await source.allCalls();
  if (opts.scope.callIds !== null) {
    const wanted = new Set(opts.scope.callIds);
    calls = calls.filter((c) => wanted.has(c.callId));
  }
  calls.sort((a, b) => a.startTime - b.startTime || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
  const total = calls.length;
  const safe = opts.shareSafe ? new ShareSafe() : null;
  // Share-safe parses, walks and re-serializes every body: about four times the work of a plain export.
  const costFactor = safe ? 4 : 1;

  if (safe) {
    const identity = calls.filter(
      (c) => IDENTITY_KINDS.has(c.kind) && (c.bodyBytes ?? 0) <= EXPORT_IDENTITY_BODY_BYTES,
    );
    const identityChunks = new Map<string, StoredChunk[]>();
    const reader = new ChunkReader(
      source,
      identity.map((c) => c.callId),
    );
    for (let i = 0; i < identity.length; i++) {
      const c = identity[i];
      if (c) identityChunks.set(c.callId, await reader.get(i));
    }
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      if (!c) continue;
      const chunks = identityChunks.get(c.callId) ?? null;
      safe.learn(redactStoredCall(c), chunks ? redactChunks(c, chunks) : null);
      slicer.spend(costFactor * (1 + textUnits((c.requestBody?.length ?? 0) + (chunks ? chars(chunks) : 0))));
      if (slicer.due()) {
        yield { phase: 'scanning', done: i + 1, total };
        await slicer.pause();
      }
    }
  }

  const parts: (string | Uint8Array<ArrayBuffer>)[] = [];
  const exportedAt = now.toISOString();
  const scope = { label: opts.scope.label, all: opts.scope.callIds === null };
  if (opts.format === 'json') {
    parts.push(
      `{"format":${JSON.stringify(FORMAT_NAME)},"version":${FORMAT_VERSION},"exportedAt":${JSON.stringify(exportedAt)},` +
        `"generator":${JSON.stringify(GENERATOR)},"scope":${JSON.stringify(scope)},"shareSafe":${safe !== null},\n"calls":[\n`,
    );
  } else if (opts.format === 'har') {
    // Pages first (one per page session, at its first call), then the entries.
    // In slices too: 100,000 calls from 5,000 page loads took 70-140 ms in one go.
    const pages = new Map<string, string>();
    for (const c of calls) {
      if (pages.has(c.pageSessionId)) continue;
      const pageUrl = redactStoredCall(c).pageUrl;
      pages.set(
        c.pageSessionId,
        JSON.stringify(harPage(c.pageSessionId, c.startTime, safe ? safe.scrubUrl(pageUrl) : pageUrl)),
      );
      slicer.spend(costFactor);
      if (slicer.due()) {
        yield { phase: 'writing', done: 0, total };
        await slicer.pause();
      }
    }
    const comment = safe
      ? 'Exported by ChatGPT Flow Recorder, share-safe: prompt/reply text and identifying values are placeholders.'
      : 'Exported by ChatGPT Flow Recorder. Secrets were redacted when captured.';
    parts.push(
      `{"log":{"version":"1.2","creator":${JSON.stringify(GENERATOR)},"comment":${JSON.stringify(comment)},` +
        `"pages":[\n${[...pages.values()].join(',\n')}\n],\n"entries":[\n`,
    );
  }

  // JSON, OTLP and Parquet carry the analysis; OTLP and Parquet need only the chunks' times and sizes.
  const analysed = opts.format !== 'har';
  const metaOnly = opts.format === 'otlp' || opts.format === 'parquet';
  const chunkMeta = new Map<string, ChunkMeta[]>();
  const kept: StoredCall[] = [];
  const bodies = new Map<string, StoredChunk[]>();
  let chunkCount = 0;
  const reader = new ChunkReader(
    source,
    calls.map((c) => c.callId),
  );
  for (let i = 0; i < calls.length; i++) {
    const original = calls[i];
    if (!original) continue;
    const raw = await reader.get(i);
    let call = redactStoredCall(original);
    let chunks = redactChunks(original, raw);
    if (safe) ({ call, chunks } = safe.scrubCall(call, chunks));
    chunkCount += chunks.length;
    const sep = i === 0 ? '' : ',\n';
    if (analysed) {
      if (opts.format === 'json') {
        const exported: ExportedCall = { ...call, chunks: chunks.map(({ callId: _c, ...rest }) => rest) };
        parts.push(sep + JSON.stringify(exported));
      } else {
        chunkMeta.set(
          call.callId,
          chunks.map((ch) => ({
            seq: ch.seq,
            time: ch.time,
            bytes: ch.bytes,
            ...(ch.direction ? { direction: ch.direction } : {}),
          })),
        );
      }
      kept.push(call);
      const size = chars(chunks);
      if (
        call.kind === 'conversation' ||
        call.transport === 'websocket' ||
        size <= EXPORT_ANALYSIS_BODY_CHARS
      ) {
        bodies.set(call.callId, chunks);
      }
    } else {
      parts.push(sep + JSON.stringify(harEntry(call, chunks)));
    }
    // Without writing the bodies, OTLP and Parquet only redact (and scrub) them here.
    const weight = metaOnly && !safe ? 0.25 : 1;
    slicer.spend(costFactor * (1 + weight * textUnits((call.requestBody?.length ?? 0) + chars(chunks))));
    if (slicer.due()) {
      yield { phase: 'writing', done: i + 1, total };
      await slicer.pause();
    }
  }

  let conversations = 0;
  const analysis = analysed ? yield* runAnalysis(kept, bodies as ChunkMap, slicer) : null;
  if (analysis) conversations = analysis.conversations.length;
  if (analysis && opts.format === 'otlp') {
    const writing = writeOtlp(kept, chunkMeta, analysis, slicer);
    let step = await writing.next();
    while (!step.done) {
      yield { phase: 'writing', done: total, total };
      step = await writing.next();
    }
    parts.push(...step.value);
  } else if (analysis && opts.format === 'parquet') {
    const building = parquetTables(kept, chunkMeta, analysis, slicer, { chunks: opts.parquetChunks ?? true });
    let step = await building.next();
    while (!step.done) {
      yield { phase: 'writing', done: total, total };
      step = await building.next();
    }
    const writing = writeParquetZip(step.value, slicer);
    let w = await writing.next();
    while (!w.done) {
      yield { phase: 'writing', done: total, total };
      w = await writing.next();
    }
    parts.push(w.value);
  } else if (analysis) {
    parts.push('\n],\n"analysis":{"pageSessions":[\n');
    analysis.pageSessions.forEach((p, i) => {
      parts.push((i === 0 ? '' : ',\n') + JSON.stringify(p));
    });
    parts.push('\n],\n"conversations":[\n');
    for (let i = 0; i < analysis.conversations.length; i++) {
      const json = JSON.stringify(analysis.conversations[i]);
      parts.push((i === 0 ? '' : ',\n') + json);
      slicer.spend(textUnits(json.length));
      if (slicer.due()) {
        yield { phase: 'analysing', done: total, total };
        await slicer.pause();
      }
    }
    const counts: ExportFile['counts'] = {
      calls: total,
      chunks: chunkCount,
      pageSessions: analysis.pageSessions.length,
      conversations,
    };
    parts.push(`\n],\n"errors":${JSON.stringify(analysis.errors)}},\n"counts":${JSON.stringify(counts)}}\n`);
  } else {
    parts.push('\n]}}\n');
  }
  slicer.finish();
  return {
    parts,
    mimeType: MIME_TYPES[opts.format],
    filename: exportFilename(opts.format, now),
    calls: total,
    chunks: chunkCount,
    conversations,
  };
}

/** The analysis of the exported calls, in slices, reporting progress. */
async function* runAnalysis(
  kept: readonly StoredCall[],
  bodies: ChunkMap,
  slicer: Slicer,
): AsyncGenerator<ExportProgress, ExportedAnalysis, void> {
  const analysing = analyseForExport(kept, bodies, slicer);
  let step = await analysing.next();
  while (!step.done) {
    yield { phase: 'analysing', done: step.value.done, total: step.value.total };
    step = await analysing.next();
  }
  return step.value;
}

/**
 * Runs an export to the end (tests, scripts): the file's text and the result. `text` is empty for a binary
 * format (Parquet): read `result.parts`.
 */
export async function exportToText(
  source: CaptureSource,
  opts: ExportOptions,
  onProgress?: (p: ExportProgress) => void,
): Promise<{ text: string; result: ExportResult }> {
  const gen = exportCaptures(source, opts);
  let step = await gen.next();
  while (!step.done) {
    onProgress?.(step.value);
    step = await gen.next();
  }
  const parts = step.value.parts;
  const text = parts.every((p) => typeof p === 'string') ? parts.join('') : '';
  return { text, result: step.value };
}
