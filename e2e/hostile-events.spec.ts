/**
 * An attack run (Chromium): events the page dispatches itself on its own WebSocket or XHR. Natively such an
 * event changes nothing on the wire; the hook's listeners take them for the browser's, so the page writes
 * frames and outcomes into the record. (fetch already ignores a page-dispatched `abort`: fetch.ts onAbort.)
 */
import type { BrowserContext } from '@playwright/test';
import type { FakeChatGPT } from './fake-chatgpt/server';
import type { StoredWithChunks } from './fixtures';
import { expect, test, until } from './fixtures';

async function finished(stored: () => Promise<StoredWithChunks[]>, pick: (c: StoredWithChunks) => boolean) {
  return until(async () => {
    const c = (await stored()).filter(pick);
    return c.length && c.every((x) => x.outcome && x.chunks.length === x.chunkCount) ? c : null;
  }, 'finished calls');
}

/** A ChatGPT page whose sockets get two real frames from the fake, then a clean close. */
async function pageWithSocketFrames(context: BrowserContext, fake: FakeChatGPT) {
  fake.socketFrames = ['{"real":1}', '{"real":2}'];
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  return page;
}

test('attack: a message event the page dispatches on its socket is not stored as a received frame', async ({
  context,
  fake,
  stored,
}) => {
  const page = await pageWithSocketFrames(context, fake);
  const seen = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const ws = new WebSocket('wss://chatgpt.com/ws/attack7-message');
        const got: string[] = [];
        ws.onmessage = (e) => got.push(String(e.data));
        ws.onopen = () =>
          ws.dispatchEvent(new MessageEvent('message', { data: '{"forged":"assistant said this"}' }));
        ws.onclose = () => resolve(got);
      }),
  );
  // The page's own listener sees its own event, natively too.
  expect(seen).toEqual(['{"forged":"assistant said this"}', '{"real":1}', '{"real":2}']);
  const [socket] = await finished(stored, (c) => c.url.includes('attack7-message'));
  // Failed before: the hook's message listener does not check isTrusted; the forged frame is stored as received.
  expect(socket!.chunks.filter((c) => c.direction === 'in').map((c) => c.data)).toEqual(fake.socketFrames);
});

test('attack: a close event the page dispatches does not end the stored socket', async ({
  context,
  fake,
  stored,
}) => {
  const page = await pageWithSocketFrames(context, fake);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket('wss://chatgpt.com/ws/attack7-close');
        ws.addEventListener('open', () =>
          ws.dispatchEvent(new CloseEvent('close', { code: 4000, wasClean: false, reason: 'forged' })),
        );
        ws.addEventListener('close', (e) => e.isTrusted && resolve());
      }),
  );
  await until(
    async () => (await stored()).find((c) => c.url.includes('attack7-close') && c.outcome),
    'its end',
  );
  await page.waitForTimeout(1000);
  const [socket] = (await stored()).filter((c) => c.url.includes('attack7-close'));
  // Failed before: the page's close event ends the call as an error (closed 4000) and the real frames after it
  // are lost; natively the socket stays open and both frames arrive, then a clean close.
  expect([socket!.outcome, socket!.chunks.filter((c) => c.direction === 'in').length]).toEqual([
    'complete',
    2,
  ]);
});

test('attack: a loadend event the page dispatches on a running XHR does not end its record', async ({
  context,
  fake,
  stored,
}) => {
  fake.route('GET', '/backend-api/attack7-xhr', {
    status: 200,
    headers: [['content-type', 'text/event-stream']],
    body: 'data: 1\n\ndata: 2\n\ndata: 3\n\n',
    stream: { chunkBytes: 9, delayMs: 40 },
  });
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const text = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('GET', '/backend-api/attack7-xhr');
        x.onloadend = (e) => e.isTrusted && resolve(`${x.status} ${x.responseText.length}`);
        x.send();
        setTimeout(() => x.dispatchEvent(new ProgressEvent('loadend')), 20);
      }),
  );
  expect(text).toBe('200 27');
  const [call] = await finished(stored, (c) => c.url.includes('attack7-xhr'));
  // Failed before: the hook's finish() runs on the page's event: readyState is not 4, so the call is stored
  // 'aborted' with no body, while the browser completed it.
  expect([call!.outcome, call!.status, call!.chunks.map((c) => c.data).join('').length]).toEqual([
    'complete',
    200,
    27,
  ]);
});
