import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureFlow } from '../src/analysis/test-captures';
import { exportToText } from '../src/export';
import { memorySource, seedAndReal } from '../src/export/test-data';
import { makeCanaries, thinkingFlow2026 } from '../test/flows';
import { convert, main, parseArgs } from './convert';

const dir = mkdtempSync(join(tmpdir(), 'cfr-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ALL = { label: 'x', callIds: null };

async function inputs() {
  const a = seedAndReal('cv');
  const b = captureFlow(thinkingFlow2026(makeCanaries('cv')), {
    prefix: 'think',
    pageSessionId: 'think-page',
  });
  const aJson = join(dir, 'user-a.json');
  const bHar = join(dir, 'user-b.har');
  const bad = join(dir, 'broken.json');
  writeFileSync(
    aJson,
    (await exportToText(memorySource(a), { format: 'json', shareSafe: false, scope: ALL })).text,
  );
  writeFileSync(
    bHar,
    (await exportToText(memorySource(b), { format: 'har', shareSafe: false, scope: ALL })).text,
  );
  writeFileSync(bad, '{"format":"chatgpt-flow-recorder","version":1,"calls":[');
  return { aJson, bHar, bad, calls: a.calls.length + b.calls.length };
}

describe('convert', () => {
  it('parses its arguments', () => {
    expect(parseArgs(['convert', 'a.json', 'b.har', '--to', 'otlp', '--out', 'o'])).toMatchObject({
      inputs: ['a.json', 'b.har'],
      to: 'otlp',
      out: 'o',
      shareSafe: false,
      chunks: true,
    });
    expect(() => parseArgs(['convert', 'a.json', '--to', 'csv', '--out', 'o'])).toThrow(/parquet or otlp/);
    expect(() => parseArgs(['convert', '--to', 'otlp', '--out', 'o'])).toThrow(/no input/);
  });

  it('merges many exports de-duplicated by call id; a bad file is named and skipped', async () => {
    const f = await inputs();
    const lines: string[] = [];
    const out = join(dir, 'pq');
    const s = await convert({
      inputs: [f.aJson, f.bHar, f.aJson, f.bad, join(dir, 'missing.json')],
      to: 'parquet',
      out,
      shareSafe: false,
      chunks: true,
      log: (l) => lines.push(l),
    });
    expect(s.calls).toBe(f.calls);
    expect(s.files.map((x) => x.duplicates)).toEqual([0, 0, s.files[0]?.calls]);
    expect(s.failed.map((x) => x.file)).toEqual([f.bad, join(dir, 'missing.json')]);
    expect(s.failed[1]?.error).toBe('file not found');
    expect(lines.some((l) => l.startsWith(`error: ${f.bad}: `))).toBe(true);
    expect(s.outputs.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      'calls.parquet',
      'chunks.parquet',
      'turns.parquet',
    ]);
    expect(readFileSync(join(out, 'calls.parquet')).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('writes OTLP and exits non-zero when any file failed', async () => {
    const f = await inputs();
    const out = join(dir, 'otlp');
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['convert', f.aJson, f.bHar, '--to', 'otlp', '--out', out])).toBe(0);
      expect(await main(['convert', f.aJson, f.bad, '--to', 'otlp', '--out', out])).toBe(1);
      expect(await main(['convert', f.aJson, '--to', 'xml', '--out', out])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    const json = JSON.parse(readFileSync(join(out, 'traces.otlp.json'), 'utf8'));
    expect(json.resourceSpans[0].scopeSpans[0].spans.length).toBeGreaterThan(10);
  });
});
