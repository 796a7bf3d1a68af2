/**
 * Reading an import file: our JSON export, or a HAR (1.1/1.2, from this extension or from a browser's
 * DevTools). Everything is validated before anything is written, and the first problem is reported with
 * where it is (`calls[12].startTime: …`), so a bad file leaves the database untouched.
 *
 * Hostile files are bounded at every step: the size is checked before reading (MAX_IMPORT_BYTES), the
 * structure is scanned without building a tree (json-scan.ts: nesting depth capped, no giant JSON.parse),
 * records are parsed one at a time in slices, the record count is capped, and each call's bodies are cut
 * at the recorder's own caps (flagged `truncated`, as a recording would be).
 */
import type { z } from 'zod';
import { MAX_CALL_CHARS, MAX_IMPORT_BYTES, MAX_IMPORT_CALLS, MAX_JSON_DEPTH } from '../capture/limits';
import type { StoredCall, StoredChunk } from '../store/schema';
import { exportedCall, FORMAT_NAME, FORMAT_VERSION } from './format';
import { harEntrySchema, harPageSchema, mapHarEntry } from './har-import';
import { JsonScanner, JsonSyntaxError, lineColumn, type Range, type ScanResult } from './json-scan';
import { Slicer, textUnits } from './slicer';

// The import's bounds live with every other size limit; re-exported as part of this module's interface.
export { MAX_CALL_CHARS, MAX_IMPORT_BYTES, MAX_IMPORT_CALLS, MAX_JSON_DEPTH } from '../capture/limits';

