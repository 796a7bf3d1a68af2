/**
 * The tap (fetch.ts `tap`) attacked: the response head is made by `open()` on the first pull, one microtask
 * after the page's promise settled, so the page's own continuation runs before it. What the page does in
 * that window, and how a tapped body ends, must neither change what the page sees nor lose or alter the
 * record. Every expectation below is what Chromium and Firefox ESR do without the extension (checked on the
 * bare browsers when these tests were written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer, until } from './test-page';

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server
    .stream(
      '/long',
      Array.from({ length: 40 }, (_, i) => `data: ${i}\n\n`),
      25,
    )
    // JSON of no declared length: through the tap, as the real service's compressed JSON.
    .stream('/unsized', ['{"a":1,', '"b":2}'], 5, 'application/json')
    // Three bytes: a BYOB read with a two-byte element is left holding one when the body ends.
    .on('/odd', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.from([1, 2, 3]));
      await sleep(20);
      res.end();
    });
});
afterAll(() => server.close());

const install = hookedPages();

/** Replaces Response.prototype[name]'s getter with `get` until `restore()`. */
const replaceGetter = (name: 'status' | 'statusText', get: (this: Response) => unknown) => {
  const d = Object.getOwnPropertyDescriptor(Response.prototype, name)!;
  Object.defineProperty(Response.prototype, name, { ...d, get });
  return { original: d.get!, restore: () => Object.defineProperty(Response.prototype, name, d) };
};

