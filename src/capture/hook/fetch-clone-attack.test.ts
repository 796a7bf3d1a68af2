/**
 * The page's clone() of a tapped Response attacked (fetch.ts `tap`, `branch`, `fork`): every expectation
 * is what Chromium and Firefox do natively, and every call keeps one record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHookFetch, hookedPages, sleep, TestServer } from './test-page';

const LONG = Array.from({ length: 30 }, (_, i) => `data: ${i}\n\n`);
let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server
    .stream('/unsized', ['{"a":1,', '"b":2}'], 5, 'application/json')
    .stream('/long', LONG, 10)
    .on('/big', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 128 && !res.destroyed; i++) {
        if (!res.write(Buffer.alloc(64 * 1024, i))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
});
afterAll(() => server.close());

const install = hookedPages();

describe('clone branches reached through the page’s prototypes', () => {
  it("a setter the page puts on Object.prototype never receives a branch's controller or Response", async () => {
    const { win, ended } = install();
    const got: unknown[] = [];
    for (const name of ['c', 'res'])
      Object.defineProperty(Object.prototype, name, {
        configurable: true,
        set(v: unknown) {
          if (fromHookFetch()) got[got.length] = v;
          Object.defineProperty(this, name, {
            value: v,
            writable: true,
            configurable: true,
            enumerable: true,
          });
        },
      });
    let res: Response;
    let copy: Response;
    try {
      res = await win.fetch(`${server.origin}/unsized?setter`);
      copy = res.clone();
    } finally {
      delete (Object.prototype as { c?: unknown }).c;
      delete (Object.prototype as { res?: unknown }).res;
    }
    // With the controller, a page can enqueue forged bytes into (or close, or error) the hook's stream.
    expect(got).toEqual([]);
    expect(await Promise.all([res.text(), copy.text()])).toEqual(['{"a":1,"b":2}', '{"a":1,"b":2}']);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });
});

const chunkBytes = (events: { type: string; bytes?: number }[]) =>
  events.filter((e) => e.type === 'chunk').reduce((n, e) => n + (e.bytes ?? 0), 0);

describe('clone branches, behaviour', () => {
  it('clone after the end, then cancel the original: settles at once, the clone gets everything', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?after-end-cancel`);
    await ended(1);
    const copy = res.clone();
    let settled = false;
    void res.body!.cancel().then(() => (settled = true));
    await sleep(5);
    expect(settled).toBe(true);
    expect(await copy.text()).toBe(LONG.join(''));
    expect(() => res.clone()).toThrow(TypeError);
  });

  it('many clones, read in turn: all whole, one record with the body once', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?many`);
    const copies: Response[] = [];
    for (let i = 0; i < 30; i++) copies.push((i % 2 ? copies[i - 1]! : res).clone());
    const texts = await Promise.all([res, ...copies].map((r) => r.text()));
    expect(new Set(texts)).toEqual(new Set([LONG.join('')]));
    const calls = await ended(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toBe(LONG.join(''));
  });

  it('a BYOB read waiting when the body ends settles done (no clone): natively it does, the tap left it pending', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?byob-orig`);
    const reader = res.body!.getReader({ mode: 'byob' });
    let text = '';
    for (;;) {
      const r = await Promise.race([reader.read(new Uint8Array(64)), sleep(1500).then(() => null)]);
      expect(r, `a BYOB read still pending after ${text.length} bytes`).not.toBeNull();
      if (r!.done) break;
      text += new TextDecoder().decode(r!.value);
    }
    expect(text).toBe(LONG.join(''));
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });

  it('a BYOB reader on a clone gets the whole body', async () => {
    const { win } = install();
    const res = await win.fetch(`${server.origin}/long?byob`);
    await sleep(60);
    const copy = res.clone();
    const reader = copy.body!.getReader({ mode: 'byob' });
    let text = '';
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(7));
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toBe(LONG.join(''));
    expect(await res.text()).toBe(LONG.join(''));
  });

  it('a clone read in part, then another clone of the unread original: from the first byte', async () => {
    const { win } = install();
    const res = await win.fetch(`${server.origin}/long?partial`);
    const copy = res.clone();
    const r1 = copy.body!.getReader();
    await r1.read();
    await sleep(50);
    await r1.read();
    const late = res.clone();
    expect(await late.text()).toBe(LONG.join(''));
    expect(await res.text()).toBe(LONG.join(''));
  });

  it('unread original, its clone cancelled: the download stops about the read-ahead', async () => {
    const { win, events } = install();
    const res = await win.fetch(`${server.origin}/big?clone-cancel`);
    await res.clone().body!.cancel();
    await sleep(400);
    expect(chunkBytes(events as never)).toBeLessThan(3 * 1024 * 1024);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect((await res.arrayBuffer()).byteLength).toBe(8 * 1024 * 1024);
  });

  it('unread original and unread clones: the download stops about the read-ahead', async () => {
    const { win, events } = install();
    const res = await win.fetch(`${server.origin}/big?clones-unread`);
    const copies = [res.clone(), res.clone()];
    await sleep(400);
    expect(chunkBytes(events as never)).toBeLessThan(3 * 1024 * 1024);
    for (const c of copies) await c.body!.cancel();
    await res.body!.cancel();
  });

  it('every branch cancelled: one cancelled record; a clone then throws', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?all-cancel`);
    const copy = res.clone();
    await copy.body!.cancel();
    await res.body!.cancel();
    expect(() => res.clone()).toThrow(TypeError);
    expect(() => copy.clone()).toThrow(TypeError);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('cancelled');
  });
});

describe('clone copies and memory', () => {
  it('the copies kept for clones go once the page read its body: a long-lived signal does not hold them', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { win, ended } = install();
    const refs: WeakRef<Uint8Array>[] = [];
    const Orig = globalThis.Uint8Array;
    class Spy extends Orig {
      constructor(...a: unknown[]) {
        super(...(a as [ArrayBuffer]));
        if (/\bkeep\b/.test(new Error().stack ?? '')) refs.push(new WeakRef(this));
      }
    }
    // An app-wide controller, as many pages have: its signal outlives every call.
    const ac = new AbortController();
    globalThis.Uint8Array = Spy as unknown as Uint8ArrayConstructor;
    try {
      for (let i = 0; i < 6; i++) {
        const res = await win.fetch(`${server.origin}/long?kept-${i}`, { signal: ac.signal });
        await ended(i + 1);
        // Read after the body ended (the page awaited something else first), then let go.
        expect(await res.text()).toBe(LONG.join(''));
      }
    } finally {
      globalThis.Uint8Array = Orig;
    }
    expect(refs.length).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(20);
    }
    const alive = refs.filter((r) => r.deref()).reduce((n, r) => n + r.deref()!.byteLength, 0);
    // Natively nothing of a read body stays (the last call's may linger in the test's own frames); with the
    // hook every call's abort listener on the long-lived signal holds the copies of its whole body.
    expect(alive).toBeLessThanOrEqual(LONG.join('').length);
  });
});
