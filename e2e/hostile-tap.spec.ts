/**
 * The tap attacked in Chromium (test build): what a page does right after `await fetch(…)`, before the
 * hook's first pull opens the call (src/capture/hook/fetch.ts `tap`), and what only a browser shows (Node's
 * fetch reacts to a synthetic abort event). Each expectation is what Chromium does without the extension
 * (Firefox ESR answers the same).
 */
import type { FakeResponse } from '../test/flows';
import { expect, test, until } from './fixtures';

const long = (): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'text/event-stream; charset=utf-8']],
  body: Array.from({ length: 100 }, (_, i) => `data: {"n":${i}}\n\n`).join(''),
  stream: { chunkBytes: 40, delayMs: 50 },
});
const json = (): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'application/json']],
  body: '{"object":"user","id":"user-tap"}',
  gzip: 'chunked',
});

test('attack: a status getter the page installs after its fetch resolved breaks neither its body, its cancel, nor the record', async ({
  context,
  fake,
  stored,
}) => {
  fake.route('GET', '/backend-api/me?tap=getter', json());
  fake.route('GET', '/backend-api/stream?tap=getter', long());
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const seen = await page.evaluate(async () => {
    const read = await fetch('/backend-api/me?tap=getter');
    const cancelled = await fetch('/backend-api/stream?tap=getter');
    const mine = new Set<unknown>([read, cancelled]);
    const d = Object.getOwnPropertyDescriptor(Response.prototype, 'status')!;
    let foreign = 0;
    Object.defineProperty(Response.prototype, 'status', {
      ...d,
      get(this: Response) {
        if (!mine.has(this)) {
          foreign++;
          throw new Error('page');
        }
        return d.get!.call(this);
      },
    });
    try {
      const text = await read.text().catch((e: Error) => `read failed: ${e.message}`);
      const cancel = await cancelled.body!.cancel().then(
        () => 'settled',
        (e: Error) => `cancel failed: ${e.message}`,
      );
      return { text, cancel, foreign };
    } finally {
      Object.defineProperty(Response.prototype, 'status', d);
    }
  });
  expect(seen).toEqual({ text: '{"object":"user","id":"user-tap"}', cancel: 'settled', foreign: 0 });
  await until(
    async () => fake.closedEarly.includes('https://chatgpt.com/backend-api/stream?tap=getter'),
    'the server to see the connection close',
    4000,
  );
  const calls = await until(async () => {
    const c = (await stored()).filter((x) => x.url.includes('tap=getter'));
    return c.length === 2 && c.every((x) => x.outcome) ? c : null;
  }, 'both calls ended');
  expect(calls.map((c) => [c.url.includes('/me') ? 'me' : 'stream', c.status, c.outcome]).sort()).toEqual([
    ['me', 200, 'complete'],
    ['stream', 200, 'cancelled'],
  ]);
});

test('attack: an abort event the page dispatches on its own signal aborts nothing, as natively', async ({
  context,
  fake,
  stored,
}) => {
  fake.route('GET', '/backend-api/me?tap=event', json());
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const seen = await page.evaluate(async () => {
    const ac = new AbortController();
    const r = await fetch('/backend-api/me?tap=event', { signal: ac.signal });
    ac.signal.dispatchEvent(new Event('abort'));
    return r.text().catch((e: Error) => `${e.name}: ${e.message}`);
  });
  expect(seen).toBe('{"object":"user","id":"user-tap"}');
  const [call] = await until(async () => {
    const c = (await stored()).filter((x) => x.url.includes('tap=event'));
    return c.length && c[0]!.outcome ? c : null;
  }, 'the call ended');
  expect(call!.outcome).toBe('complete');
});
