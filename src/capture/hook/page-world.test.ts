/**
 * A page script that runs after the hook and replaces the globals the hook relies on must neither see the
 * hook's port or its captures nor stop recording: the hook captures what it needs at install.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { installHook } from './index';
import { FakeWebSocket, FakeXhr, sleep, type TestPage, TestServer, testPage } from './test-page';

let server: TestServer;
let page: TestPage;
beforeAll(async () => {
  server = await new TestServer().start();
  server.stream('/sse', ['data: 1\n\n', 'data: 2\n\n']);
});
afterAll(() => server.close());
afterEach(() => page?.close());

type Obj = Record<string | symbol, unknown>;
const apply = Reflect.apply;

it('keeps recording, unseen, after the page replaces postMessage, JSON, Reflect, Promise, timers, call and bind, stream and array methods', async () => {
  page = testPage();
  installHook(page.win);
  const win = page.win as unknown as Obj;
  await sleep(20); // the relay's settings arrive

  const seen: string[] = [];
  const restore: (() => void)[] = [];
  /** Replaces `obj[key]` with a spy that notes the call when `suspicious` says so, then forwards. */
  const spy = (
    obj: Obj,
    key: string | symbol,
    label: string,
    suspicious: (self: unknown, args: unknown[]) => boolean,
  ) => {
    const orig = obj[key] as (...a: unknown[]) => unknown;
    obj[key] = function (this: unknown, ...args: unknown[]) {
      if (suspicious(this, args)) seen[seen.length] = label;
      return apply(orig, this, args);
    };
    restore[restore.length] = () => {
      obj[key] = orig;
    };
  };
  const always = () => true;
  const hasCapture = (v: unknown) =>
    (typeof v === 'string' && v.includes('"callId"')) ||
    (typeof v === 'object' && v !== null && 'callId' in (v as object));

  // What the page owns: its own body stream and reader are the only ones it may see read.
  const pageStreams = new Set<unknown>();
  const pageReaders = new Set<unknown>();
  const XhrProto = FakeXhr.prototype as unknown as Obj;
  const WsProto = FakeWebSocket.prototype as unknown as Obj;
  const nav = win.navigator as Obj;
  const watchedNatives = new Set([
    XhrProto.open,
    XhrProto.send,
    XhrProto.setRequestHeader,
    WsProto.send,
    String.fromCharCode,
  ]);
  const readerProto = Object.getPrototypeOf(new ReadableStream().getReader()) as Obj;

  spy(MessagePort.prototype as unknown as Obj, 'postMessage', 'MessagePort.postMessage', always);
  spy(win.JSON as Obj, 'stringify', 'JSON.stringify', always);
  spy(win.JSON as Obj, 'parse', 'JSON.parse', always);
  spy(win.Reflect as Obj, 'apply', 'Reflect.apply', always);
  spy(win.Reflect as Obj, 'construct', 'Reflect.construct', always);
  spy(win, 'setTimeout', 'setTimeout', always);
  spy(win, 'clearTimeout', 'clearTimeout', always);
  spy(Function.prototype as unknown as Obj, 'call', 'Function.call', (self) => watchedNatives.has(self));
  spy(Function.prototype as unknown as Obj, 'apply', 'Function.apply', (self) => watchedNatives.has(self));
  // The hook binds `call` to each native once, at install (intrinsics.ts `uncurry`): a bind made later
  // would run the page's replacement.
  const origCall = Function.prototype.call;
  spy(
    Function.prototype as unknown as Obj,
    'bind',
    'Function.bind',
    (self) => self === origCall || watchedNatives.has(self),
  );
  spy((win.Response as { prototype: Obj }).prototype, 'clone', 'Response.clone', always);
  spy(ReadableStream.prototype as unknown as Obj, 'getReader', 'getReader', (self) => !pageStreams.has(self));
  spy(readerProto, 'read', 'reader.read', (self) => !pageReaders.has(self));
  spy(readerProto, 'cancel', 'reader.cancel', (self) => !pageReaders.has(self));
  spy(Array.prototype as unknown as Obj, 'push', 'Array.push', (_self, args) => args.some(hasCapture));
  spy(Array.prototype as unknown as Obj, 'join', 'Array.join', (self) =>
    (self as unknown[]).some(hasCapture),
  );
  const OrigPromise = win.Promise as PromiseConstructor;
  win.Promise = class extends OrigPromise<unknown> {
    constructor(executor: ConstructorParameters<PromiseConstructor>[0]) {
      seen[seen.length] = 'Promise';
      super(executor);
    }
  };
  const OrigDecoder = win.TextDecoder as typeof TextDecoder;
  win.TextDecoder = class extends OrigDecoder {
    constructor(...args: ConstructorParameters<typeof TextDecoder>) {
      seen[seen.length] = 'TextDecoder';
      super(...args);
    }
  };
  spy(OrigDecoder.prototype as unknown as Obj, 'decode', 'TextDecoder.decode', always);
  // JSON.stringify calls any toJSON it finds on an object's prototype chain: a page that defines one on
  // Object.prototype or Array.prototype would see (and could rewrite) every event the hook serialises.
  for (const [proto, label] of [
    [Object.prototype, 'Object.prototype.toJSON'],
    [Array.prototype, 'Array.prototype.toJSON'],
  ] as const) {
    Object.defineProperty(proto, 'toJSON', {
      configurable: true,
      writable: true,
      value(this: unknown) {
        if (hasCapture(this) || (Array.isArray(this) && this.some(hasCapture))) seen[seen.length] = label;
        return this;
      },
    });
    restore[restore.length] = () => {
      delete (proto as Obj).toJSON;
    };
  }

  let text = '';
  try {
    // fetch, read by the page with its own reader.
    const res = await (win.fetch as typeof fetch)(`${server.origin}/sse`, { method: 'POST', body: 'q' });
    const body = res.body!;
    pageStreams.add(body);
    const reader = body.getReader();
    pageReaders.add(reader);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    // XHR, beacon and WebSocket.
    FakeXhr.scripts.set('/x', { parts: ['X'] });
    const xhr = new (win.XMLHttpRequest as typeof XMLHttpRequest)();
    xhr.open('GET', '/x');
    xhr.setRequestHeader('a', 'b');
    const loaded = new OrigPromise((r) => xhr.addEventListener('loadend', r));
    xhr.send();
    await loaded;
    (nav.sendBeacon as (u: string, d: string) => boolean)('/ces/v1/t', '{}');
    const ws = new (win.WebSocket as typeof WebSocket)('wss://ws.chatgpt.com/');
    FakeWebSocket.all[0]!.serverOpen();
    ws.send('out');
    FakeWebSocket.all[0]!.serverSend('in');
    FakeWebSocket.all[0]!.serverClose(1000, true);
    // Every event is flushed and delivered while the replacements are in place.
    await sleep(60);
  } finally {
    for (const r of restore) r();
    win.Promise = OrigPromise;
    win.TextDecoder = OrigDecoder;
  }

  expect(text).toBe('data: 1\n\ndata: 2\n\n');
  expect([...new Set(seen)]).toEqual([]);
  const calls = await page.ended(4);
  expect(calls.map((c) => [c.start.transport, c.body, c.end!.outcome])).toEqual([
    ['fetch', 'data: 1\n\ndata: 2\n\n', 'complete'],
    ['xhr', 'X', 'complete'],
    ['beacon', '', 'complete'],
    ['websocket', 'outin', 'complete'],
  ]);
});
