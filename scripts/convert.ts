/**
 * `chatgpt-flow-recorder convert <export.json|.har …> --to parquet|otlp --out DIR [--share-safe]
 * [--no-chunks]`: turns many users' exports into one dataset for analysis engines, in Node, with the
 * extension's own importer (src/export/import.ts), analysis and writers (src/export/otlp.ts, parquet.ts).
 *
 * Calls are merged de-duplicated by call id (the first file that has a call wins; its chunks come with
 * it). A file that cannot be read or is not a valid export is reported on stderr with its name and the
 * problem; the other files still convert, and the exit code is 1. Progress goes to stderr.
 *
 * Output: `--to parquet` writes DIR/calls.parquet, DIR/turns.parquet and (unless --no-chunks)
 * DIR/chunks.parquet; `--to otlp` writes DIR/traces.otlp.json.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { type CaptureSource, exportCaptures, ImportError, parseImportText, Slicer } from '../src/export';
import type { StoredCall, StoredChunk } from '../src/store/schema';

/** What the converter was asked to do. */
export interface ConvertOptions {
  inputs: string[];
  to: 'parquet' | 'otlp';
  out: string;
  shareSafe: boolean;
  /** Parquet: write the chunks table. */
  chunks: boolean;
  /** Where progress and errors go (stderr by default). */
  log?: (line: string) => void;
}

/** What a conversion did. */
export interface ConvertSummary {
  /** Files that converted, with their call counts. */
  files: { file: string; calls: number; duplicates: number }[];
  /** Files that failed, with the reason. */
  failed: { file: string; error: string }[];
  /** Distinct calls written. */
  calls: number;
  conversations: number;
  /** Files written. */
  outputs: string[];
  /** Wall time of the whole conversion, ms. */
  ms: number;
}

export const USAGE = `Usage: chatgpt-flow-recorder convert <export.json|export.har …> --to parquet|otlp --out DIR
                               [--share-safe] [--no-chunks]

Converts ChatGPT Flow Recorder exports (JSON or HAR) from any number of users into one dataset:
  --to parquet   DIR/calls.parquet, DIR/turns.parquet, DIR/chunks.parquet (see docs/analysis-at-scale.md)
  --to otlp      DIR/traces.otlp.json (OTLP/JSON; POST it to a collector's /v1/traces)
  --share-safe   replace prompts, replies and identifying values with placeholders
  --no-chunks    Parquet: leave out the chunks table
Calls are de-duplicated by call id. A bad file is reported and skipped; the exit code is then 1.`;

/** Parses `convert …` arguments; throws an Error with the usage problem. */
export function parseArgs(argv: readonly string[]): ConvertOptions {
  const args = [...argv];
  if (args[0] === 'convert') args.shift();
  const inputs: string[] = [];
  let to: string | undefined;
  let out: string | undefined;
  let shareSafe = false;
  let chunks = true;
  while (args.length > 0) {
    const a = args.shift() as string;
    if (a === '--to') to = args.shift();
    else if (a.startsWith('--to=')) to = a.slice(5);
    else if (a === '--out') out = args.shift();
    else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a === '--share-safe') shareSafe = true;
    else if (a === '--no-chunks') chunks = false;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else inputs.push(a);
  }
  if (inputs.length === 0) throw new Error('no input files');
  if (to !== 'parquet' && to !== 'otlp') throw new Error('--to must be parquet or otlp');
  if (!out) throw new Error('--out DIR is required');
  return { inputs, to, out, shareSafe, chunks };
}

const fmt = (n: number) => n.toLocaleString('en');

