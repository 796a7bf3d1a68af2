import { describe, expect, it } from 'vitest';
import type { StoredCall } from '../store/schema';
import { testCall } from '../store/test-call';
import { exportToText } from './export';
import { type ExportFile, exportFile } from './format';
import { Pseudonyms, ShareSafe } from './share-safe';
import { CONV, memorySource, merge, P, PLANTED, personalCapture, seedAndReal } from './test-data';

const ALL = { label: 'All captures', callIds: null };

async function exportText(format: 'json' | 'har', shareSafe: boolean) {
  const cap = merge(personalCapture(), seedAndReal('ss'));
  const { text } = await exportToText(memorySource(cap), { format, shareSafe, scope: ALL });
  return text;
}

const found = (text: string) => PLANTED.filter((v) => text.toLowerCase().includes(v.toLowerCase()));

describe('share-safe export', () => {
  it('the planted personal values are all in a normal export (so the test below can fail)', async () => {
    for (const format of ['json', 'har'] as const) {
      expect(found(await exportText(format, false)), format).toEqual([...PLANTED]);
    }
  });

  for (const format of ['json', 'har'] as const) {
    it(`${format}: no prompt, reply, title, e-mail, name or id survives`, async () => {
      const text = await exportText(format, true);
      expect(found(text)).toEqual([]);
      // The seed flow's texts and ids too.
      for (const v of [
        'Roman Empire',
        'Explain quantum computing',
        'How true is that',
        '3f1c2f7e-9a57-4b2e-8d7e-0c3b5a1d2e4f',
        'b5f7d8e0-1c2a-4f6b-9e3d-7a8c9b0d1e2f',
        // The real 2026 capture's CES device_id and Segment anonymousId.
        '07c07116-eeea-4665-9ffb-9e36a64d8080',
        '459ff134-1d61-4817-b6be-6908e4918d81',
      ]) {
        expect(text, v).not.toContain(v);
      }
    });
  }

  it('keeps the structure: conversation ids, turns, links, timings, consistent placeholders', async () => {
    const file: ExportFile = exportFile.parse(JSON.parse(await exportText('json', true)));
    expect(file.shareSafe).toBe(true);
    const conv = file.analysis.conversations.find((c) => c.id === CONV);
    expect(conv?.turns).toHaveLength(1);
    const turn = conv?.turns[0];
    expect(turn?.userPrompt).toMatch(/^\[text-\d+\]$/);
    // Three reply deltas: three placeholders, decoded in order; the answer is complete.
    expect(turn?.assistantText).toMatch(/^(\[text-\d+\]){3}$/);
    expect(turn?.decoded.status).toBe('finished_successfully');
    expect(turn?.incomplete).toBe(false);
    expect(turn?.linkedCalls.latR?.guess).toBe(false);
    expect(conv?.title).toMatch(/^\[text-\d+\]$/);
    // The same title travels in the stream, gen_title and the list: one placeholder for all.
    expect(turn?.linkedCalls.genTitle?.title).toBe(conv?.title);
    expect(turn?.latency.ttftMs).toBeGreaterThan(0);

    const send = file.calls.find((c) => c.kind === 'conversation' && c.pageSessionId === 'me-page');
    const headers = new Map(send?.requestHeaders);
    expect(headers.get('oai-device-id')).toBe('[device-1]');
    expect(headers.get('oai-session-id')).toMatch(/^\[session-\d+\]$/);
    expect(headers.get('chatgpt-account-id')).toMatch(/^\[account-\d+\]$/);
    expect(headers.get('authorization')).toBe('Bearer [redacted]');
    // The CES event names the same device with the same placeholder.
    const ces = file.calls.find(
      (c) => c.url === 'https://chatgpt.com/ces/v1/b' && c.pageSessionId === 'me-page',
    );
    expect(ces?.requestBody).toContain('"device_id":"[device-1]"');
    expect(ces?.requestBody).toContain('"event":"Generate Completion"');
    // The gzip Statsig batch cannot be inspected: it is removed.
    const gz = file.calls.find((c) => c.url.includes('gz=1'));
    expect(gz?.requestBody).toBe('[binary body removed (share-safe)]');
    expect(gz?.url).toMatch(/sid=\[session-\d+\]/);
  });

  it('keeps stream timings: events keep the arrival time of the read that completed them', async () => {
    const cap = personalCapture();
    const file = exportFile.parse(
      JSON.parse(
        (await exportToText(memorySource(cap), { format: 'json', shareSafe: true, scope: ALL })).text,
      ),
    );
    const send = file.calls.find((c) => c.kind === 'conversation');
    const original = cap.chunks.get(send?.callId ?? '') ?? [];
    expect(send?.chunks.length).toBeGreaterThan(5);
    const times = new Set(original.map((c) => c.time));
    for (const ch of send?.chunks ?? []) expect(times.has(ch.time)).toBe(true);
    // Sizes on the wire are the original ones.
    expect(send?.chunks.reduce((n, c) => n + c.bytes, 0)).toBe(original.reduce((n, c) => n + c.bytes, 0));
  });
});

