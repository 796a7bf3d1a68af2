import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer, until } from './test-page';

/**
 * The hook's abort listeners on `signal`: all but Node's fetch's own (undici's `abort`, which it drops only
 * once the request is garbage-collected, so their number depends on GC).
 */
const hookListeners = (signal: AbortSignal) =>
  getEventListeners(signal, 'abort').filter((f) => !String(f).includes('requestFinalizer')).length;

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server
    .stream('/sse', ['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n'])
    .on('/json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=CANARY' });
      res.end('{"accessToken":"eyJhbGciOi.eyJzdWIiOiJ4In0.sig","user":"u"}');
    })
    // The same document as HTML: not JSON and of no declared length, so it goes through the tap.
    .on('/doc', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('{"accessToken":"eyJhbGciOi.eyJzdWIiOiJ4In0.sig","user":"u"}');
    })
    // Small JSON of declared length (read whole) whose last line has no line break and a multi-byte
    // character across the 22-byte cap below, sent in two writes.
    .on('/json-utf8', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': '27' });
      res.write('{"a":"line"}\n{"b":"xxé');
      res.end('yy"}');
    })
    .on('/json-bad', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '9' });
      res.end(Buffer.from([...Buffer.from('{"a":"'), 0xc3, ...Buffer.from('"}')]));
    })
    .on('/sized', (_req, res) => {
      const body = '{"user":"u","items":[1,2,3]}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.end(body);
    })
    .on('/big', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const piece = Buffer.alloc(64 * 1024, 7);
      let left = 128;
      const write = () => {
        while (left > 0) {
          left--;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    })
    .on('/bad-utf8', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        Buffer.from(
          [...Buffer.from('data: a'), 0xc3, 0x28, ...Buffer.from('b\n\n')].filter((b) => b !== 0x28),
        ),
      );
    })
    .on('/real-fffd', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: a\uFFFDb\n\n');
    })
    .on('/echo', (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end(`got ${body.length}`);
    })
    .on('/bin', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2, 255]));
    })
    .on('/drop', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: partial\n\n');
      await sleep(20);
      res.socket?.destroy();
    })
    .stream(
      '/long',
      Array.from({ length: 40 }, (_, i) => `data: ${i}\n\n`),
      25,
    )
    .on('/redirect', (_req, res) => {
      res.writeHead(302, { location: '/json' });
      res.end();
    })
    .on('/hang', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
    });
});
afterAll(() => server.close());

const install = hookedPages();

