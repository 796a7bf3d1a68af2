/**
 * An attack run: the relay's settings are read through the browser's MessageEvent data getter, but then parsed
 * by readSettingsMessage (src/capture/channel.ts), which called the page's live `Number.isInteger` and
 * `String`. The first settings arrive after page scripts run: a page that replaces either keeps the hook
 * from ever taking its port (every capture stays in the page) or forges the settings (recording off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server.on('/echo', (_req, res, body) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`got ${body.length}`);
  });
});
afterAll(() => server.close());

const install = hookedPages();

describe('attack: the settings message is checked with page-replaceable globals', () => {
  it('a page that replaces Number.isInteger before the relay settings arrive does not stop recording', async () => {
    const page = install();
    // The page's first script, right after the hook installed (the relay's settings are still on the way).
    const original = Number.isInteger;
    Number.isInteger = () => false;
    try {
      await sleep(50); // the relay's settings arrive and are refused
    } finally {
      Number.isInteger = original;
    }
    const res = await page.win.fetch(`${server.origin}/echo?after-isInteger`);
    await res.text();
    const [call] = await page.ended(1);
    expect(call!.start.url).toBe(`${server.origin}/echo?after-isInteger`);
  });

  it('a page that replaces String cannot forge the relay settings (recording off)', async () => {
    const page = install();
    const original = globalThis.String;
    const forged = '{"type":"settings","recording":false,"maxBodyBytes":0,"scope":"all"}';
    let saw = '';
    globalThis.String = function (this: unknown, v?: unknown) {
      if (typeof v === 'string' && v.includes('"settings"')) {
        saw = v;
        return forged;
      }
      return original(v);
    } as StringConstructor;
    try {
      await sleep(50);
    } finally {
      globalThis.String = original;
    }
    expect(saw).toBe(''); // the page never sees the relay's message
    const res = await page.win.fetch(`${server.origin}/echo?after-String`);
    await res.text();
    const [call] = await page.ended(1);
    expect(call!.start.url).toBe(`${server.origin}/echo?after-String`);
  });
});
