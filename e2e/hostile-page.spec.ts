import type { FakeResponse } from '../test/flows';
import { expect, test, until } from './fixtures';

const longStream = (): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'text/event-stream; charset=utf-8']],
  body: Array.from({ length: 100 }, (_, i) => `data: {"n":${i}}\n\n`).join(''),
  stream: { chunkBytes: 40, delayMs: 50 },
});

test('a page that replaces postMessage and JSON.stringify (first in <head>, again later) sees no capture, and recording goes on', async ({
  context,
  fake,
  stored,
}) => {
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/?hostile');
  await page.evaluate(() => fetch('/backend-api/me?hostile=1').then((r) => r.text()));
  // A later script installs its spies again, over the first ones.
  await page.evaluate(() => (window as unknown as { __spyOn(l: string): void }).__spyOn('later'));
  fake.route('GET', '/backend-api/stream?hostile=2', {
    ...longStream(),
    stream: { chunkBytes: 400, delayMs: 5 },
  });
  const text = await page.evaluate(async () => {
    const r = await fetch('/backend-api/stream?hostile=2');
    const x = new XMLHttpRequest();
    x.open('POST', '/backend-api/me?hostile=3');
    x.send(JSON.stringify({ a: 1 }));
    navigator.sendBeacon('/ces/v1/t?hostile=4', '{"e":1}');
    return r.text();
  });
  expect(text).toContain('data: {"n":99}');
  await page.waitForTimeout(300);
  const calls = await until(async () => {
    const all = (await stored()).filter((c) => c.url.includes('hostile='));
    return all.length === 4 && all.every((c) => c.outcome) ? all : null;
  }, 'the four calls made under the spies');
  const streamed = calls.find((c) => c.url.includes('hostile=2'))!;
  expect(streamed.chunks.map((c) => c.data).join('')).toBe(text);
  expect(await page.evaluate(() => (window as unknown as { __hostile: string[] }).__hostile)).toEqual([]);
});

test("the page's reader.cancel() closes the connection and the call is stored as cancelled", async ({
  context,
  fake,
  stored,
}) => {
  fake.route('GET', '/backend-api/stream?cancel=1', longStream());
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const seen = await page.evaluate(async () => {
    const r = await fetch('/backend-api/stream?cancel=1');
    const reader = r.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    return {
      first,
      native: r instanceof Response && Object.getPrototypeOf(r) === Response.prototype,
      own: Object.getOwnPropertyNames(r),
      url: r.url,
      type: r.type,
      redirected: r.redirected,
      status: r.status,
      contentType: r.headers.get('content-type'),
      headersImmutable: (() => {
        try {
          r.headers.set('x', '1');
          return false;
        } catch {
          return true;
        }
      })(),
    };
  });
  expect(seen.first.startsWith('data: {"n":0}')).toBe(true);
  expect({ ...seen, first: undefined }).toEqual({
    first: undefined,
    native: true,
    own: [],
    url: 'https://chatgpt.com/backend-api/stream?cancel=1',
    type: 'basic',
    redirected: false,
    status: 200,
    contentType: 'text/event-stream; charset=utf-8',
    headersImmutable: true,
  });
  // 100 pieces 50 ms apart would take 5 s; the connection closes right after the cancel.
  await until(
    async () => fake.closedEarly.includes('https://chatgpt.com/backend-api/stream?cancel=1'),
    'the server to see the connection close',
    2000,
  );
  const [call] = await until(async () => {
    const c = (await stored()).filter((x) => x.url.includes('cancel=1'));
    return c.length && c[0]!.outcome ? c : null;
  }, 'the cancelled call');
  expect(call!.outcome).toBe('cancelled');
  expect(call!.bodyBytes).toBeLessThan(400);
  expect(call!.chunks.map((c) => c.data).join('')).toContain('data: {"n":0}');
});
