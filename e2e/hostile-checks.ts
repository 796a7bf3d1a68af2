/**
 * The hostile-page scenarios, shared by the Chromium spec (hostile-page.spec.ts, Playwright) and the
 * Firefox spec (firefox-hostile.spec.ts, puppeteer-core over WebDriver BiDi): the same fake routes, the
 * same page code and the same assertions, driven through the small `HostileDriver` each spec provides.
 */
import { expect } from '@playwright/test';
import type { FakeResponse } from '../test/flows';
import type { FakeChatGPT } from './fake-chatgpt/server';
import { type StoredWithChunks, until } from './fixtures';

/** Runs a self-contained function in the page (Playwright's and puppeteer's `page.evaluate` both fit). */
export type Evaluate = <R>(fn: () => R | Promise<R>) => Promise<R>;

export interface HostileDriver {
  fake: FakeChatGPT;
  /** Opens a new tab at `url` (a fake ChatGPT page) and returns how to evaluate code in it. */
  open(url: string): Promise<Evaluate>;
  /** What the extension stored, all calls with their chunks. */
  stored(): Promise<StoredWithChunks[]>;
}

/** 100 SSE events, 40 bytes every 50 ms: 5 s in all, so a cancel is seen long before the end. */
const longStream = (): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'text/event-stream; charset=utf-8']],
  body: Array.from({ length: 100 }, (_, i) => `data: {"n":${i}}\n\n`).join(''),
  stream: { chunkBytes: 40, delayMs: 50 },
});

/** JSON sent gzip-compressed with no declared length, as the real service sends its API's answers. */
const compressedJson = (body: string): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'application/json']],
  body,
  gzip: 'chunked',
});

export const CANCEL_URL = 'https://chatgpt.com/backend-api/stream?cancel=1';

/**
 * On `/?hostile` (the spies of HOSTILE_SCRIPT installed first in <head>), fetches, installs the spies again
 * as a later script would, then streams, XHRs and beacons under both layers of spies. The spies must note
 * nothing (`window.__hostile` stays empty) and all four calls must be stored, the stream byte for byte.
 */
export async function hostilePageIsBlindAndRecordingGoesOn(d: HostileDriver) {
  const evaluate = await d.open('https://chatgpt.com/?hostile');
  await evaluate(() => fetch('/backend-api/me?hostile=1').then((r) => r.text()));
  // A later script installs its spies again, over the first ones.
  await evaluate(() => (window as unknown as { __spyOn(l: string): void }).__spyOn('later'));
  d.fake.route('GET', '/backend-api/stream?hostile=2', {
    ...longStream(),
    stream: { chunkBytes: 400, delayMs: 5 },
  });
  const text = await evaluate(async () => {
    const r = await fetch('/backend-api/stream?hostile=2');
    const x = new XMLHttpRequest();
    x.open('POST', '/backend-api/me?hostile=3');
    x.send(JSON.stringify({ a: 1 }));
    navigator.sendBeacon('/ces/v1/t?hostile=4', '{"e":1}');
    return r.text();
  });
  expect(text).toContain('data: {"n":99}');
  await new Promise((r) => setTimeout(r, 300));
  const calls = await until(async () => {
    const all = (await d.stored()).filter((c) => c.url.includes('hostile='));
    return all.length === 4 && all.every((c) => c.outcome) ? all : null;
  }, 'the four calls made under the spies');
  const streamed = calls.find((c) => c.url.includes('hostile=2'))!;
  expect(streamed.chunks.map((c) => c.data).join('')).toBe(text);
  expect(await evaluate(() => (window as unknown as { __hostile: string[] }).__hostile)).toEqual([]);
  // The spies do see what goes through them (so the empty list above is the recorder's doing, not spies
  // that never fire, e.g. behind Firefox's Xray wrappers).
  const selfTest = await evaluate(() => {
    JSON.stringify({ callId: 'page' });
    new MessageChannel().port1.postMessage('page');
    return (window as unknown as { __hostile: string[] }).__hostile;
  });
  expect(selfTest).toEqual(['later stringify', 'head stringify', 'later postMessage', 'head postMessage']);
}

