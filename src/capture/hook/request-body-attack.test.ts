/**
 * An attack run (Node stand-in page): request bodies the hook does not copy at call time. `snapshot()` passes
 * anything that is not bytes or a Blob through as it is, and `bodyOf()` reads it at flush time: a page
 * object shaped like the hook's own `{ bytes, truncated }` is recorded as those bytes (natively fetch sends
 * its string form), and a URLSearchParams or FormData the page changes after the call is recorded as changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

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
