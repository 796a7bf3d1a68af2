/**
 * An attack run (Node stand-in page): the hook still asks the page's current globals (`window.Blob`,
 * `window.Request`) and their Symbol.hasInstance which kind of body or input it has. A page that replaces
 * them (keeping its own references to the originals) loses or falsifies the record of its calls.
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