/**
 * The page reads the first chunk of a 5 s stream and cancels its reader. The page must see a native-like
 * Response; the fake must see the connection close well before the stream's end (the cancel reached the
 * network: in Firefox too, through the CONNECT tunnel, which is a raw byte pipe); and the call must be
 * stored as `cancelled` with only what arrived.
 */
export async function readerCancelIsStoredAsCancelled(d: HostileDriver) {
  d.fake.route('GET', '/backend-api/stream?cancel=1', longStream());
  const evaluate = await d.open('https://chatgpt.com/');
  const seen = await evaluate(async () => {
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
    url: CANCEL_URL,
    type: 'basic',
    redirected: false,
    status: 200,
    contentType: 'text/event-stream; charset=utf-8',
    headersImmutable: true,
  });
  // 100 pieces 50 ms apart would take 5 s; the connection closes right after the cancel.
  await until(
    async () => d.fake.closedEarly.includes(CANCEL_URL),
    'the server to see the connection close',
    2000,
  );
  const [call] = await until(async () => {
    const c = (await d.stored()).filter((x) => x.url.includes('cancel=1'));
    return c.length && c[0]!.outcome ? c : null;
  }, 'the cancelled call');
  expect(call!.outcome).toBe('cancelled');
  expect(call!.bodyBytes).toBeLessThan(400);
  expect(call!.chunks.map((c) => c.data).join('')).toContain('data: {"n":0}');
}

/**
 * A small body of declared length is read whole from a clone (src/capture/hook/fetch.ts `readsWhole`), so
 * the page keeps the browser's own Response; compressed JSON of no declared length goes through the tap.
 * On both paths an abort after the last byte arrived, before the page read the body, must still make the
 * page's read reject with AbortError, as natively (Node's fetch differs for a clone, hence a browser
 * test), and the call is stored with its whole body. The tapped body is read with a reader, as ChatGPT
 * reads its streams: Chromium rejects `text()`/`json()` of a body made from a script's stream with
 * "TypeError: Failed to fetch" whatever the stream's error (a known difference of the tap, not fixed).
 */
export async function abortAfterLastByteKeepsNativeSemantics(d: HostileDriver) {
  const body = '{"object":"user","id":"user-abort"}';
  d.fake.route('GET', '/backend-api/me?abort=1', {
    status: 200,
    headers: [
      ['content-type', 'application/json'],
      ['content-length', String(body.length)],
    ],
    body,
  });
  d.fake.route('GET', '/backend-api/me?abort=2', compressedJson(body));
  const evaluate = await d.open('https://chatgpt.com/');
  const seen = await evaluate(async () => {
    const out: string[] = [];
    for (const url of ['/backend-api/me?abort=1', '/backend-api/me?abort=2']) {
      const ac = new AbortController();
      const r = await fetch(url, { signal: ac.signal });
      // After its last byte: the resource timing entry is added once the body has arrived (a fixed wait
      // alone once fell short on a loaded machine, and the call was rightly stored as aborted).
      const abs = new URL(url, location.href).href;
      await new Promise((done) => setTimeout(done, 100));
      while (performance.getEntriesByName(abs).length === 0)
        await new Promise((done) => setTimeout(done, 10));
      ac.abort();
      const read = url.endsWith('1') ? r.text() : r.body!.getReader().read();
      out.push(
        await read.then(
          () => 'read',
          (e: Error) => e.name,
        ),
      );
    }
    return out;
  });
  expect(seen).toEqual(['AbortError', 'AbortError']);
  const calls = await until(async () => {
    const c = (await d.stored()).filter((x) => /abort=\d/.test(x.url));
    return c.length === 2 && c.every((x) => x.outcome) ? c : null;
  }, 'the two calls');
  for (const call of calls) {
    expect(call.outcome).toBe('complete');
    expect(call.chunks.map((c) => c.data).join('')).toBe(body);
  }
}

/**
 * Attack run: a JSON body is read whole from a clone (fetch.ts `readsWhole`), whatever its length. The
 * page's branch of the clone's tee settles its cancel() only when the hook's branch is done too, so a page
 * that cancels a long JSON body waits for the whole download (natively: at once), and the connection stays
 * open. 100 pieces of 40 bytes 50 ms apart (5 s).
 */
