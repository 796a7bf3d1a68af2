/**
 * An attack run (Chromium): byte edge cases of the tap and of the hook's copies. Each scenario runs in a page
 * without the extension (the baseline: what the browser does) and with it: the page must see the same, and
 * every call must be stored.
 */
import type { Page } from '@playwright/test';
import type { FakeChatGPT } from './fake-chatgpt/server';
import { expect, test, until } from './fixtures';

const N = 301; // odd: a Uint16Array BYOB read is left holding half an element at the end
const sse = (chunkBytes = 40, delayMs = 15) => ({
  status: 200,
  headers: [['content-type', 'text/event-stream; charset=utf-8']] as [string, string][],
  body: 'x'.repeat(N),
  stream: { chunkBytes, delayMs },
});

function routes(fake: FakeChatGPT) {
  for (const q of ['u16', 'min', 'release', 'abort', 'clone', 'u32'])
    fake.route('GET', `/backend-api/byob?${q}=1`, sse());
  fake.route('POST', '/backend-api/detached?fetch=1', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: '{"ok":1}',
  });
  fake.route('POST', '/backend-api/detached?xhr=1', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: '{"ok":2}',
  });
  fake.route('GET', '/backend-api/detached?xhr-response=1', {
    status: 200,
    headers: [['content-type', 'application/octet-stream']],
    body: 'abcdefgh',
  });
}

/** The page's side of every scenario; returns what the page saw. */
async function scenarios(page: Page) {
  return page.evaluate(async (n) => {
    const out: Record<string, unknown> = {};
    const timeout = <T>(p: Promise<T>, ms = 3000) =>
      Promise.race([p, new Promise<'pending'>((ok) => setTimeout(() => ok('pending'), ms))]);
    const settle = async (p: Promise<unknown>) => {
      try {
        const v = await timeout(p);
        return v === 'pending' ? 'pending' : 'ok';
      } catch (e) {
        return `rejected ${(e as Error).name}`;
      }
    };
    // BYOB reads of another element size: the end leaves half an element.
    const byobAll = async (res: Response, make: () => ArrayBufferView, opts?: { min: number }) => {
      const reader = res.body!.getReader({ mode: 'byob' });
      let got = 0;
      for (;;) {
        let r: ReadableStreamReadResult<ArrayBufferView> | 'pending';
        try {
          r = await timeout(
            (
              reader.read as (
                v: ArrayBufferView,
                o?: unknown,
              ) => Promise<ReadableStreamReadResult<ArrayBufferView>>
            )(make(), opts),
          );
        } catch (e) {
          return `error ${(e as Error).name} after ${got}`;
        }
        if (r === 'pending') return `pending after ${got}`;
        if (r.done) return `done after ${got} (${r.value ? r.value.byteLength : 'no'} view)`;
        got += r.value.byteLength;
      }
    };
    out.u16 = await byobAll(await fetch('/backend-api/byob?u16=1'), () => new Uint16Array(16));
    out.u32 = await byobAll(
      await fetch('/backend-api/byob?u32=1'),
      () => new DataView(new ArrayBuffer(12), 4, 8),
    );
    out.min = await byobAll(await fetch('/backend-api/byob?min=1'), () => new Uint8Array(128), { min: 128 });
    // A BYOB read left waiting, the lock released (the read rejects), then a default reader reads the rest.
    {
      const res = await fetch('/backend-api/byob?release=1');
      const byob = res.body!.getReader({ mode: 'byob' });
      const first = await byob.read(new Uint8Array(10));
      const waiting = byob.read(new Uint8Array(1000));
      byob.releaseLock();
      const w = await settle(waiting);
      const reader = res.body!.getReader();
      let rest = 0;
      let end = '';
      for (;;) {
        const r = await timeout(reader.read());
        if (r === 'pending') {
          end = 'pending';
          break;
        }
        if (r.done) {
          end = 'done';
          break;
        }
        rest += r.value.byteLength;
      }
      out.release = [first.value?.byteLength, w, rest + (first.value?.byteLength ?? 0) <= n, end];
    }
    // A BYOB read waiting when the signal aborts.
    {
      const ac = new AbortController();
      const res = await fetch('/backend-api/byob?abort=1', { signal: ac.signal });
      const byob = res.body!.getReader({ mode: 'byob' });
      await byob.read(new Uint8Array(8));
      const waiting = byob.read(new Uint8Array(100000));
      ac.abort();
      out.abort = await settle(waiting);
    }
    // BYOB on a clone and on the original, interleaved.
    {
      const res = await fetch('/backend-api/byob?clone=1');
      const copy = res.clone();
      const [a, b] = await Promise.all([
        byobAll(res, () => new Uint8Array(7)),
        byobAll(copy, () => new Uint8Array(64)),
      ]);
      out.clone = [a, b];
    }
    // Detached request bodies: natively they go out (empty).
    {
      const ab = new Uint8Array([1, 2, 3]).buffer;
      structuredClone(ab, { transfer: [ab] });
      try {
        const r = await fetch('/backend-api/detached?fetch=1', { method: 'POST', body: ab });
        out.fetchDetached = await r.text();
      } catch (e) {
        out.fetchDetached = `threw ${(e as Error).name}`;
      }
    }
    {
      const view = new Uint8Array(new ArrayBuffer(8), 2, 4);
      structuredClone(view.buffer, { transfer: [view.buffer] });
      out.xhrDetached = await new Promise((ok) => {
        const x = new XMLHttpRequest();
        x.open('POST', '/backend-api/detached?xhr=1');
        x.onloadend = () => ok(`${x.status} ${x.responseText}`);
        try {
          x.send(view);
        } catch (e) {
          ok(`threw ${(e as Error).name}`);
        }
      });
    }
    // The page takes its arraybuffer response for itself (transfer) in its load handler.
    out.xhrTransferred = await new Promise((ok) => {
      const x = new XMLHttpRequest();
      x.open('GET', '/backend-api/detached?xhr-response=1');
      x.responseType = 'arraybuffer';
      x.onload = () => {
        const mine = structuredClone(x.response as ArrayBuffer, { transfer: [x.response] });
        ok(`${x.status} ${mine.byteLength}`);
      };
      x.send();
    });
    return out;
  }, N);
}

