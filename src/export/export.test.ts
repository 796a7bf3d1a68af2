import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { allCalls, getChunks, openCaptureDb } from '../store/db';
import { importCalls } from '../store/import';
import { type CaptureSource, exportCaptures, exportFilename, exportToText } from './export';
import { type ExportFile, exportFile } from './format';
import { parseImportText } from './import';
import { DEFAULT_MAX_UNITS, Slicer } from './slicer';
import { memorySource, SEED_CONV, seedAndReal, syntheticCaptures } from './test-data';

const ALL = { label: 'All captures', callIds: null };
const NOW = new Date('2026-05-01T12:30:05.123Z');

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});
async function fresh() {
  const db = await openCaptureDb(`export-test-${++n}`);
  opened.push(db);
  return db;
}

function dbSource(db: Awaited<ReturnType<typeof fresh>>): CaptureSource {
  return { allCalls: () => allCalls(db), chunks: (id) => getChunks(db, id) };
}

async function exportJson(source: CaptureSource, shareSafe = false): Promise<ExportFile> {
  const { text } = await exportToText(source, { format: 'json', shareSafe, scope: ALL, now: NOW });
  return exportFile.parse(JSON.parse(text));
}

/** What a round trip may change: the import marks calls and drops their tab. */
function comparable(file: ExportFile) {
  const calls = file.calls.map(({ importId: _i, tabId: _t, ...c }) => c);
  const conversations = file.analysis.conversations.map((c) => ({
    ...c,
    flags: c.flags.filter((f) => f !== 'imported'),
  }));
  const pageSessions = file.analysis.pageSessions.map(({ tabId: _t, imported: _i, ...p }) => p);
  return { calls, conversations, pageSessions, counts: file.counts };
}

describe('JSON export', () => {
  it('writes the versioned format: raw calls with chunks, decoded turns and the analysis', async () => {
    const cap = seedAndReal();
    const file = await exportJson(memorySource(cap));
    expect(file).toMatchObject({ format: 'chatgpt-flow-recorder', version: 1, shareSafe: false });
    expect(file.exportedAt).toBe('2026-05-01T12:30:05.123Z');
    expect(file.calls).toHaveLength(cap.calls.length);
    expect(file.counts.calls).toBe(cap.calls.length);
    const chunkTotal = [...cap.chunks.values()].reduce((k, l) => k + l.length, 0);
    expect(file.counts.chunks).toBe(chunkTotal);
    const seed = file.analysis.conversations.find((c) => c.id === SEED_CONV);
    expect(seed?.title).toBe('Roman Empire Fun Fact');
    expect(seed?.turns).toHaveLength(2);
    expect(seed?.turns[0]?.userPrompt).toBe('Tell me a random fun fact about the Roman Empire');
    expect(seed?.turns[0]?.assistantText.length).toBeGreaterThan(20);
    expect(seed?.turns[0]?.decoded.events.length).toBeGreaterThan(3);
    expect(seed?.turns[0]?.latency.ttftMs).not.toBeNull();
    expect(seed?.turns[0]?.linkedCalls.latR).toBeDefined();
    expect(seed?.checks.length).toBeGreaterThan(0);
    expect(file.analysis.pageSessions.map((p) => p.id).sort()).toEqual(['real-page', 'seed-page']);
    expect(file.analysis.errors).toEqual([]);
  });

  it('keeps every secret redacted, even from a store that holds them raw', async () => {
    const cap = seedAndReal('rd');
    // The capture helper stores bodies unredacted: the raw data does hold the canaries.
    const raw = JSON.stringify([...cap.calls, ...cap.chunks.values()]);
    expect(cap.canaries.filter((c) => raw.includes(c)).length).toBeGreaterThan(5);
    for (const format of ['json', 'har'] as const) {
      const { text } = await exportToText(memorySource(cap), { format, shareSafe: false, scope: ALL });
      const leaked = cap.canaries.filter((c) => text.includes(c));
      expect(leaked, format).toEqual([]);
      expect(text).toContain('[redacted]');
    }
  });

  it('round-trips: export → import → export gives the same content', async () => {
    const first = await exportJson(memorySource(seedAndReal('rt')));
    const parsed = await parseImportText(JSON.stringify(first));
    const db = await fresh();
    const written = await importCalls(db, 'import-1', parsed.calls, parsed.chunks);
    expect(written).toEqual({ added: first.calls.length, skipped: 0 });
    const second = await exportJson(dbSource(db));
    expect(second.calls.every((c) => c.importId === 'import-1' && c.tabId === null)).toBe(true);
    expect(comparable(second)).toEqual(comparable(first));
    // Importing the same file again adds nothing.
    expect(await importCalls(db, 'import-2', parsed.calls, parsed.chunks)).toEqual({
      added: 0,
      skipped: first.calls.length,
    });
  });

  it('exports only the calls of a scope', async () => {
    const cap = seedAndReal();
    const ids = cap.calls.filter((c) => c.pageSessionId === 'seed-page').map((c) => c.callId);
    const { text } = await exportToText(memorySource(cap), {
      format: 'json',
      shareSafe: false,
      scope: { label: 'Roman Empire Fun Fact', callIds: ids },
    });
    const file = exportFile.parse(JSON.parse(text));
    expect(file.calls.map((c) => c.callId).sort()).toEqual([...ids].sort());
    expect(file.scope).toEqual({ label: 'Roman Empire Fun Fact', all: false });
    expect(file.analysis.conversations.map((c) => c.id)).toEqual([SEED_CONV]);
  });

  it('names files chatgpt-flows-<UTC timestamp>', () => {
    expect(exportFilename('json', NOW)).toBe('chatgpt-flows-2026-05-01T12-30-05Z.json');
    expect(exportFilename('har', NOW)).toBe('chatgpt-flows-2026-05-01T12-30-05Z.har');
  });
});

