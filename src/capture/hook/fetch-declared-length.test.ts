/**
 * Bodies with a declared length (found in review): only a small, uncompressed one is read from a clone
 * (fetch.ts `bounded`). A larger one, sent slowly, goes through the tap, so the page's cancel still closes
 * the connection and is recorded as cancelled; a compressed one, whose declared length is its compressed
 * size, is read ahead of the page only so far.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installHook } from './index';
import { sleep, type TestPage, TestServer, testPage, until } from './test-page';

let server: TestServer;
let page: TestPage;
/** 2 KiB a part, 40 parts: 80 KiB declared, more than is read from a clone. */
const PART = `${'x'.repeat(2047)}\n`;
beforeAll(async () => {
  server = await new TestServer().start();
  // A body with a declared length that the server sends slowly: a slow download, a JSON document streamed
  // with a Content-Length.
  server.on('/slow-len', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(PART.length * 40) });
    for (let i = 0; i < 40; i++) {
      if (res.destroyed) return;
      res.write(PART);
      await sleep(25);
    }
    res.end();
  });
  // 16 MiB of JSON-ish text, gzip: the declared length is the compressed size (a few KiB).
  const gz = gzipSync(Buffer.alloc(16 * 1024 * 1024, 'a'));
  server.on('/gz', (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-encoding': 'gzip',
      'content-length': String(gz.length),
    });
    res.end(gz);
  });
});
afterAll(() => server.close());
afterEach(() => page?.close());

describe('fetch hook, bodies with a declared length', () => {
  it("the page's cancel of a body with a Content-Length stops the download, as natively", async () => {
    page = testPage();
    installHook(page.win);
    const res = await page.win.fetch(`${server.origin}/slow-len`);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value).startsWith('xx')).toBe(true);
    await reader.cancel();
    // Natively the connection closes at once; 40 parts take 1 s.
    await until(() => server.closedEarly.includes('/slow-len'), 'closed early', 600);
  });

  it('records a body the page cancelled as cancelled', async () => {
    page = testPage();
    installHook(page.win);
    const res = await page.win.fetch(`${server.origin}/slow-len?2`);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const [call] = await page.ended(1);
    expect(call!.end).toMatchObject({ outcome: 'cancelled' });
  });

  it('a gzip body whose compressed length is declared is still read ahead of the page only so far', async () => {
    page = testPage();
    installHook(page.win);
    const { win, events } = page;
    const res = await win.fetch(`${server.origin}/gz`);
    await sleep(400);
    const read = () =>
      events.filter((e) => e.type === 'chunk').reduce((n, e) => n + (e.type === 'chunk' ? e.bytes : 0), 0);
    // As in fetch.test.ts: the hook reads about its 1 MiB read-ahead of a body the page does not read
    // (the declared 'content-length' is the compressed size, not the body's).
    expect(read()).toBeLessThan(3 * 1024 * 1024);
    expect((await res.arrayBuffer()).byteLength).toBe(16 * 1024 * 1024);
  });
});