/** Runs a conversion. Never throws for a bad input file: it is listed in `failed`. */
export async function convert(opts: ConvertOptions): Promise<ConvertSummary> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const t0 = performance.now();
  const calls = new Map<string, StoredCall>();
  const chunks = new Map<string, StoredChunk[]>();
  const summary: ConvertSummary = { files: [], failed: [], calls: 0, conversations: 0, outputs: [], ms: 0 };
  // No event loop to keep free here: long slices.
  const slicer = () => new Slicer({ budgetMs: 200, maxUnits: 1e9, pause: async () => {} });
  for (const [i, file] of opts.inputs.entries()) {
    const name = basename(file);
    log(`[${i + 1}/${opts.inputs.length}] reading ${name}…`);
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      const parsed = await parseImportText(readFileSync(file, 'utf8'), { slicer: slicer() });
      let duplicates = 0;
      const byCall = new Map<string, StoredChunk[]>();
      for (const ch of parsed.chunks) {
        const list = byCall.get(ch.callId);
        if (list) list.push(ch);
        else byCall.set(ch.callId, [ch]);
      }
      for (const c of parsed.calls) {
        if (calls.has(c.callId)) {
          duplicates++;
          continue;
        }
        calls.set(c.callId, c);
        chunks.set(c.callId, byCall.get(c.callId) ?? []);
      }
      summary.files.push({ file, calls: parsed.calls.length, duplicates });
      log(
        `      ${name}: ${parsed.source.toUpperCase()}, ${fmt(parsed.calls.length)} calls` +
          (duplicates > 0 ? `, ${fmt(duplicates)} already seen (skipped)` : '') +
          (parsed.warnings.length > 0 ? `; note: ${parsed.warnings.join(' ')}` : ''),
      );
    } catch (err) {
      const why = err instanceof ImportError || err instanceof Error ? err.message : String(err);
      const code = (err as { code?: string }).code;
      const error = code === 'ENOENT' ? 'file not found' : why;
      summary.failed.push({ file, error });
      log(`error: ${file}: ${error}`);
    }
  }
  summary.calls = calls.size;
  if (calls.size === 0) {
    log('error: no calls to convert.');
    summary.ms = performance.now() - t0;
    return summary;
  }
  const source: CaptureSource = {
    allCalls: async () => [...calls.values()],
    chunks: async (id) => chunks.get(id) ?? [],
    chunksOf: async (ids) => new Map(ids.map((id) => [id, chunks.get(id) ?? []])),
  };
  const gen = exportCaptures(source, {
    format: opts.to,
    shareSafe: opts.shareSafe,
    scope: { label: 'convert', callIds: null },
    slicer: slicer(),
    parquetChunks: opts.chunks,
  });
  let last = '';
  let step = await gen.next();
  while (!step.done) {
    const p = step.value;
    const pct = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
    const line = `${p.phase}${pct}`;
    if (line !== last && p.total > 0)
      log(`      ${p.phase} ${fmt(p.done)} of ${fmt(p.total)} calls${pct ? ` (${pct.trim()})` : ''}`);
    last = line;
    step = await gen.next();
  }
  const result = step.value;
  summary.conversations = result.conversations;
  mkdirSync(opts.out, { recursive: true });
  if (opts.to === 'otlp') {
    const path = join(opts.out, 'traces.otlp.json');
    writeFileSync(path, result.parts.join(''));
    summary.outputs.push(path);
  } else {
    const zip = result.parts[0];
    if (!(zip instanceof Uint8Array)) throw new Error('Parquet export returned no zip');
    for (const [name, bytes] of Object.entries(unzipSync(zip))) {
      const path = join(opts.out, name);
      writeFileSync(path, bytes);
      summary.outputs.push(path);
    }
  }
  summary.ms = performance.now() - t0;
  log(
    `wrote ${summary.outputs.join(', ')}: ${fmt(summary.calls)} calls, ${fmt(summary.conversations)} conversations` +
      ` from ${summary.files.length} file(s) in ${(summary.ms / 1000).toFixed(1)} s` +
      (summary.failed.length > 0 ? `; ${summary.failed.length} file(s) failed` : ''),
  );
  return summary;
}

/** The CLI: returns the exit code (0: every file converted; 1: some failed or nothing to write; 2: usage). */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] !== 'convert') {
    process.stderr.write(`error: unknown command ${argv[0]}\n\n${USAGE}\n`);
    return 2;
  }
  let opts: ConvertOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const s = await convert(opts);
  return s.failed.length > 0 || s.outputs.length === 0 ? 1 : 0;
}