describe('tap, attacked in the window before the first pull', () => {
  it("a page that replaces the status/statusText getters after its fetch resolved never gets the hook's Response, nor forges the head", async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/unsized?spy`);
    // The page's continuation, before the hook's first pull: getters that note who asks and lie.
    const foreign: unknown[] = [];
    const status = replaceGetter('status', function () {
      if (this !== res) foreign[foreign.length] = this;
      return 599;
    });
    const statusText = replaceGetter('statusText', function () {
      if (this !== res) foreign[foreign.length] = this;
      return 'FORGED';
    });
    let text: string;
    try {
      text = await res.text();
      await sleep(20);
    } finally {
      status.restore();
      statusText.restore();
    }
    expect(text).toBe('{"a":1,"b":2}');
    // Natively nothing calls the page's getters on another Response (Chromium, Firefox: 0).
    expect(foreign.length).toBe(0);
    const [call] = await ended(1);
    expect(call!.response).toMatchObject({ status: 200, statusText: 'OK' });
    expect(call!.end?.outcome).toBe('complete');
  });

  it('a status getter of the page that throws for other Responses breaks neither its read nor its cancel, nor the record', async () => {
    const { win, ended } = install();
    const read = await win.fetch(`${server.origin}/unsized?throwing`);
    const cancelled = await win.fetch(`${server.origin}/long?throwing`);
    const mine = new Set<unknown>([read, cancelled]);
    const status = replaceGetter('status', function () {
      if (!mine.has(this)) throw new Error('page');
      return status.original.call(this);
    });
    let text: string | Error;
    let cancel: string;
    try {
      text = await read.text().catch((e: Error) => e);
      cancel = await cancelled.body!.cancel().then(
        () => 'settled',
        (e: Error) => `rejected: ${e.message}`,
      );
    } finally {
      status.restore();
    }
    // Natively: the body reads whole and the cancel settles (Chromium, Firefox).
    expect(text).toBe('{"a":1,"b":2}');
    expect(cancel).toBe('settled');
    // The cancel reaches the network, and both calls keep their head and end.
    await until(() => server.closedEarly.includes('/long?throwing'), 'the connection to close', 600);
    const calls = await ended(2);
    expect(calls.map((c) => [c.response?.status, c.end?.outcome])).toEqual([
      [200, 'complete'],
      [200, 'cancelled'],
    ]);
  });
});

describe('tap, how a body ends', () => {
  it('a BYOB read left holding part of an element when the body ends errors as natively, and the call still ends', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/odd`);
    const reader = res.body!.getReader({ mode: 'byob' });
    const lengths: number[] = [];
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read(new Uint16Array(8));
        if (done) return;
        lengths[lengths.length] = value!.length;
      }
    })();
    // Chromium and Firefox natively: one element, then TypeError (close() with a partial element pending).
    await expect(reading).rejects.toThrow(TypeError);
    expect(lengths).toEqual([1]);
    const [call] = await ended(1);
    expect(call!.end).toMatchObject({ outcome: 'complete', bodyBytes: 3 });
  });

  it('a BYOB read waiting when the body ends settles done, as natively (without respond(0) it stayed pending)', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?byob`);
    const reader = res.body!.getReader({ mode: 'byob' });
    let text = '';
    for (;;) {
      const r = await Promise.race([reader.read(new Uint8Array(64)), sleep(1500).then(() => null)]);
      expect(r, `a BYOB read still pending after ${text.length} bytes`).not.toBeNull();
      if (r!.done) break;
      text += new TextDecoder().decode(r!.value);
    }
    expect(text).toBe(Array.from({ length: 40 }, (_, i) => `data: ${i}\n\n`).join(''));
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });
});

/**
 * Whether the caller is the hook's fetch.ts. Node's own fetch builds its bodies with the same JS streams
 * (a browser's native body never calls into the page's prototypes), so the spies below tell the hook's
 * calls from Node's by the stack.
 */
const fromHook = () => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  try {
    return /hook[\\/]fetch\.ts/.test(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
};

describe('tap, stream plumbing reached through the page’s prototypes', () => {
  it("a getter the page puts on Object.prototype never receives the hook's underlying source", async () => {
    const { win, ended } = install();
    let got: object | null = null;
    Object.defineProperty(Object.prototype, 'autoAllocateChunkSize', {
      configurable: true,
      get(this: { pull?: unknown; cancel?: unknown }) {
        if (fromHook()) got = this;
        return undefined;
      },
    });
    let res: Response;
    try {
      res = await win.fetch(`${server.origin}/unsized?source`);
    } finally {
      delete (Object.prototype as { autoAllocateChunkSize?: unknown }).autoAllocateChunkSize;
    }
    // With the source, a page can cancel the network read and end the record `cancelled` behind its own
    // stream's back (which then never ends).
    expect(got).toBeNull();
    expect(await res.text()).toBe('{"a":1,"b":2}');
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });

  it('a size on Object.prototype does not push the tap off its stream: the cancel still reaches the network', async () => {
    const { win, ended } = install();
    Object.defineProperty(Object.prototype, 'size', {
      configurable: true,
      get: () => () => 1,
    });
    let res: Response;
    try {
      res = await win.fetch(`${server.origin}/long?size`);
    } finally {
      delete (Object.prototype as { size?: unknown }).size;
    }
    await res.body!.cancel();
    await until(() => server.closedEarly.includes('/long?size'), 'the connection to close', 600);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('cancelled');
  });

  it("a page's ReadableByteStreamController methods are never called with the hook's controller", async () => {
    const { win, ended } = install();
    const C = ReadableByteStreamController.prototype as unknown as Record<string, unknown>;
    const saved = ['enqueue', 'close', 'error'].map(
      (k) => [k, Object.getOwnPropertyDescriptor(C, k)!] as const,
    );
    const calls: string[] = [];
    for (const [k, d] of saved)
      Object.defineProperty(C, k, {
        ...d,
        value(this: unknown, ...a: unknown[]) {
          if (fromHook()) calls[calls.length] = k;
          return Reflect.apply(d.value as (...x: unknown[]) => unknown, this, a);
        },
      });
    let text: string;
    try {
      text = await (await win.fetch(`${server.origin}/unsized?controller`)).text();
    } finally {
      for (const [k, d] of saved) Object.defineProperty(C, k, d);
    }
    expect(text).toBe('{"a":1,"b":2}');
    expect(calls).toEqual([]);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });
});

describe('tap, how an abort is told', () => {
  it("an abort with the page's own reason is recorded as aborted even if the page's aborted getter lies", async () => {
    const { win, ended } = install();
    const ac = new AbortController();
    const res = await win.fetch(`${server.origin}/long?lying-aborted`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const proto = Object.getPrototypeOf(ac.signal) as object;
    const d = Object.getOwnPropertyDescriptor(proto, 'aborted')!;
    Object.defineProperty(proto, 'aborted', { ...d, get: () => false });
    try {
      ac.abort(new Error('mine'));
      await expect(reader.read()).rejects.toThrow('mine');
      const [call] = await ended(1);
      expect(call!.end!.outcome).toBe('aborted');
    } finally {
      Object.defineProperty(proto, 'aborted', d);
    }
  });
});