export async function jsonCancelSettlesAtOnce(d: HostileDriver) {
  const body = `[${Array.from({ length: 100 }, (_, i) => `{"n":${i}}`).join(',\n')}]`;
  d.fake.route('GET', '/backend-api/list?cancel-json=1', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body,
    stream: { chunkBytes: 40, delayMs: 50 },
  });
  const evaluate = await d.open('https://chatgpt.com/');
  const ms = await evaluate(async () => {
    const r = await fetch('/backend-api/list?cancel-json=1');
    const reader = r.body!.getReader();
    await reader.read();
    const t = performance.now();
    await reader.cancel();
    return performance.now() - t;
  });
  // Natively a few ms; with a clone about the rest of the 5 s download (bounds well apart, for a busy
  // 2-core machine: the full suite once took longer than 2 s to see the close).
  expect(ms).toBeLessThan(2000);
  await until(
    async () => d.fake.closedEarly.includes('https://chatgpt.com/backend-api/list?cancel-json=1'),
    'the server to see the connection close',
    4000,
  );
}

/**
 * A page that replaces `Uint8Array`, lies through the byte-length getters, and watches `subarray`, `slice`
 * and the species constructors, then streams a body, posts a byte body, reads an XHR as an ArrayBuffer and
 * fetches binary bytes. The hook copies and measures bytes through the browser's own constructor and
 * getters (src/capture/hook/intrinsics.ts `copyBytes`): the page's replacements see none of the hook's
 * copies (they note nothing) and alter none (every body is stored byte for byte).
 */
export async function replacedTypedArraysNeitherSeeNorAlterCopies(d: HostileDriver) {
  d.fake.route('GET', '/backend-api/stream?bytes=1', {
    ...longStream(),
    stream: { chunkBytes: 400, delayMs: 5 },
  });
  d.fake.route('POST', '/backend-api/me?bytes=2', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: '{"ok":true}',
  });
  d.fake.route('GET', '/backend-api/me?bytes=3', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: '{"object":"user","id":"user-bytes"}',
  });
  d.fake.route('GET', '/backend-api/blob?bytes=4', {
    status: 200,
    headers: [['content-type', 'application/octet-stream']],
    body: 'binary body',
  });
  const evaluate = await d.open('https://chatgpt.com/');
  const out = await evaluate(async () => {
    const posted = new TextEncoder().encode('{"q":"bytes"}');
    const seen: string[] = [];
    const note = (what: string) => {
      seen[seen.length] = what;
    };
    const Native = Uint8Array;
    const restore: (() => void)[] = [];
    const w = window as unknown as Record<string, unknown>;
    // A forging Uint8Array: whoever builds one gets a single 'X'.
    w.Uint8Array = function Forged() {
      note('Uint8Array');
      return new Native([0x58]);
    };
    restore[restore.length] = () => {
      w.Uint8Array = Native;
    };
    const lie = (proto: object, name: string, value: () => unknown, kind: 'get' | 'value') => {
      Object.defineProperty(proto, name, {
        configurable: true,
        [kind]: function (this: unknown) {
          note(name);
          return value();
        },
      });
      restore[restore.length] = () => delete (proto as Record<string, unknown>)[name];
    };
    lie(Native.prototype, 'byteLength', () => 1, 'get');
    lie(Native.prototype, 'byteOffset', () => 0, 'get');
    lie(Native.prototype, 'buffer', () => new ArrayBuffer(1), 'get');
    lie(Native.prototype, 'length', () => 1, 'get');
    lie(Native.prototype, 'subarray', () => new Native([0x58]), 'value');
    lie(Native.prototype, 'set', () => undefined, 'value');
    lie(Native, Symbol.species as unknown as string, () => Native, 'get');
    lie(ArrayBuffer.prototype, 'byteLength', () => 1, 'get');
    lie(ArrayBuffer.prototype, 'slice', () => new ArrayBuffer(1), 'value');
    lie(ArrayBuffer, Symbol.species as unknown as string, () => ArrayBuffer, 'get');
    try {
      const streamed = await (await fetch('/backend-api/stream?bytes=1')).text();
      await (await fetch('/backend-api/me?bytes=2', { method: 'POST', body: posted })).text();
      const x = new XMLHttpRequest();
      x.open('GET', '/backend-api/me?bytes=3');
      x.responseType = 'arraybuffer';
      await new Promise((ok) => {
        x.onloadend = ok;
        x.send();
      });
      await (await fetch('/backend-api/blob?bytes=4')).blob();
      // Whatever the hook still does with these calls (flush, relay) runs under the replacements too.
      await new Promise((ok) => setTimeout(ok, 300));
      return { streamed, seen };
    } finally {
      for (const r of restore) r();
    }
  });
  expect(out.streamed).toContain('data: {"n":99}');
  const calls = await until(async () => {
    const all = (await d.stored()).filter((c) => c.url.includes('bytes='));
    return all.length === 4 && all.every((c) => c.outcome) ? all : null;
  }, 'the four calls made under the replacements');
  const call = (n: number) => calls.find((c) => c.url.includes(`bytes=${n}`))!;
  const bytes = (c: StoredWithChunks) =>
    Buffer.concat(
      c.chunks.map((k) => Buffer.from(k.data, c.responseBodyEncoding === 'base64' ? 'base64' : 'utf8')),
    ).toString();
  expect(out.seen).toEqual([]);
  expect(bytes(call(1))).toBe(out.streamed);
  expect(call(2).requestBody).toBe('{"q":"bytes"}');
  expect(bytes(call(3))).toBe('{"object":"user","id":"user-bytes"}');
  expect(call(4).responseBodyEncoding).toBe('base64');
  expect(bytes(call(4))).toBe('binary body');
}