describe('large exports', () => {
  it('exports 100,000 calls in slices of bounded work, reporting progress', async () => {
    const { source } = syntheticCaptures(100_000);
    // A frozen clock: slices are cut by the work-unit cap alone, so the test cannot flake on timing.
    const slicer = new Slicer({ now: () => 0, pause: async () => {} });
    const phases = new Set<string>();
    let progressEvents = 0;
    const gen = exportCaptures(source, { format: 'json', shareSafe: false, scope: ALL, slicer });
    let step = await gen.next();
    while (!step.done) {
      phases.add(step.value.phase);
      progressEvents++;
      step = await gen.next();
    }
    const result = step.value;
    expect(result.calls).toBe(100_000);
    expect([...phases]).toEqual(['reading', 'writing', 'analysing']);
    expect(slicer.slices.length).toBeGreaterThan(50);
    expect(progressEvents).toBeGreaterThan(50);
    // No slice did much more than the cap (DEFAULT_MAX_UNITS, ~10 ms of work): the largest single item
    // here (one conversation's linking and checks) costs 40 units.
    expect(Math.max(...slicer.slices)).toBeLessThanOrEqual(DEFAULT_MAX_UNITS + 64);
    const file = JSON.parse(result.parts.join('')) as ExportFile;
    expect(file.calls).toHaveLength(100_000);
    expect(file.analysis.conversations).toHaveLength(5_000);
  }, 60_000);

  it('exports 100,000 calls as HAR and share-safe in bounded slices too', async () => {
    const { source } = syntheticCaptures(100_000);
    const slicer = new Slicer({ now: () => 0, pause: async () => {} });
    const { result } = await exportToText(source, { format: 'har', shareSafe: true, scope: ALL, slicer });
    expect(result.calls).toBe(100_000);
    expect(Math.max(...slicer.slices)).toBeLessThanOrEqual(DEFAULT_MAX_UNITS + 64);
  }, 60_000);
});
