/**
 * An attack run (Chromium): the XHR hook's `abort` and `timeout` listeners (src/capture/hook/xhr.ts) took
 * any event, the page's own too, and its loadend check (readyState 4) let a loadend the page dispatches
 * while the browser's abort runs end the record before the abort event; they now take only trusted events. The page changes nothing on the
 * wire with those events, so nothing in the record should change: a dropped connection is an `error`
 * ("network error"), an abort() is `aborted`.
 */
import { expect, test, until } from './fixtures';

test('attack: page-dispatched abort/timeout/loadend events do not change an XHR record (before: timeout/aborted/error were stored)', async ({
  context,
  fake,
  stored,
}) => {
  const drop = {
    status: 200,
    headers: [['content-type', 'text/plain']] as [string, string][],
    body: 'x'.repeat(400),
    stream: { chunkBytes: 40, delayMs: 30, dropAfterChunks: 2 },
  };
  fake.route('GET', '/backend-api/a8xhr?timeout=1', drop);
  fake.route('GET', '/backend-api/a8xhr?abort=1', drop);
  fake.route('GET', '/backend-api/a8xhr?loadend=1', { ...drop, stream: { chunkBytes: 40, delayMs: 200 } });
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const seen = await page.evaluate(async () => {
    const run = (url: string, poke: (x: XMLHttpRequest) => void) =>
      new Promise<string>((ok) => {
        const x = new XMLHttpRequest();
        x.open('GET', url);
        const events: string[] = [];
        for (const t of ['error', 'abort', 'timeout', 'load'])
          x.addEventListener(t, (e) => e.isTrusted && events.push(t));
        x.onloadend = (e) => e.isTrusted && ok(events.join());
        x.send();
        poke(x);
      });
    return [
      await run('/backend-api/a8xhr?timeout=1', (x) => x.dispatchEvent(new ProgressEvent('timeout'))),
      await run('/backend-api/a8xhr?abort=1', (x) => x.dispatchEvent(new ProgressEvent('abort'))),
      await run('/backend-api/a8xhr?loadend=1', (x) => {
        x.onreadystatechange = () => x.readyState === 4 && x.dispatchEvent(new ProgressEvent('loadend'));
        setTimeout(() => x.abort(), 300);
      }),
    ];
  });
  expect(seen).toEqual(['error', 'error', 'abort']);
  const calls = await until(async () => {
    const c = (await stored()).filter((x) => x.url.includes('a8xhr'));
    return c.length === 3 && c.every((x) => x.outcome) ? c : null;
  }, 'three XHRs ended');
  expect(calls.map((c) => `${new URL(c.url).search} ${c.outcome} ${c.error ?? ''}`).sort()).toEqual([
    '?abort=1 error network error',
    '?loadend=1 aborted ',
    '?timeout=1 error network error',
  ]);
});