/**
 * The page clones a tapped Response in the continuation of its `await fetch(…)` (where libraries that wrap
 * fetch clone), then cancels the original: the cancel settles at once, as natively (a tee of the page's
 * stream settled only once the clone was cancelled or read too), the clone reads on, and the connection
 * closes once both are cancelled. Clones of clones read whole, and a locked or read body cannot be cloned
 * (the browser's own TypeError). Each call is stored once: the cancelled one as `cancelled`, the read one
 * whole. (src/capture/hook/fetch.ts, the `clone` accessor.)
 */
export async function earlyClonesActAsNative(d: HostileDriver) {
  const body = '{"object":"user","id":"user-clone"}';
  d.fake.route('GET', '/backend-api/stream?clone=1', longStream());
  d.fake.route('GET', '/backend-api/me?clone=2', compressedJson(body));
  const evaluate = await d.open('https://chatgpt.com/');
  const seen = await evaluate(async () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
        return 'cloned';
      } catch (e) {
        return (e as Error).name;
      }
    };
    const r = await fetch('/backend-api/stream?clone=1');
    const copy = r.clone();
    const cancel = await Promise.race([
      r.body!.cancel().then(() => 'settled'),
      new Promise((done) => setTimeout(() => done('pending after 1 s'), 1000)),
    ]);
    const reader = copy.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const locked = thrown(() => copy.clone());
    await reader.cancel();
    const m = await fetch('/backend-api/me?clone=2');
    const copies = [m, m.clone(), m.clone().clone()];
    const texts = await Promise.all(copies.map((c) => c.text()));
    return { cancel, first: first.startsWith('data: {"n":0}'), locked, texts, used: thrown(() => m.clone()) };
  });
  expect(seen).toEqual({
    cancel: 'settled',
    first: true,
    locked: 'TypeError',
    texts: [body, body, body],
    used: 'TypeError',
  });
  await until(
    async () => d.fake.closedEarly.includes('https://chatgpt.com/backend-api/stream?clone=1'),
    'the server to see the connection close',
    4000,
  );
  const calls = await until(async () => {
    const c = (await d.stored()).filter((x) => x.url.includes('clone='));
    return c.length === 2 && c.every((x) => x.outcome) ? c : null;
  }, 'both calls ended');
  const me = calls.find((c) => c.url.includes('/me'))!;
  const stream = calls.find((c) => c.url.includes('/stream'))!;
  expect(stream.outcome).toBe('cancelled');
  expect(me.outcome).toBe('complete');
  expect(me.chunks.map((c) => c.data).join('')).toBe(body);
}