describe('fetch hook', () => {
  it('records fetch(url, init) with a streamed response: head, chunks in order, complete', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/sse?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer SECRET', 'content-type': 'application/json' },
      body: '{"prompt":"hi"}',
    });
    // The page reads its own body as usual, in parallel with the recorder.
    expect(await res.text()).toBe('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n');
    const [call] = await ended(1);
    expect(call!.start).toMatchObject({
      transport: 'fetch',
      method: 'POST',
      url: `${server.origin}/sse?x=1`,
      pageUrl: 'https://chatgpt.com/c/test',
      requestBody: '{"prompt":"hi"}',
      requestBodyEncoding: 'text',
      pageSessionId: expect.any(String),
    });
    expect(call!.start.requestHeaders).toContainEqual(['authorization', 'Bearer [redacted]']);
    expect(call!.response).toMatchObject({ status: 200, responseBodyEncoding: 'text' });
    expect(call!.response!.responseHeaders).toContainEqual(['x-test', 'streamed']);
    // Each network read is its own chunk, stamped in arrival order (the server writes 15 ms apart).
    const data = call!.chunks.filter((c) => c.data !== '');
    expect(data.map((c) => c.data)).toEqual(['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n']);
    expect(data.map((c) => c.seq)).toEqual([0, 1, 2]);
    expect(data[1]!.time).toBeGreaterThan(data[0]!.time);
    expect(call!.response!.headersTime).toBeGreaterThanOrEqual(call!.start.startTime);
    expect(call!.end).toMatchObject({ outcome: 'complete', truncated: false, bodyBytes: 44 });
  });

  it("the page's URL is the document's at the call (after an in-page navigation too), whatever the page defines", async () => {
    const { win, ended } = install();
    // A single-page app's navigation (history.pushState) changes the document's URL.
    (win.location as { href: string }).href = `${server.origin}/c/other?x=1`;
    // A page script's own `URL` on its document is not what the browser's getter reads.
    Object.defineProperty(win.document, 'URL', { value: 'https://evil.test/' });
    // (The stand-in's native fetch, Node's, cannot take a relative URL: the call fails, and is recorded.)
    await win.fetch('/sized').catch(() => {});
    const [call] = await ended(1);
    expect(call!.start.pageUrl).toBe(`${server.origin}/c/other?x=1`);
    // Relative URLs resolve against it.
    expect(call!.start.url).toBe(`${server.origin}/sized`);
  });

  it('relative URLs resolve against the base URL, as fetch resolves them (a <base href> elsewhere)', async () => {
    const { win, ended } = install();
    (win.location as unknown as { base: string }).base = 'https://chat.openai.com/';
    await win.fetch('/backend-api/me').catch(() => {});
    const [call] = await ended(1);
    expect(call!.start.url).toBe('https://chat.openai.com/backend-api/me');
    expect(call!.start.pageUrl).toBe('https://chatgpt.com/c/test');
  });

  it('records fetch(Request): method, headers and body from the Request, relative URLs resolved', async () => {
    const { win, ended } = install();
    const req = new Request(`${server.origin}/echo`, {
      method: 'PUT',
      headers: { 'x-a': '1' },
      body: 'hello',
    });
    const res = await win.fetch(req);
    expect(await res.text()).toBe('got 5');
    expect(server.received.get('/echo')).toBe('hello');
    const [call] = await ended(1);
    expect(call!.start).toMatchObject({ method: 'PUT', url: `${server.origin}/echo`, requestBody: 'hello' });
    expect(call!.start.requestHeaders).toContainEqual(['x-a', '1']);
    expect(call!.response!.status).toBe(201);
    expect(call!.body).toBe('got 5');
  });

  it('redacts secrets in response bodies and headers; binary bodies are kept as base64', async () => {
    const { win, ended } = install();
    await (await win.fetch(`${server.origin}/json`)).json();
    await (await win.fetch(`${server.origin}/bin`)).arrayBuffer();
    const [json, bin] = await ended(2);
    expect(json!.body).toBe('{"accessToken":"[redacted]","user":"u"}');
    expect(json!.response!.responseHeaders).toContainEqual(['set-cookie', '[redacted]']);
    expect(bin!.response!.responseBodyEncoding).toBe('base64');
    expect(bin!.chunks.map((c) => [c.data, c.encoding])).toEqual([['AAEC/w==', 'base64']]);
  });

  it('records a network error mid-stream with what arrived, and a failure before any response', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/drop`);
    await expect(res.text()).rejects.toThrow();
    await expect(win.fetch('http://127.0.0.1:1/refused')).rejects.toThrow(TypeError);
    const [dropped, refused] = await ended(2);
    expect(dropped!.body).toBe('data: partial\n\n');
    expect(dropped!.end).toMatchObject({ outcome: 'error', bodyBytes: 15 });
    expect(refused!.response).toBeUndefined();
    expect(refused!.end!.outcome).toBe('error');
  });

  it('records an abort by the page as aborted, before and during the body', async () => {
    const { win, ended } = install();
    await expect(win.fetch(`${server.origin}/json`, { signal: AbortSignal.abort() })).rejects.toThrow();
    const ac = new AbortController();
    const res = await win.fetch(`${server.origin}/hang`, { signal: ac.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    ac.abort();
    await expect(reader.read()).rejects.toThrow();
    const [before, during] = await ended(2);
    expect(before!.end!.outcome).toBe('aborted');
    expect(during!.end!.outcome).toBe('aborted');
    expect(during!.body).toBe('data: first\n\n');
  });

  it('records nothing while recording is off, and the page still gets its response', async () => {
    const p = install();
    p.settings({ recording: false, maxBodyBytes: 100 });
    await sleep(20);
    expect(await (await p.win.fetch(`${server.origin}/echo`, { method: 'POST', body: 'x' })).text()).toBe(
      'got 1',
    );
    await sleep(30);
    expect(p.events).toEqual([]);
  });

  it('in the chatgpt scope records only ChatGPT hosts; the page still gets every response', async () => {
    const p = install();
    p.settings({ recording: true, maxBodyBytes: 100, scope: 'chatgpt' });
    await sleep(20);
    expect(await (await p.win.fetch(`${server.origin}/echo`, { method: 'POST', body: 'x' })).text()).toBe(
      'got 1',
    );
    await sleep(30);
    expect(p.events).toEqual([]);
    p.settings({ recording: true, maxBodyBytes: 100, scope: 'all' });
    await sleep(20);
    await (await p.win.fetch(`${server.origin}/echo`, { method: 'POST', body: 'x' })).text();
    expect((await p.ended(1))[0]!.start?.url).toBe(`${server.origin}/echo`);
  });

  it('reads ahead of the page only so far: a body the page does not read stops downloading', async () => {
    const { win, events } = install();
    const res = await win.fetch(`${server.origin}/big`);
    await sleep(400);
    const read = () =>
      events.filter((e) => e.type === 'chunk').reduce((n, e) => n + (e.type === 'chunk' ? e.bytes : 0), 0);
    // 8 MiB on offer; the hook has read about its 1 MiB read-ahead (plus what the transport buffers).
    expect(read()).toBeLessThan(3 * 1024 * 1024);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect((await res.arrayBuffer()).byteLength).toBe(8 * 1024 * 1024);
  });

  // Through the tap. A small body of declared length is read from a clone, which keeps this natively in
  // browsers but not in Node's fetch: e2e/hostile-checks.ts `abortAfterLastByteKeepsNativeSemantics`.
  it("follows the signal fetch follows: an init signal of null replaces the Request's own", async () => {
    // Found in review: the hook took the Request's signal, so aborting it errored a body fetch kept.
    const { win, ended } = install();
    const ac = new AbortController();
    const req = new Request(`${server.origin}/long?null-signal`, { signal: ac.signal });
    const res = await win.fetch(req, { signal: null });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('data: 39\n\n');
    const [call] = await ended(1);
    expect(call!.end!.outcome).toBe('complete');
  });

  it("lets go of a page's signal once a body is read: one signal for many calls keeps none of them", async () => {
    // A page may pass one long-lived signal to all its calls; the hook's abort listener on it kept each
    // call's stream for as long as the signal lived (found in review).
    const { win, ended } = install();
    const ac = new AbortController();
    for (let i = 0; i < 3; i++)
      await (await win.fetch(`${server.origin}/sse?one-signal=${i}`, { signal: ac.signal })).text();
    await ended(3);
    // A body's last piece may still sit unread when its end arrives (a busy machine): the listener is let
    // go of once the page has read it (looked at again 0.1 s after the end, then at longer intervals).
    await until(() => hookListeners(ac.signal) === 0, "the hook's listeners let go of", 2000);
  });

  it("lets go of a page's signal once the page has read a body that had ended unread", async () => {
    const { win, ended } = install();
    const ac = new AbortController();
    const res = await win.fetch(`${server.origin}/sse?late-read`, { signal: ac.signal });
    await ended(1);
    // Ended, all of it unread: an abort would still take it away, so the listener stays.
    expect(hookListeners(ac.signal)).toBe(1);
    expect(await res.text()).toBe('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n');
    await until(() => hookListeners(ac.signal) === 0, "the hook's listener let go of", 2000);
  });

  it('an abort after the last byte arrived still errors what the page has not read, as natively', async () => {
    const { win, ended } = install();
    const ac = new AbortController();
    const res = await win.fetch(`${server.origin}/doc`, { signal: ac.signal });
    await sleep(50);
    ac.abort();
    await expect(res.text()).rejects.toThrow();
    const [call] = await ended(1);
    expect(call!.body).toContain('"user":"u"');
  });

  it("redacts a token in the page's abort reason before it leaves the page (found in review)", async () => {
    const { win, ended } = install();
    const ac = new AbortController();
    const pending = win.fetch(`${server.origin}/sse`, { signal: ac.signal });
    ac.abort(new Error('cancelled with Bearer sk-CANARYabortreason0123456789'));
    await expect(pending).rejects.toThrow();
    const [call] = await ended(1);
    expect(call!.end!.outcome).toBe('aborted');
    expect(call!.end!.error).not.toContain('CANARY');
  });

  it('cuts the body at the cap and flags it', async () => {
    const p = install();
    p.settings({ recording: true, maxBodyBytes: 20 });
    await sleep(20);
    const res = await p.win.fetch(`${server.origin}/sse`);
    expect(await res.text()).toHaveLength(44);
    const [call] = await p.ended(1);
    expect(call!.end).toMatchObject({ outcome: 'complete', truncated: true, bodyBytes: 44 });
    // Exactly up to the cap: the read that crosses it is cut there, not dropped whole.
    expect(call!.body).toBe('data: {"a":1}\n\ndata:');
  });

  it('a small body of declared length is read whole: one chunk with all its text, stamped when it ended', async () => {
    const { win, ended } = install();
    expect(await (await win.fetch(`${server.origin}/json-utf8`)).text()).toBe('{"a":"line"}\n{"b":"xxéyy"}');
    const [call] = await ended(1);
    expect(call!.chunks.map((c) => [c.seq, c.data, c.bytes])).toEqual([
      [0, '{"a":"line"}\n{"b":"xxéyy"}', 27],
    ]);
    expect(call!.chunks[0]!.time).toBe(call!.end!.endTime);
    expect(call!.end).toMatchObject({ outcome: 'complete', truncated: false, bodyBytes: 27, chunkCount: 1 });
    expect(call!.end!.malformedText).toBeUndefined();
  });

  it('a body read whole is cut at the cap (a character split there is dropped) and flagged', async () => {
    const p = install();
    p.settings({ recording: true, maxBodyBytes: 22 });
    await sleep(20);
    await (await p.win.fetch(`${server.origin}/json-utf8`)).text();
    const [call] = await p.ended(1);
    // 22 bytes end inside 'é' (bytes 22-23): the text ends before it, unflagged.
    expect(call!.body).toBe('{"a":"line"}\n{"b":"xx');
    expect(call!.end).toMatchObject({ outcome: 'complete', truncated: true, bodyBytes: 27, chunkCount: 1 });
    expect(call!.end!.malformedText).toBeUndefined();
  });

  it('a body read whole that is not valid UTF-8 is flagged', async () => {
    const { win, ended } = install();
    await (await win.fetch(`${server.origin}/json-bad`)).arrayBuffer();
    const [call] = await ended(1);
    expect(call!.body).toBe('{"a":"\uFFFD"}');
    expect(call!.end!.malformedText).toBe(true);
  });

  it('flags a text body that is not valid UTF-8, and keeps a real U+FFFD unflagged', async () => {
    const { win, ended } = install();
    await (await win.fetch(`${server.origin}/bad-utf8`)).arrayBuffer();
    await (await win.fetch(`${server.origin}/real-fffd`)).arrayBuffer();
    const [bad, real] = await ended(2);
    expect(bad!.end!.malformedText).toBe(true);
    expect(bad!.body).toBe('data: a\uFFFDb\n\n');
    expect(real!.end!.malformedText).toBeUndefined();
    expect(real!.body).toBe('data: a\uFFFDb\n\n');
  });

  it('a body the page cancels stops the download and is recorded as cancelled, with what arrived', async () => {
    const { win, ended } = install();
    for (const how of ['reader', 'body'] as const) {
      const res = await win.fetch(`${server.origin}/long?how=${how}`);
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 0\n\n');
      if (how === 'reader') await reader.cancel();
      else {
        reader.releaseLock();
        await res.body!.cancel();
      }
    }
    // The server sees each connection close long before its 40 parts (1 s) would have been written.
    await until(
      () => server.closedEarly.filter((p) => p.startsWith('/long')).length === 2,
      'both closed',
      600,
    );
    const calls = await ended(2);
    for (const c of calls) {
      expect(c.end).toMatchObject({ outcome: 'cancelled' });
      expect(c.body.startsWith('data: 0\n\n')).toBe(true);
      expect(c.end!.bodyBytes).toBeLessThan(60);
    }
  });

  it('a cancel or an abort at once, before the body is first read, is recorded with its head', async () => {
    // The hook opens the network body on its stream's first pull, a microtask after the page's promise
    // settles (fetch.ts `tap`): what the page does first must still reach the network and the record.
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?at-once`);
    await res.body!.cancel();
    const ac = new AbortController();
    const aborted = await win.fetch(`${server.origin}/hang?at-once`, { signal: ac.signal });
    ac.abort();
    await expect(aborted.text()).rejects.toThrow();
    await until(() => server.closedEarly.includes('/long?at-once'), 'closed at once', 600);
    const [cancelled, abortedCall] = await ended(2);
    expect(cancelled!.response?.status).toBe(200);
    expect(cancelled!.end).toMatchObject({ outcome: 'cancelled', bodyBytes: 0 });
    expect(abortedCall!.response?.status).toBe(200);
    expect(abortedCall!.end?.outcome).toBe('aborted');
  });

  it("the page's Response looks like the native one: class, url, redirected, type, status, headers", async () => {
    const { win, ended } = install();
    const bare = await fetch(`${server.origin}/redirect`);
    const res = await win.fetch(`${server.origin}/redirect`);
    expect(res).toBeInstanceOf(win.Response);
    expect(Object.getPrototypeOf(res)).toBe(win.Response.prototype);
    expect(Object.getOwnPropertyNames(res)).toEqual(Object.getOwnPropertyNames(bare));
    const look = (r: Response) => [r.url, r.redirected, r.type, r.status, r.statusText, r.ok, r.bodyUsed];
    expect(look(res)).toEqual(look(bare));
    expect(res.redirected).toBe(true);
    expect([...res.headers].filter(([n]) => n !== 'date')).toEqual(
      [...bare.headers].filter(([n]) => n !== 'date'),
    );
    // The Headers are the original's: the same object each time, immutable as a fetched response's are.
    expect(res.headers).toBe(res.headers);
    expect(() => res.headers.set('x', '1')).toThrow(TypeError);
    const copy = res.clone();
    expect(look(copy)).toEqual(look(bare));
    expect(await copy.text()).toBe(await bare.text());
    expect(await res.json()).toEqual({ accessToken: 'eyJhbGciOi.eyJzdWIiOiJ4In0.sig', user: 'u' });
    expect(res.bodyUsed).toBe(true);
    await ended(1);
  });

  it('a body of declared length within the read-ahead is read from a clone: the page gets the native Response', async () => {
    // What the network gave, before the hook wraps fetch.
    const given: Response[] = [];
    const { win, ended } = install(({ win }) => {
      const native = win.fetch;
      win.fetch = (async (...args: Parameters<typeof fetch>) => {
        const r = await native(...args);
        given.push(r);
        return r;
      }) as typeof fetch;
    });
    const res = await win.fetch(`${server.origin}/sized`);
    // The native Response itself, with its own body: nothing of the hook between the network and the page.
    expect(res).toBe(given[0]);
    expect(await res.json()).toEqual({ user: 'u', items: [1, 2, 3] });
    // A streamed body (no declared length) is fed through the hook's tap instead.
    expect(await (await win.fetch(`${server.origin}/sse`)).text()).toContain('[DONE]');
    expect(given).toHaveLength(2);
    const [call] = await ended(1);
    expect(call!.end).toMatchObject({ outcome: 'complete', bodyBytes: 28 });
    expect(call!.body).toBe('{"user":"u","items":[1,2,3]}');
    // The page cancelling such a body does not cut the record: the declared bytes are read whole.
    const again = await win.fetch(`${server.origin}/sized`);
    await again.body!.cancel();
    const calls = await ended(3);
    expect(calls[2]!.end).toMatchObject({ outcome: 'complete', bodyBytes: 28 });
  });
});