describe('Pseudonyms', () => {
  it('maps the same value to the same placeholder, and finds learned ids inside other text', () => {
    const p = new Pseudonyms();
    expect(p.get('device', P.deviceId)).toBe('[device-1]');
    expect(p.get('device', 'another-device-0001')).toBe('[device-2]');
    expect(p.get('device', P.deviceId)).toBe('[device-1]');
    expect(p.replaceKnown(`did=${P.deviceId}; mail ${P.email}`)).toBe('did=[device-1]; mail [email-1]');
    expect(p.get('email', 'ADA.LOVELACE@example.org')).toBe('[email-1]');
  });

  it('replaces names as whole words only, and never short generic values elsewhere', () => {
    const p = new Pseudonyms();
    p.get('name', 'Ada');
    p.get('workspace', 'default');
    expect(p.replaceKnown('Ada wrote metadata for Adam; default stays')).toBe(
      '[name-1] wrote metadata for Adam; default stays',
    );
  });
});

describe('ShareSafe on single calls', () => {
  const base: StoredCall = testCall({ callId: 'c1', pageSessionId: 'p1' });

  it('removes a send body it cannot parse (cut at the size cap) instead of guessing', () => {
    const safe = new ShareSafe();
    const { call } = safe.scrubCall(
      { ...base, requestBody: '{"messages":[{"content":{"parts":["my secret plan', requestTruncated: true },
      [],
    );
    expect(call.requestBody).toMatch(/^\[text-\d+\]$/);
  });

  it('treats a bare v1 string with an unknown inherited path as text (a resumed stream)', () => {
    const safe = new ShareSafe();
    const body =
      'event: delta\ndata: {"v": "private words"}\n\nevent: delta\ndata: {"p": "/message/status", "o": "replace", "v": "finished_successfully"}\n\n';
    const { chunks } = safe.scrubCall(
      { ...base, responseHeaders: [['content-type', 'text/event-stream']], responseBodyEncoding: 'text' },
      [{ callId: 'c1', seq: 0, time: 5, bytes: body.length, data: body }],
    );
    const text = chunks.map((c) => c.data).join('');
    expect(text).not.toContain('private');
    expect(text).toContain('"v":"finished_successfully"');
  });

  it('rewrites accounts/check keys (they are account ids) and keeps tool names', () => {
    const safe = new ShareSafe();
    const { chunks } = safe.scrubCall(
      {
        ...base,
        kind: 'accounts_check',
        method: 'GET',
        url: 'https://chatgpt.com/backend-api/accounts/check/v4',
      },
      [
        {
          callId: 'c1',
          seq: 0,
          time: 5,
          bytes: 10,
          data: JSON.stringify({
            accounts: { [P.accountId]: { account: { account_id: P.accountId } }, default: {} },
            tool: { author: { role: 'tool', name: 'python' } },
          }),
        },
      ],
    );
    const out = JSON.parse(chunks[0]?.data ?? '{}') as {
      accounts: Record<string, unknown>;
      tool: { author: { name: string } };
    };
    expect(Object.keys(out.accounts)).toEqual(['[account-1]', 'default']);
    expect(out.tool.author.name).toBe('python');
  });
});
