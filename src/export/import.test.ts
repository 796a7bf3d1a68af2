import { describe, expect, it } from 'vitest';
import { joinBody } from '../store/call-facts';
import { exportToText } from './export';
import {
  checkImportFile,
  ImportError,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_CALLS,
  parseImport,
  parseImportText,
} from './import';
import { Slicer } from './slicer';
import { memorySource, seedAndReal } from './test-data';

async function validExport(): Promise<Record<string, unknown> & { calls: Record<string, unknown>[] }> {
  const { text } = await exportToText(memorySource(seedAndReal('im')), {
    format: 'json',
    shareSafe: false,
    scope: { label: 'All captures', callIds: null },
  });
  return JSON.parse(text) as Record<string, unknown> & { calls: Record<string, unknown>[] };
}

async function failure(text: string): Promise<ImportError> {
  try {
    await parseImportText(text);
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
  throw new Error('the import was accepted');
}

describe('import: bad files get a clear message naming the first problem', () => {
  it('refuses files above the size limit or empty, before reading them', () => {
    expect(() => checkImportFile({ size: 200 * 1024 * 1024 })).toThrow(
      'The file is 200 MB; imports are limited to 100 MB.',
    );
    expect(() => checkImportFile({ size: MAX_IMPORT_BYTES })).not.toThrow();
    expect(() => checkImportFile({ size: 0 })).toThrow('The file is empty.');
  });

  it('non-JSON, arrays and unknown JSON', async () => {
    expect((await failure('PK\u0003\u0004 zip bytes')).message).toBe(
      'This is not a JSON file: it starts with "PK·· zip bytes".',
    );
    expect((await failure('   ')).message).toBe('The file is empty.');
    expect((await failure('[1,2]')).message).toContain('holds a JSON array');
    expect((await failure('{"hello": 1}')).message).toContain('neither a ChatGPT Flow Recorder export');
  });

  it('broken JSON: where it breaks', async () => {
    const e = await failure('{"format": "chatgpt-flow-recorder",\n "version": 1\n "calls": []}');
    expect(e.message).toBe("Not valid JSON: expected ',' or '}' at line 3, column 2");
    expect((await failure('{"format": "chatgpt-flow-recorder", "calls": [{"a": 1}')).message).toBe(
      'Not valid JSON: the file ends inside an array at line 1, column 55',
    );
    expect(
      (await failure('{"format": "chatgpt-flow-recorder", "version": 1, "calls": [{"a": 1,}]}')).message,
    ).toBe('calls[0]: not valid JSON at line 1, column 69');
    expect(
      (await failure('{"format": "chatgpt-flow-recorder", "version": 1, "calls": [{"a": tru}]}')).message,
    ).toBe("calls[0]: not valid JSON (Unexpected token '}') at line 1, column 61");
  });

  it('deeply nested JSON is refused by the scan, without recursion', async () => {
    const deep = `{"calls": [${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]}`;
    expect((await failure(deep)).message).toBe(
      'Not valid JSON: nested deeper than 64 levels at line 1, column 74',
    );
    const deepMember = `{"x": ${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`;
    expect((await failure(deepMember)).message).toContain('nested deeper than 64 levels');
  });

  it('wrong format or version', async () => {
    const file = await validExport();
    expect((await failure(JSON.stringify({ ...file, version: 2 }))).message).toBe(
      'version: the file is format version 2, made by a newer ChatGPT Flow Recorder; this one reads version 1. Update the extension to import it.',
    );
    expect((await failure(JSON.stringify({ ...file, version: '1' }))).message).toBe(
      'version: expected 1, found "1".',
    );
    expect((await failure(JSON.stringify({ ...file, format: 'other-tool' }))).message).toContain(
      'format: expected "chatgpt-flow-recorder", found "other-tool"',
    );
  });

  it('a bad field: its path and the reason', async () => {
    const file = await validExport();
    const calls = [...file.calls];
    calls[3] = { ...calls[3], startTime: 'yesterday' };
    const e = await failure(JSON.stringify({ ...file, calls }));
    expect(e.path).toBe('calls[3].startTime');
    expect(e.message).toBe('calls[3].startTime: Invalid input: expected number, received string');
    const chunks = ((calls[4]?.chunks ?? []) as Record<string, unknown>[]).map((c) => ({ ...c }));
    calls[3] = file.calls[3] ?? {};
    calls[4] = { ...calls[4], chunks: [{ ...chunks[0], seq: 'first' }] };
    expect((await failure(JSON.stringify({ ...file, calls }))).path).toBe('calls[4].chunks[0].seq');
  });

  it('numbers out of range: negative times, impossible status codes, negative sizes', async () => {
    const file = await validExport();
    const bad = async (patch: Record<string, unknown>) => {
      const calls = [...file.calls];
      calls[2] = { ...calls[2], ...patch };
      return (await failure(JSON.stringify({ ...file, calls }))).path;
    };
    expect(await bad({ startTime: -5 })).toBe('calls[2].startTime');
    expect(await bad({ status: 1234 })).toBe('calls[2].status');
    expect(await bad({ status: 200.5 })).toBe('calls[2].status');
    expect(await bad({ bodyBytes: -1 })).toBe('calls[2].bodyBytes');
    expect(await bad({ endTime: -0.5 })).toBe('calls[2].endTime');
  });

  it('duplicate call ids in one file', async () => {
    const file = await validExport();
    const calls = [...file.calls, file.calls[2]];
    expect((await failure(JSON.stringify({ ...file, calls }))).message).toContain(
      `calls[${file.calls.length}].callId: "${String(file.calls[2]?.callId)}" appears twice (first at calls[2])`,
    );
  });

  it('more calls than the limit', async () => {
    const text = `{"format":"chatgpt-flow-recorder","version":1,"calls":[${Array(MAX_IMPORT_CALLS + 1)
      .fill('{}')
      .join(',')}]}`;
    expect((await failure(text)).message).toContain('an import takes at most 200,000');
  });
});

describe('import: our JSON', () => {
  it('reads calls and chunks, ignoring the derived analysis', async () => {
    const file = await validExport();
    const parsed = await parseImportText(
      JSON.stringify({ ...file, analysis: { anything: [1, 2, 3] } }, null, 2),
    );
    expect(parsed.source).toBe('json');
    expect(parsed.calls).toHaveLength(file.calls.length);
    expect(parsed.chunks.every((c) => typeof c.callId === 'string')).toBe(true);
    expect(parsed.warnings).toEqual([]);
  });

  it('parses in slices: progress is reported and no record is parsed in one giant step', async () => {
    const file = await validExport();
    const slicer = new Slicer({ now: () => 0, maxUnits: 8, pause: async () => {} });
    const gen = parseImport(JSON.stringify(file), { slicer });
    const phases: string[] = [];
    let step = await gen.next();
    while (!step.done) {
      phases.push(step.value.phase);
      step = await gen.next();
    }
    expect(phases).toContain('checking');
    expect(slicer.slices.length).toBeGreaterThan(5);
  });
});

describe('import: HAR from elsewhere', () => {
  const entry = (i: number, extra: Record<string, unknown> = {}) => ({
    pageref: 'page_1',
    startedDateTime: `2024-03-12T10:00:0${i}.000+01:00`,
    time: 120.5,
    request: {
      method: 'POST',
      url: 'https://chatgpt.com/backend-api/lat/r',
      httpVersion: 'h2',
      headers: [
        { name: ':authority', value: 'chatgpt.com' },
        { name: 'Authorization', value: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX3g' },
        { name: 'Cookie', value: '__Secure-next-auth.session-token=abc' },
      ],
      postData: { mimeType: 'application/json', text: '{"server_request_id":"8631ff1b6d17254e-SJC"}' },
    },
    response: {
      status: 200,
      statusText: '',
      headers: [{ name: 'content-type', value: 'application/json' }],
      content: { size: 22, mimeType: 'application/json', text: '{"status":"success"}' },
    },
    timings: { blocked: 1.2, dns: -1, connect: -1, ssl: -1, send: 0.3, wait: 100, receive: 19 },
    ...extra,
  });
  const chromeHar = (entries: unknown[]) =>
    JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [
          {
            id: 'page_1',
            title: 'https://chatgpt.com/c/69dd2105-6578-8326-9d1e-4f3b2a1c0d9e',
            startedDateTime: '2024-03-12T09:00:00Z',
          },
        ],
        entries,
      },
    });

  it('refuses times no date can hold, and a __proto__ member supplies nothing (found by an attack run)', async () => {
    const huge = await failure(
      chromeHar([entry(1, { _flowRecorder: { callId: 'a', pageSessionId: 'p', startTime: 1e308 } })]),
    );
    expect(huge.path).toContain('startTime');
    await expect(parseImportText(chromeHar([entry(1, { time: 1e308 })]))).rejects.toThrow();
    const { request: _r, ...noRequest } = entry(1);
    const sneaky = JSON.parse(chromeHar([noRequest])) as { log: { entries: Record<string, unknown>[] } };
    const text = JSON.stringify(sneaky).replace(
      '"pageref"',
      '"__proto__":{"request":{"method":"GET","url":"https://evil.example/","headers":[]}},"pageref"',
    );
    expect((await failure(text)).path).toMatch(/request/);
  });

  it('maps entries to calls: kind by the classifier, timings, page, one body chunk', async () => {
    const parsed = await parseImportText(chromeHar([entry(1), entry(2)]));
    expect(parsed.source).toBe('har');
    const [call] = parsed.calls;
    expect(call).toMatchObject({
      kind: 'lat_r',
      method: 'POST',
      status: 200,
      startTime: Date.parse('2024-03-12T09:00:01.000Z'),
      headersTime: Date.parse('2024-03-12T09:00:01.000Z') + 101.5,
      endTime: Date.parse('2024-03-12T09:00:01.000Z') + 120.5,
      pageUrl: 'https://chatgpt.com/c/69dd2105-6578-8326-9d1e-4f3b2a1c0d9e',
      tabId: null,
      outcome: 'complete',
    });
    // Pseudo-headers are HTTP/2 transport, not request headers; secrets are redacted by the background.
    expect(call?.requestHeaders.map(([k]) => k)).toEqual(['Authorization', 'Cookie']);
    expect(joinBody(parsed.chunks.filter((c) => c.callId === call?.callId))).toBe('{"status":"success"}');
  });

  it('derives the same call ids from the same file (importing it twice adds nothing)', async () => {
    const text = chromeHar([entry(1), entry(2)]);
    const a = await parseImportText(text);
    const b = await parseImportText(text);
    expect(a.calls.map((c) => c.callId)).toEqual(b.calls.map((c) => c.callId));
    expect(new Set(a.calls.map((c) => c.callId)).size).toBe(2);
    const other = await parseImportText(chromeHar([entry(3), entry(2)]));
    expect(other.calls[0]?.callId).not.toBe(a.calls[0]?.callId);
  });

  it('binary bodies: base64 kept as bytes; over the cap cut and flagged; not base64 refused', async () => {
    const bytes = Buffer.alloc(300, 7).toString('base64');
    const big = Buffer.alloc(6 * 1024 * 1024, 1).toString('base64');
    const image = (text: string) => ({
      response: {
        status: 200,
        headers: [{ name: 'content-type', value: 'image/png' }],
        content: { size: 300, mimeType: 'image/png', text, encoding: 'base64' },
      },
    });
    const parsed = await parseImportText(chromeHar([entry(1, image(bytes)), entry(2, image(big))]));
    const [small, cut] = parsed.calls;
    expect(small?.responseBodyEncoding).toBe('base64');
    expect(
      joinBody(
        parsed.chunks.filter((c) => c.callId === small?.callId),
        'base64',
      ),
    ).toBe(bytes);
    expect(cut?.truncated).toBe(true);
    expect(parsed.warnings).toEqual(['1 entry: response body cut at the size cap.']);
    const bad = await failure(chromeHar([entry(1, image('not base64 at all!'))]));
    expect(bad.message).toBe('log.entries[0]: response.content: encoding is base64 but the text is not');
  });

  it('an invalid entry names its path', async () => {
    const e = await failure(chromeHar([entry(1), { ...entry(2), startedDateTime: 'soon' }]));
    expect(e.message).toBe('log.entries[1].startedDateTime: not a date');
    const f = await failure(chromeHar([{ ...entry(1), request: { url: 'https://x' } }]));
    expect(f.path).toBe('log.entries[0].request.method');
  });

  it('a HAR without bodies: calls imported, flagged truncated', async () => {
    const noBody = {
      response: { status: 200, headers: [], content: { size: 512, mimeType: 'application/json' } },
    };
    const parsed = await parseImportText(chromeHar([entry(1, noBody)]));
    expect(parsed.calls[0]?.truncated).toBe(true);
    expect(parsed.warnings).toEqual(['1 entry: response body not in the HAR.']);
  });
});