const expected = {
  u16: `error TypeError after ${N - 1}`,
  u32: `done after ${N} (0 view)`,
  min: `done after ${N - (N % 128)} (${N % 128} view)`,
  release: [10, 'ok', true, 'done'],
  abort: 'ok',
  clone: [`done after ${N} (0 view)`, `done after ${N} (0 view)`],
  fetchDetached: '{"ok":1}',
  xhrDetached: '200 {"ok":2}',
  xhrTransferred: '200 8',
};

test.describe('without the extension (baseline)', () => {
  test.use({ extensionPath: null });
  test('attack: the browser itself', async ({ context, fake }) => {
    routes(fake);
    const page = await context.newPage();
    await page.goto('https://chatgpt.com/');
    expect(await scenarios(page)).toEqual(expected);
  });
});

test('attack: BYOB edge cases and detached buffers: the page sees what it sees natively, and every call is stored', async ({
  context,
  fake,
  stored,
}) => {
  routes(fake);
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  expect(await scenarios(page)).toEqual(expected);
  const calls = await until(async () => {
    const all = (await stored()).filter((c) => c.url.includes('/backend-api/detached'));
    return all.length >= 3 && all.every((c) => c.outcome) ? all : null;
  }, 'the three detached-buffer calls, ended').catch(async () =>
    (await stored()).filter((c) => c.url.includes('/backend-api/detached')),
  );
  expect(calls.map((c) => `${c.method} ${new URL(c.url).search} ${c.outcome}`).sort()).toEqual([
    'GET ?xhr-response=1 complete',
    'POST ?fetch=1 complete',
    'POST ?xhr=1 complete',
  ]);
});
