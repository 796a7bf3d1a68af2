import { describe, expect, it } from 'vitest';
import { apiPath, header, isEventStream, isLive, isOpen, joinBody } from './call-facts';
import type { StoredChunk } from './schema';
import { testCall } from './test-call';

describe('call facts', () => {
  it('finds a header whatever the case of either name, first one wins', () => {
    const list: [string, string][] = [
      ['Content-Type', 'text/event-stream; charset=utf-8'],
      ['content-type', 'application/json'],
    ];
    expect(header(list, 'content-type')).toBe('text/event-stream; charset=utf-8');
    expect(header(list, 'CONTENT-TYPE')).toBe('text/event-stream; charset=utf-8');
    expect(header(list, 'location')).toBeNull();
    expect(header(undefined, 'location')).toBeNull();
  });

  it('tells event streams by their content type', () => {
    expect(isEventStream(testCall({ responseHeaders: [['Content-Type', 'Text/Event-Stream']] }))).toBe(true);
    expect(isEventStream(testCall({ responseHeaders: [['content-type', 'application/json']] }))).toBe(false);
    expect(isEventStream(testCall())).toBe(false);
  });

  it('calls a call open without an end, live only when recorded here', () => {
    expect(isOpen(testCall())).toBe(true);
    expect(isLive(testCall())).toBe(true);
    expect(isLive(testCall({ importId: 'i' }))).toBe(false);
    expect(isOpen(testCall({ importId: 'i' }))).toBe(true);
    expect(isOpen(testCall({ endTime: 2 }))).toBe(false);
    expect(isLive(testCall({ endTime: 2 }))).toBe(false);
  });

  it('strips the backend prefix from API paths', () => {
    expect(apiPath('https://chatgpt.com/backend-api/f/conversation/')).toBe('/conversation');
    expect(apiPath('https://chatgpt.com/backend-anon/sentinel/ping?x=1')).toBe('/sentinel/ping');
    expect(apiPath('https://chatgpt.com/backend-api')).toBe('/');
    expect(apiPath('https://chatgpt.com/public-api/x')).toBe('/public-api/x');
    expect(apiPath('not a url')).toBe('not a url');
  });

  it('joins the inbound chunks of a body, re-encoding base64 bytes', () => {
    const chunk = (seq: number, data: string, direction?: 'out'): StoredChunk => ({
      callId: 'c',
      seq,
      time: seq,
      bytes: data.length,
      data,
      ...(direction ? { direction } : {}),
    });
    expect(joinBody([chunk(0, 'ab'), chunk(1, 'sent', 'out'), chunk(2, 'cd')])).toBe('abcd');
    expect(joinBody([chunk(0, btoa('he')), chunk(1, btoa('llo'))], 'base64')).toBe(btoa('hello'));
  });
});
