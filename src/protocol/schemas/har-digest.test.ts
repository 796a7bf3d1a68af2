import { describe, expect, it } from 'vitest';
import { classify } from '../classify';
import { decodeBody } from '../decode';
import { REAL_SSE, readFixture } from '../test-fixtures';
import { validateBody } from './index';
import { DIGEST_2023, DIGEST_2026, isTruncated, readDigest } from './samples.test-data';

/** The digest writes this placeholder where the HAR had a binary (gzip) body; the hook would have bytes. */
const BINARY_PLACEHOLDER = /^<gzip-compressed binary body/;

interface Row {
  call: string;
  side: 'request' | 'response';
  outcome: string;
}

function check(digestName: string): Row[] {
  const rows: Row[] = [];
  for (const entry of readDigest(digestName).entries) {
    const { method, url } = entry.request;
    const kind = classify(method, url);
    const call = `${method} ${new URL(url).host}${new URL(url).pathname}`;
    const bodies: ['request' | 'response', string | null | undefined][] = [
      ['request', entry.request.postData?.text],
      ['response', entry.response.content.text],
    ];
    for (const [side, text] of bodies) {
      const body = text ?? null;
      let outcome: string;
      if (body !== null && isTruncated(body)) {
        outcome = 'skipped: truncated by the digest';
      } else if (body !== null && BINARY_PLACEHOLDER.test(body)) {
        outcome = validateBody(kind, side, 'H4sI', 'base64', { url }).status;
      } else {
        const result = validateBody(kind, side, body, 'text', { url, status: entry.response.status });
        outcome = result.issue
          ? `${result.status} ${result.issue.path}: ${result.issue.message}`
          : result.status;
      }
      rows.push({ call, side, outcome });
    }
  }
  return rows;
}

describe('HAR digest bodies validate against the schemas', () => {
  it('2023-12-23 chat.openai.com', () => {
    expect(check(DIGEST_2023)).toEqual([
      { call: 'POST chat.openai.com/ces/v1/b', side: 'request', outcome: 'ok' },
      { call: 'POST chat.openai.com/ces/v1/b', side: 'response', outcome: 'ok' },
      { call: 'POST chat.openai.com/ces/v1/b', side: 'request', outcome: 'ok' },
      { call: 'POST chat.openai.com/ces/v1/b', side: 'response', outcome: 'ok' },
      { call: 'POST chat.openai.com/backend-api/sentinel/arkose/dx', side: 'request', outcome: 'empty' },
      { call: 'POST chat.openai.com/backend-api/sentinel/arkose/dx', side: 'response', outcome: 'ok' },
      // The Arkose iframe's host is not ChatGPT's: kept as `other`, no schema.
      {
        call: 'GET tcr9i.chat.openai.com/v2/2.3.1/enforcement.db38df7eed55a4641d0eec2d11e1ff6a.html',
        side: 'request',
        outcome: 'empty',
      },
      {
        call: 'GET tcr9i.chat.openai.com/v2/2.3.1/enforcement.db38df7eed55a4641d0eec2d11e1ff6a.html',
        side: 'response',
        outcome: 'empty',
      },
      {
        call: 'GET tcr9i.chat.openai.com/v2/2.3.1/enforcement.db38df7eed55a4641d0eec2d11e1ff6a.html',
        side: 'request',
        outcome: 'empty',
      },
      {
        call: 'GET tcr9i.chat.openai.com/v2/2.3.1/enforcement.db38df7eed55a4641d0eec2d11e1ff6a.html',
        side: 'response',
        outcome: 'no-schema',
      },
      {
        call: 'GET tcr9i.chat.openai.com/v2/35536E1E-65B4-4D96-9D97-6ADB7EFF8147/settings',
        side: 'request',
        outcome: 'empty',
      },
      {
        call: 'GET tcr9i.chat.openai.com/v2/35536E1E-65B4-4D96-9D97-6ADB7EFF8147/settings',
        side: 'response',
        outcome: 'no-schema',
      },
      {
        call: 'POST tcr9i.chat.openai.com/fc/gt2/public_key/35536E1E-65B4-4D96-9D97-6ADB7EFF8147',
        side: 'request',
        outcome: 'skipped: truncated by the digest',
      },
      {
        call: 'POST tcr9i.chat.openai.com/fc/gt2/public_key/35536E1E-65B4-4D96-9D97-6ADB7EFF8147',
        side: 'response',
        outcome: 'no-schema',
      },
      { call: 'GET tcr9i.chat.openai.com/fc/a/', side: 'request', outcome: 'empty' },
      { call: 'GET tcr9i.chat.openai.com/fc/a/', side: 'response', outcome: 'no-schema' },
      { call: 'POST chat.openai.com/backend-api/conversation', side: 'request', outcome: 'ok' },
      // Chrome did not save the streamed body (content.text null).
      { call: 'POST chat.openai.com/backend-api/conversation', side: 'response', outcome: 'empty' },
      { call: 'POST chat.openai.com/backend-api/lat/r', side: 'request', outcome: 'ok' },
      { call: 'POST chat.openai.com/backend-api/lat/r', side: 'response', outcome: 'ok' },
      { call: 'POST chat.openai.com/ces/v1/b', side: 'request', outcome: 'ok' },
      { call: 'POST chat.openai.com/ces/v1/b', side: 'response', outcome: 'ok' },
    ]);
  });

  it('2026-03-12 chatgpt.com /backend-anon', () => {
    const rows = check(DIGEST_2026);
    const byCall = (call: string) => rows.filter((r) => r.call === call).map((r) => `${r.side} ${r.outcome}`);
    // The send's response is the event stream: not JSON, decoded by the stream decoders instead (below).
    expect(byCall('POST chatgpt.com/backend-anon/f/conversation')).toEqual([
      'request ok',
      'response not-json',
    ]);
    expect(byCall('POST chatgpt.com/backend-anon/sentinel/chat-requirements/prepare')).toEqual([
      'request ok',
      'response skipped: truncated by the digest',
    ]);
    expect(byCall('POST chatgpt.com/backend-anon/sentinel/chat-requirements/finalize')).toEqual([
      'request ok',
      'response ok',
    ]);
    expect(new Set(byCall('POST chatgpt.com/backend-anon/sentinel/ping'))).toEqual(
      new Set(['request empty', 'response ok']),
    );
    expect(new Set(byCall('POST ab.chatgpt.com/v1/rgstr'))).toEqual(
      new Set(['request binary', 'response ok']),
    );
    expect(new Set(byCall('POST chatgpt.com/ces/v1/t'))).toEqual(new Set(['request ok', 'response ok']));
    expect(rows).toHaveLength(2 * 21);
    expect(rows.filter((r) => r.outcome.startsWith('unrecognized'))).toEqual([]);
  });

  it('the digest’s conversation response is the .sse fixture and decodes to the README text', () => {
    const entry = readDigest(DIGEST_2026).entries[0];
    const text = entry?.response.content.text ?? '';
    expect(text).toBe(readFixture(REAL_SSE));
    expect(decodeBody(text).text).toBe(
      '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a',
    );
  });
});
