/**
 * In Chromium (found by an attack run): a BYOB read that is waiting when a tapped body ends settles done,
 * as natively; without respond(0) after close() it stayed pending for ever.
 */
import type { FakeResponse } from '../test/flows';
import { expect, test } from './fixtures';

const long = (): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'text/event-stream; charset=utf-8']],
  body: Array.from({ length: 20 }, (_, i) => `data: {"n":${i}}\n\n`).join(''),
  stream: { chunkBytes: 40, delayMs: 20 },
});

test('a BYOB reader of a tapped body, and of its clone, sees the end', async ({ context, fake }) => {
  fake.route('GET', '/backend-api/stream?byob=1', long());
  fake.route('GET', '/backend-api/stream?byob=2', long());
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const out = await page.evaluate(async () => {
    const byob = async (r: Response) => {
      const reader = r.body!.getReader({ mode: 'byob' });
      let n = 0;
      for (;;) {
        const got = await Promise.race([
          reader.read(new Uint8Array(64)),
          new Promise<null>((ok) => setTimeout(() => ok(null), 2000)),
        ]);
        if (!got) return `pending after ${n} bytes`;
        if (got.done) return `done after ${n} bytes`;
        n += got.value!.byteLength;
      }
    };
    const a = await fetch('/backend-api/stream?byob=1');
    const b = await fetch('/backend-api/stream?byob=2');
    const copy = b.clone();
    return [await byob(a), await byob(copy), (await b.text()).length];
  });
  const n = Array.from({ length: 20 }, (_, i) => `data: {"n":${i}}\n\n`).join('').length;
  expect(out).toEqual([`done after ${n} bytes`, `done after ${n} bytes`, n]);
});
