import { describe, expect, it } from 'vitest';
import { FakeXhr, hookedPages } from './test-page';

const install = hookedPages();
const run = (xhr: XMLHttpRequest) =>
  new Promise<void>((resolve) => xhr.addEventListener('loadend', () => resolve(), { once: true }));

describe('XMLHttpRequest hook', () => {
  it('records a streamed text XHR: request, headers, progress chunks in order, complete', async () => {
    const { win, ended } = install();
    FakeXhr.scripts.set('/backend-api/conversation', {
      status: 200,
      headers: [['content-type', 'text/event-stream']],
      parts: ['data: 1\n\n', 'data: 2\n\n', 'data: [DONE]\n\n'],
    });
    const xhr = new win.XMLHttpRequest();
    xhr.open('post', '/backend-api/conversation');
    xhr.setRequestHeader('Authorization', 'Bearer SECRET');
    const done = run(xhr);
    xhr.send('{"action":"next"}');
    await done;
    expect(FakeXhr.sent[0]).toEqual([
      'post',
      '/backend-api/conversation',
      [['Authorization', 'Bearer SECRET']],
      '{"action":"next"}',
    ]);
    const [call] = await ended(1);
    expect(call!.start).toMatchObject({
      transport: 'xhr',
      method: 'POST',
      url: 'https://chatgpt.com/backend-api/conversation',
      requestBody: '{"action":"next"}',
      requestHeaders: [['Authorization', 'Bearer [redacted]']],
    });
    expect(call!.response).toMatchObject({
      status: 200,
      responseHeaders: [['content-type', 'text/event-stream']],
    });
    expect(call!.chunks.filter((c) => c.data).map((c) => c.data)).toEqual([
      'data: 1\n\n',
      'data: 2\n\n',
      'data: [DONE]\n\n',
    ]);
    expect(call!.end).toMatchObject({ outcome: 'complete', bodyBytes: 32 });
  });

  it('records a json XHR body, an abort and a network error', async () => {
    const { win, ended } = install();
    FakeXhr.scripts.set('/j', { parts: ['{"a":', '1}'] });
    FakeXhr.scripts.set('/slow', { parts: ['x', 'y'], delayMs: 50 });
    FakeXhr.scripts.set('/down', { networkError: true });
    const j = new win.XMLHttpRequest();
    j.open('GET', '/j');
    j.responseType = 'json';
    j.send();
    await run(j);
    const slow = new win.XMLHttpRequest();
    slow.open('GET', '/slow');
    slow.send();
    setTimeout(() => slow.abort(), 20);
    await run(slow);
    const down = new win.XMLHttpRequest();
    down.open('GET', '/down');
    down.send();
    await run(down);
    const [json, aborted, failed] = await ended(3);
    expect(json!.body).toBe('{"a":1}');
    expect(json!.end!.outcome).toBe('complete');
    expect(aborted!.end!.outcome).toBe('aborted');
    expect(failed!.end).toMatchObject({ outcome: 'error', error: 'network error' });
  });

  it('one object used twice: two calls, each with its own response', async () => {
    const { win, ended } = install();
    FakeXhr.scripts.set('/a', { parts: ['A'] });
    FakeXhr.scripts.set('/b', { parts: ['B'] });
    const x = new win.XMLHttpRequest();
    for (const u of ['/a', '/b']) {
      x.open('GET', u);
      x.send();
      await run(x);
    }
    const calls = await ended(2);
    expect(calls.map((c) => [c.start.url, c.body])).toEqual([
      ['https://chatgpt.com/a', 'A'],
      ['https://chatgpt.com/b', 'B'],
    ]);
  });

  it('a send that throws is recorded as a failure, not as a request that went out', async () => {
    const { win, ended } = install();
    FakeXhr.scripts.set('/once', { parts: ['ok'], delayMs: 20 });
    const x = new win.XMLHttpRequest();
    x.open('GET', '/once');
    const done = run(x);
    x.send();
    // Sending again while the first request runs throws InvalidStateError, as in browsers.
    expect(() => x.send('again')).toThrow(/not opened/);
    await done;
    const calls = await ended(2);
    expect(FakeXhr.sent).toHaveLength(1);
    const [first, second] = calls;
    expect(first!.end).toMatchObject({ outcome: 'complete' });
    expect(first!.body).toBe('ok');
    expect(second!.start.requestBody).toBe('again');
    expect(second!.response).toBeUndefined();
    expect(second!.end).toMatchObject({
      outcome: 'error',
      error: 'send threw InvalidStateError: not opened',
    });
  });
});