export class ImportError extends Error {
  constructor(
    message: string,
    /** Where in the file (`calls[3].startTime`), when the problem has a place. */
    readonly path: string | null = null,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Refuses a file before reading it. */
export function checkImportFile(file: { size: number }): void {
  if (file.size === 0) throw new ImportError('The file is empty.');
  if (file.size > MAX_IMPORT_BYTES) {
    throw new ImportError(
      `The file is ${mib(file.size)}; imports are limited to ${mib(MAX_IMPORT_BYTES)}. ` +
        'Export a smaller selection (one conversation, or a filtered list) and import that.',
    );
  }
}

export interface ParsedImport {
  source: 'json' | 'har';
  calls: StoredCall[];
  chunks: StoredChunk[];
  /** What the import changed or could not keep (bodies cut at the caps, missing bodies). */
  warnings: string[];
}

export interface ImportProgress {
  phase: 'scanning' | 'checking';
  done: number;
  total: number;
}

/** `calls.3.startTime` → `calls[3].startTime`. */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `.${String(seg)}`;
  return out;
}

function issueMessage(base: string, error: z.ZodError): ImportError {
  const issue = error.issues[0];
  const path = formatPath(base, issue?.path ?? []);
  return new ImportError(`${path}: ${issue?.message ?? 'invalid'}`, path);
}

function preview(text: string): string {
  const head = text.slice(0, 24).replace(/[^\x20-\x7e]/g, '·');
  return head.length < text.length ? `${head}…` : head;
}

/** FNV-1a, twice with different offsets: a short stable key for a foreign HAR's derived call ids. */
function fileKey(parts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b = Math.imul(b ^ c, 0x01000193) >>> 0;
    }
    a = Math.imul(a ^ 0xff, 0x01000193) >>> 0;
  }
  return `har-${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

function parseRecord(text: string, range: Range, where: string): unknown {
  try {
    return JSON.parse(text.slice(range[0], range[1]));
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    const m = /position (\d+)/.exec(message);
    const at = range[0] + (m ? Number(m[1]) : 0);
    const { line, column } = lineColumn(text, at);
    // Without a position (V8 quotes the input instead), say what the parser said, at the record's start.
    const reason = m ? '' : ` (${message.replace(/, ".*" is not valid JSON$/s, '').slice(0, 80)})`;
    throw new ImportError(`${where}: not valid JSON${reason} at line ${line}, column ${column}`, where);
  }
}

function parseMember(text: string, members: Map<string, Range>, name: string): unknown {
  const r = members.get(name);
  return r ? parseRecord(text, r, name) : undefined;
}

/** Parses and validates a whole file, yielding progress between slices. */
export async function* parseImport(
  text: string,
  opts: { slicer?: Slicer } = {},
): AsyncGenerator<ImportProgress, ParsedImport, void> {
  const slicer = opts.slicer ?? new Slicer();
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!first) throw new ImportError('The file is empty.');
  if (first[0] === '[') {
    throw new ImportError(
      'Expected a JSON object (an export or a HAR file), but the file holds a JSON array.',
    );
  }
  if (first[0] !== '{') {
    throw new ImportError(`This is not a JSON file: it starts with "${preview(text.slice(first.index))}".`);
  }

  const scanner = new JsonScanner(text, [['calls'], ['log', 'entries']], MAX_JSON_DEPTH, slicer);
  let scanned: IteratorResult<number, ScanResult>;
  const scan = scanner.scan();
  try {
    for (scanned = await scan.next(); !scanned.done; scanned = await scan.next()) {
      yield { phase: 'scanning', done: scanned.value, total: text.length };
    }
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new ImportError(err.message);
    throw err;
  }
  const { members, arrays } = scanned.value;

  if (members.has('format') || arrays.has('calls')) {
    const format = parseMember(text, members, 'format');
    if (format !== FORMAT_NAME) {
      throw new ImportError(
        `format: expected "${FORMAT_NAME}", found ${JSON.stringify(format) ?? 'nothing'}: this is not an export of ChatGPT Flow Recorder.`,
        'format',
      );
    }
    const version = parseMember(text, members, 'version');
    if (version !== FORMAT_VERSION) {
      throw new ImportError(
        typeof version === 'number' && version > FORMAT_VERSION
          ? `version: the file is format version ${version}, made by a newer ChatGPT Flow Recorder; this one reads version ${FORMAT_VERSION}. Update the extension to import it.`
          : `version: expected ${FORMAT_VERSION}, found ${JSON.stringify(version) ?? 'nothing'}.`,
        'version',
      );
    }
    const elements = arrays.get('calls');
    if (!elements) throw new ImportError('calls: missing (expected an array of calls).', 'calls');
    return yield* readCalls(text, elements, slicer);
  }
  if (arrays.has('log.entries')) {
    return yield* readHar(text, members, arrays.get('log.entries') ?? [], slicer);
  }
  if (members.has('log'))
    throw new ImportError('log.entries: missing (expected the HAR’s array of entries).', 'log.entries');
  throw new ImportError(
    'This JSON file is neither a ChatGPT Flow Recorder export (no "format" member) nor a HAR file (no "log" member).',
  );
}

function checkCount(n: number, what: string) {
  if (n > MAX_IMPORT_CALLS) {
    throw new ImportError(
      `${what}: the file holds ${n.toLocaleString('en')} calls; an import takes at most ${MAX_IMPORT_CALLS.toLocaleString('en')}. Export a smaller selection.`,
      what,
    );
  }
}

async function* readCalls(
  text: string,
  elements: readonly Range[],
  slicer: Slicer,
): AsyncGenerator<ImportProgress, ParsedImport, void> {
  checkCount(elements.length, 'calls');
  const calls: StoredCall[] = [];
  const chunks: StoredChunk[] = [];
  const firstIndex = new Map<string, number>();
  let cut = 0;
  for (let i = 0; i < elements.length; i++) {
    const range = elements[i];
    if (!range) continue;
    const where = `calls[${i}]`;
    const parsed = exportedCall.safeParse(parseRecord(text, range, where));
    if (!parsed.success) throw issueMessage(where, parsed.error);
    const { chunks: own, ...call } = parsed.data;
    const earlier = firstIndex.get(call.callId);
    if (earlier !== undefined) {
      throw new ImportError(
        `${where}.callId: "${call.callId}" appears twice (first at calls[${earlier}]).`,
        `${where}.callId`,
      );
    }
    firstIndex.set(call.callId, i);
    const seqs = new Set<number>();
    let size = 0;
    for (let j = 0; j < own.length; j++) {
      const ch = own[j];
      if (!ch) continue;
      if (seqs.has(ch.seq)) {
        throw new ImportError(
          `${where}.chunks[${j}].seq: ${ch.seq} appears twice in this call.`,
          `${where}.chunks[${j}].seq`,
        );
      }
      seqs.add(ch.seq);
      size += ch.data.length;
      if (size > MAX_CALL_CHARS) {
        call.truncated = true;
        cut++;
        break;
      }
      chunks.push({ callId: call.callId, ...ch });
    }
    calls.push(call);
    slicer.spend(1 + textUnits(range[1] - range[0]));
    if (slicer.due()) {
      yield { phase: 'checking', done: i + 1, total: elements.length };
      await slicer.pause();
    }
  }
  const warnings =
    cut > 0 ? [`${cut} call${cut === 1 ? '' : 's'} had more than 16 MB of body; the rest was cut.`] : [];
  return { source: 'json', calls, chunks, warnings };
}

async function* readHar(
  text: string,
  members: Map<string, Range>,
  elements: readonly Range[],
  slicer: Slicer,
): AsyncGenerator<ImportProgress, ParsedImport, void> {
  checkCount(elements.length, 'log.entries');
  const version = parseMember(text, members, 'log.version');
  if (version !== undefined && typeof version !== 'string') {
    throw new ImportError('log.version: expected a string such as "1.2".', 'log.version');
  }
  const pages = new Map<string, string>();
  const rawPages = parseMember(text, members, 'log.pages');
  if (Array.isArray(rawPages)) {
    rawPages.forEach((p, i) => {
      const r = harPageSchema.safeParse(p);
      if (!r.success) throw issueMessage(`log.pages[${i}]`, r.error);
      if (r.data.title !== undefined) pages.set(r.data.id, r.data.title);
    });
  }
  const first = elements[0];
  const last = elements.at(-1);
  const key = fileKey([
    String(elements.length),
    first ? text.slice(first[0], first[1]) : '',
    last ? text.slice(last[0], last[1]) : '',
  ]);
  const calls: StoredCall[] = [];
  const chunks: StoredChunk[] = [];
  const firstIndex = new Map<string, number>();
  const notes = new Map<string, number>();
  for (let i = 0; i < elements.length; i++) {
    const range = elements[i];
    if (!range) continue;
    const where = `log.entries[${i}]`;
    const parsed = harEntrySchema.safeParse(parseRecord(text, range, where));
    if (!parsed.success) throw issueMessage(where, parsed.error);
    let mapped: ReturnType<typeof mapHarEntry>;
    try {
      mapped = mapHarEntry(parsed.data, { pages, fileKey: key, index: i });
    } catch (err) {
      throw new ImportError(`${where}: ${err instanceof Error ? err.message : String(err)}`, where);
    }
    const earlier = firstIndex.get(mapped.call.callId);
    if (earlier !== undefined) {
      throw new ImportError(
        `${where}._flowRecorder.callId: "${mapped.call.callId}" appears twice (first at log.entries[${earlier}]).`,
        `${where}._flowRecorder.callId`,
      );
    }
    firstIndex.set(mapped.call.callId, i);
    calls.push(mapped.call);
    for (const ch of mapped.chunks) chunks.push(ch);
    for (const n of mapped.notes) notes.set(n, (notes.get(n) ?? 0) + 1);
    slicer.spend(1 + textUnits(range[1] - range[0]));
    if (slicer.due()) {
      yield { phase: 'checking', done: i + 1, total: elements.length };
      await slicer.pause();
    }
  }
  const warnings = [...notes].map(([note, n]) => `${n} entr${n === 1 ? 'y' : 'ies'}: ${note}.`);
  return { source: 'har', calls, chunks, warnings };
}

/** Runs a parse to the end (tests, scripts). */
export async function parseImportText(text: string, opts: { slicer?: Slicer } = {}): Promise<ParsedImport> {
  const gen = parseImport(text, opts);
  let step = await gen.next();
  while (!step.done) step = await gen.next();
  return step.value;
}
