/**
 * Attack runs on how the hook reads a call's request (Node stand-in page).
 * - Replaced globals: the hook asked the page's current globals (`window.Blob`, `window.Request`) and
 *   their Symbol.hasInstance which kind of body or input it had; a page that replaced them (keeping its
 *   own references to the originals) lost or falsified the record of its calls.
 * - Request bodies read at flush time: `snapshot()` passed anything that was not bytes or a Blob through
 *   as it was, and `bodyOf()` read it at flush time: a page object shaped like the hook's own
 *   `{ bytes, truncated }` was recorded as those bytes (natively fetch sends its string form), and a
 *   URLSearchParams or FormData the page changed after the call was recorded as changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeXhr, hookedPages, sleep, TestServer } from './test-page';

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server.on('/echo', (_req, res, body) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`got ${body.toString('utf8')}`);
  });
});
afterAll(() => server.close());

const install = hookedPages();
type Win = Record<string, unknown>;

describe('attack: replaced Blob / Request globals', () => {
  it('a page whose window.Blob claims every value is a Blob still has its fetch recorded', async () => {
    const page = install();
    await sleep(20);
    (page.win as unknown as Win).Blob = { [Symbol.hasInstance]: () => true };
    const res = await page.win.fetch(`${server.origin}/echo?a`, { method: 'POST', body: 'hello' });
    expect(await res.text()).toBe('got hello');
    // Failed before: snapshot() takes the string for a Blob, blobSlice() rejects, and the start event is never queued.
    const [call] = await page.ended(1);
    expect(call!.start.requestBody).toBe('hello');
  });

  it('a page whose window.Blob claims every value is a Blob still has its XHR recorded', async () => {
    const page = install();
    await sleep(20);
    (page.win as unknown as Win).Blob = { [Symbol.hasInstance]: () => true };
    FakeXhr.scripts.set('/x', { parts: ['ok'] });
    const xhr = new page.win.XMLHttpRequest();
    xhr.open('POST', '/x');
    xhr.send('hello');
    const [call] = await page.ended(1);
    expect(call!.start.requestBody).toBe('hello');
  });

  it('a page that replaced window.Request still has a fetch(Request) recorded with its URL and body', async () => {
    const page = install();
    await sleep(20);
    const win = page.win as unknown as Win;
    const PageRequest = win.Request as typeof Request;
    win.Request = function Request() {};
    const res = await page.win.fetch(
      new PageRequest(`${server.origin}/echo?c`, { method: 'POST', body: 'hello' }),
    );
    expect(await res.text()).toBe('got hello');
    // Failed before: `input instanceof win.Request` is false now, so the hook records String(input)
    // ("[object Request]"), GET and no body, or nothing at all.
    const [call] = await page.ended(1);
    expect([call!.start.url, call!.start.method, call!.start.requestBody]).toEqual([
      `${server.origin}/echo?c`,
      'POST',
      'hello',
    ]);
  });
});

describe('attack: request bodies read at flush time', () => {
  it("a page object shaped like the hook's Bytes is recorded as what fetch sent (its string form)", async () => {
    const page = install();
    await sleep(20);
    const body = {
      bytes: new TextEncoder().encode('forged body'),
      truncated: false,
      toString: () => 'real body',
    };
    const res = await page.win.fetch(`${server.origin}/echo?a`, {
      method: 'POST',
      body: body as unknown as BodyInit,
    });
    expect(await res.text()).toBe('got real body');
    const [call] = await page.ended(1);
    // Failed before: the record says "forged body".
    expect(call!.start.requestBody).not.toBe('forged body');
  });

  it('a URLSearchParams body changed right after the call is recorded as sent', async () => {
    const page = install();
    await sleep(20);
    const params = new URLSearchParams('q=sent');
    const done = page.win.fetch(`${server.origin}/echo?b`, { method: 'POST', body: params });
    params.set('q', 'changed');
    const res = await done;
    expect(await res.text()).toBe('got q=sent');
    const [call] = await page.ended(1);
    // Failed before: "q=changed" (String(params) runs at flush time).
    expect(call!.start.requestBody).toBe('q=sent');
  });
});
