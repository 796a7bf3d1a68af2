import { describe, expect, it } from 'vitest';
import type { StoredCall } from '../store/schema';
import { callLabel, formatBytes, formatDelta, formatMs, formatOffset, tryParseJson, urlPath } from './format';

const call = (
  kind: StoredCall['kind'],
  url: string,
  contentType = 'application/json',
): Pick<StoredCall, 'kind' | 'url' | 'transport' | 'responseHeaders'> => ({
  kind,
  url,
  transport: 'fetch',
  responseHeaders: [['content-type', contentType]],
});

describe('formatMs', () => {
  it('picks a unit and precision by size', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(0.25)).toBe('0.25 ms');
    expect(formatMs(4.56)).toBe('4.6 ms');
    expect(formatMs(640.6)).toBe('641 ms');
    expect(formatMs(2486.9)).toBe('2.49 s');
    expect(formatMs(42_000)).toBe('42.0 s');
    expect(formatMs(125_000)).toBe('2m 05s');
    expect(formatMs(3_720_000)).toBe('1h 02m');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });
  it('signs differences and offsets', () => {
    expect(formatDelta(12)).toBe('+12 ms');
    expect(formatDelta(-3.14)).toBe('−3.1 ms');
    expect(formatDelta(0)).toBe('±0 ms');
    expect(formatOffset(1500)).toBe('+1.50 s');
    expect(formatOffset(-5)).toBe('+0 ms');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5300)).toBe('5.2 kB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MB');
  });
});

describe('callLabel', () => {
  it('names each kind as the seed flow numbers its steps', () => {
    expect(
      callLabel(call('prompt_library', 'https://chat.openai.com/backend-api/prompt_library/?limit=4')),
    ).toBe('prompt_library');
    expect(callLabel(call('ces', 'https://chat.openai.com/ces/v1/b'))).toBe('ces');
    expect(
      callLabel(call('accounts_check', 'https://chat.openai.com/backend-api/accounts/check/v4-2023-04-27')),
    ).toBe('accounts/check');
    expect(
      callLabel(
        call(
          'conversation',
          'https://chat.openai.com/backend-api/conversation',
          'text/event-stream; charset=utf-8',
        ),
      ),
    ).toBe('conversation (stream)');
    expect(callLabel(call('lat_r', 'https://chat.openai.com/backend-api/lat/r'))).toBe('lat/r');
  });
  it('refines kinds that cover several endpoints', () => {
    expect(
      callLabel(call('sentinel', 'https://chatgpt.com/backend-anon/sentinel/chat-requirements/prepare')),
    ).toBe('sentinel/chat-requirements/prepare');
    expect(callLabel(call('conversation', 'https://chatgpt.com/backend-api/f/conversation/resume'))).toBe(
      'conversation/resume',
    );
    expect(callLabel(call('other', 'https://chatgpt.com/backend-api/me'))).toBe('me');
  });
});

describe('helpers', () => {
  it('keeps path and query of a URL', () => {
    expect(urlPath('https://chatgpt.com/backend-api/conversations?offset=0')).toBe(
      '/backend-api/conversations?offset=0',
    );
    expect(urlPath('not a url')).toBe('not a url');
  });
  it('parses JSON only when it is JSON', () => {
    expect(tryParseJson('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(tryParseJson('data: x')).toBeNull();
    expect(tryParseJson('{broken')).toBeNull();
  });
});
