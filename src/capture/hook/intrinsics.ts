/**
 * Everything the hook uses from the page's world, captured once at install (document_start, before any
 * page script) and never looked up again. A page script that later replaces a global or a prototype method
 * (`MessagePort.prototype.postMessage`, `JSON.stringify`, `Promise`, `Response.prototype.clone`, a stream
 * reader's `read`…) then neither receives the hook's port or captures nor stops the recording.
 *
 * Methods are "uncurried": `js.read(reader)` calls the captured `read` with `reader` as `this` through the
 * captured `Reflect.apply`, so not even `Function.prototype.call` is looked up at call time. Awaiting a
 * native promise (async functions) uses the engine's own promise steps, not `Promise.prototype.then`, so
 * the hook prefers `await` over `.then()`.
 *
 * Not covered: String, RegExp and typed-array prototype methods used on the page's own data (redaction,
 * slicing). A page that breaks those breaks itself first; the captures would only show it its own traffic.
 */
import type { PageWindow } from './types';

type Fn = (...args: never[]) => unknown;

/** The page-world functions and constructors the hook uses. */
export interface Intrinsics {
  apply: typeof Reflect.apply;
  construct: typeof Reflect.construct;
  defineProperty: typeof Object.defineProperty;
  stringify: typeof JSON.stringify;
  parse: typeof JSON.parse;
  /** `Object.keys`: own enumerable string keys, no prototype lookup. */
  keys: (o: object) => string[];
  isArray: (x: unknown) => x is unknown[];
  /** True for the realm's own promises (what async functions return), whatever `window.Promise` is now. */
  isPromise: (x: unknown) => x is Promise<unknown>;
  WeakMap: WeakMapConstructor;
  Proxy: ProxyConstructor;
  TextDecoder: typeof TextDecoder;
  ReadableStream: typeof ReadableStream;
  Response: typeof Response;
  URL: typeof URL;
  setTimeout: (f: () => void, ms: number) => void;
  /**
   * The page's URL now: `document.URL` through the captured getter, the same string `location.href` gives
   * for the active document (HTML: Location's url is its Document's URL). Measured on the hook's path
   * (calls 30 ms apart, test build): `location.href` cost ~15 µs per call, the getter a fraction of it.
   */
  pageUrl: () => string;
  /**
   * The URL the page's relative request URLs resolve against now: `document.baseURI` through the captured
   * getter (fetch, XHR, WebSocket and sendBeacon parse with the document's base URL, which a `<base href>`
   * changes; found in an attack run).
   */
  baseUrl: () => string;
  /** `performance.timeOrigin + performance.now()`: milliseconds since the epoch, sub-millisecond. */
  now: () => number;
  randomUUID: () => string;
  decode: (d: TextDecoder, input?: AllowSharedBufferSource, options?: TextDecodeOptions) => string;
  postMessage: (port: MessagePort, message: unknown) => void;
  addEventListener: (
    target: EventTarget,
    type: string,
    listener: (e: Event) => unknown,
    options?: boolean | AddEventListenerOptions,
  ) => void;
  removeEventListener: (
    target: EventTarget,
    type: string,
    listener: (e: Event) => unknown,
    capture?: boolean,
  ) => void;
  dispatchEvent: (target: EventTarget, e: Event) => boolean;
  weakGet: <K extends object, V>(m: WeakMap<K, V>, k: K) => V | undefined;
  weakSet: <K extends object, V>(m: WeakMap<K, V>, k: K, v: V) => void;
  cloneResponse: (r: Response) => Response;
  cloneRequest: (r: Request) => Request;
  /** `Request.prototype.body`, or always null where the browser has none (Firefox). */
  requestBody: (r: Request) => ReadableStream<Uint8Array> | null;
  responseBody: (r: Response) => ReadableStream<Uint8Array> | null;
  /** `ReadableStream.prototype.locked`: whether a reader (or a pipe, or a tee) holds the stream. */
  locked: (s: ReadableStream) => boolean;
  /** `Response.prototype.arrayBuffer`: the whole body, read by the browser (no script-visible stream). */
  responseArrayBuffer: (r: Response) => Promise<ArrayBuffer>;
  responseHeaders: (r: Response) => Headers;
  /** `Response.prototype.type`, the browser's own getter (a page's replacement cannot hide an opaque response). */
  responseType: (r: Response) => ResponseType;
  /**
   * `Response.prototype.status` and `statusText`, the browser's own getters: the head is read after the
   * page's code has run (fetch.ts `open`), and a page's getter must never see the hook's Response.
   */
  responseStatus: (r: Response) => number;
  responseStatusText: (r: Response) => string;
  /** `AbortSignal.prototype.aborted`, the browser's own getter. */
  signalAborted: (s: AbortSignal) => boolean;
  /** The byte stream controller's methods (the page may replace ReadableByteStreamController.prototype's). */
  enqueue: (c: ReadableByteStreamController, chunk: ArrayBufferView<ArrayBuffer>) => void;
  close: (c: ReadableByteStreamController) => void;
  /** The controller's `desiredSize` getter: its high-water mark less what the page has not read yet. */
  desiredSize: (c: ReadableByteStreamController) => number | null;
  error: (c: ReadableByteStreamController, e?: unknown) => void;
  /** The controller's `byobRequest` getter: a BYOB read waiting for bytes, or null. */
  byobRequest: (c: ReadableByteStreamController) => ReadableStreamBYOBRequest | null;
  /** `ReadableStreamBYOBRequest.prototype.respond`: after close(), respond(0) settles the waiting BYOB read as done. */
  respond: (r: ReadableStreamBYOBRequest, bytesWritten: number) => void;
  /** The headers as pairs, read with the captured `Headers.prototype.forEach`. */
  headerEntries: (h: Headers) => [string, string][];
  headerGet: (h: Headers, name: string) => string | null;
  getReader: (s: ReadableStream<Uint8Array>) => ReadableStreamDefaultReader<Uint8Array>;
  read: (r: ReadableStreamDefaultReader<Uint8Array>) => Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel: (r: ReadableStreamDefaultReader<Uint8Array>, reason?: unknown) => Promise<void>;
  /**
   * Whether `re` matches `s`, through the captured `RegExp.prototype.exec` (the builtin, which looks up no
   * page-replaceable method; `test` would call `this.exec`). For regular expressions without the g or y flag.
   */
  matches: (re: RegExp, s: string) => boolean;
  blobSlice: (b: Blob, start: number, end: number) => Blob;
  blobArrayBuffer: (b: Blob) => Promise<ArrayBuffer>;
  /**
   * Appends `v` to `a` as an own data property (with the captured `defineProperty` and a descriptor of no
   * prototype): `a[a.length] = v` and `push` would hand `v` to an index setter the page put on
   * Array.prototype, and let it store something else.
   */
  append: <T>(a: T[], v: T) => void;
  /**
   * `getter<S, V>(proto, name)(self)`: the accessor `name` found on `proto`'s chain now, called on `self`
   * (of type S) and giving V. Throws a TypeError at once if there is no such accessor.
   */
  getter: <S, V>(proto: object, name: string) => (self: S) => V;
  /** `uncurry(f)(self, ...args)`: `f` called with `this` = self (`Function.prototype.call` bound now). */
  uncurry: <F extends Fn>(f: F) => (self: unknown, ...args: unknown[]) => unknown;
  /** Whether `x` is a Blob (a File too), asked through the browser's `size` getter: no `instanceof`. */
  isBlob: (x: unknown) => x is Blob;
  /** `Blob.prototype.size`, the browser's getter. */
  blobSize: (b: Blob) => number;
  /**
   * A URLSearchParams or FormData body as the text the hook records (`a=1&b=2`, files as `[file name]`),
   * read now through the browser's own methods (a page's `toString`, `entries` or iterator never sees
   * it, nor changes it after the call); null for anything else.
   */
  formText: (x: unknown) => string | null;
  /**
   * `MessageEvent.prototype.data`, the browser's getter: the relay's hello and settings, and a socket's
   * frames, are read through it (a page's replacement would stop the channel or write the record).
   */
  messageData: (e: Event) => unknown;
  /** Whether `x` is a Request, asked through the browser's `url` getter: no `instanceof`. */
  isRequest: (x: unknown) => x is Request;
  /** The browser's `Uint8Array`, for the hook's own arrays: a page's replacement never sees a captured byte. */
  Uint8Array: Uint8ArrayConstructor;
  /**
   * A copy of the first `cap` bytes (default: all) of an ArrayBuffer or of a view of one (a typed array, a
   * DataView), made through the browser's own constructor and getters: a page that replaces `Uint8Array`,
   * `subarray`, `slice`, a `byteLength` getter or a species constructor neither sees nor alters the copy
   * (`slice` and `subarray` call the species constructor; the copy constructor does not). Null for anything
   * else (a SharedArrayBuffer too).
   */
  copyBytes: (x: unknown, cap?: number) => Uint8Array | null;
  /** A view of bytes `start` to `end` of a Uint8Array (`subarray` without its species constructor). */
  view: (x: Uint8Array, start: number, end: number) => Uint8Array;
  /** `Math.min` and `Math.max` (the page may replace them). */
  min: (...xs: number[]) => number;
  max: (...xs: number[]) => number;
  /** `TypedArray.prototype.set`: copies `source` into `target` from byte `offset`. */
  set: (target: Uint8Array, source: Uint8Array, offset: number) => void;
  /** `ArrayBuffer.isView`. */
  isView: (x: unknown) => x is ArrayBufferView;
  /** The byte length of an ArrayBuffer or a view, through the browser's getters (a page's may lie). */
  byteLength: (x: ArrayBuffer | ArrayBufferView) => number;
  /**
   * Bytes as base64: the browser's `Uint8Array.prototype.toBase64` (Chromium 140, Firefox 133), else
   * `btoa` of 32 KiB slices through `String.fromCharCode`.
   */
  toBase64: (bytes: Uint8Array) => string;
}

/** Captures the intrinsics from `win`. Call once, at install. */
export function captureIntrinsics(win: PageWindow): Intrinsics {
  const apply = win.Reflect.apply;
  // `uncurry(f)(self, ...args)` calls `f` with `this` = self: `Function.prototype.call` bound to `f`, both
  // taken now, so a page that replaces `call` or `bind` later changes nothing. A bound builtin, not a
  // wrapper of ours: no frame of the hook and no arguments array per call (these run on the page's path).
  const fnProto = Object.getPrototypeOf(apply) as typeof Function.prototype;
  const fnBind = fnProto.bind;
  const fnCall = fnProto.call;
  const uncurry = <F extends Fn>(f: F) =>
    apply(fnBind, fnCall, [f]) as (self: unknown, ...args: unknown[]) => unknown;
  const bound = <T>(f: () => T, self: unknown) => apply(fnBind, f, [self]) as () => T;
  // The accessor may sit further up the chain (a subclass's prototype, in tests).
  const getter = (proto: object | null, name: string): ((self: unknown) => unknown) => {
    for (; proto; proto = Object.getPrototypeOf(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (d?.get) return uncurry(d.get as Fn);
    }
    throw new TypeError(name);
  };
  const perf = win.performance;
  const timeOrigin = perf.timeOrigin;
  const perfNow = bound(perf.now, perf);
  const crypto = win.crypto;
  const uuid = crypto.randomUUID;
  const setTimeout = win.setTimeout;
  const promiseProto = win.Object.getPrototypeOf((async () => {})()) as object;
  const inherits = uncurry(win.Object.prototype.isPrototypeOf);
  const W = win.WeakMap.prototype;
  const R = win.Response.prototype;
  const H = win.Headers.prototype;
  const headersForEach = uncurry(H.forEach);
  // The reader's prototype is not a global in every browser: take it from a reader.
  const reader = new win.ReadableStream().getReader();
  const readerProto = Object.getPrototypeOf(reader) as ReadableStreamDefaultReader<Uint8Array>;
  // Nor is the byte stream controller's, in every window: take it from a controller.
  let byteController: ReadableByteStreamController | undefined;
  new win.ReadableStream({
    type: 'bytes',
    start(c) {
      byteController = c;
    },
  });
  const BC = Object.getPrototypeOf(byteController) as ReadableByteStreamController;
  // A global in Chromium and Firefox (and Node); where it is not, a waiting BYOB read is left as before.
  const byobRequest = win.ReadableStreamBYOBRequest?.prototype;
  const U8 = win.Uint8Array;
  const typedArray = Object.getPrototypeOf(U8.prototype) as object;
  const taBuffer = getter(typedArray, 'buffer');
  const taOffset = getter(typedArray, 'byteOffset');
  const taLength = getter(typedArray, 'byteLength');
  const DV = win.DataView.prototype;
  const dvBuffer = getter(DV, 'buffer');
  const dvOffset = getter(DV, 'byteOffset');
  const dvLength = getter(DV, 'byteLength');
  const bufferLength = getter(win.ArrayBuffer.prototype, 'byteLength');
  const isView = win.ArrayBuffer.isView;
  const { min, max } = win.Math;
  /** [buffer, byte offset, byte length] of an ArrayBuffer or a view, through the browser's getters; else null. */
  const span = (x: unknown): [ArrayBuffer, number, number] | null => {
    try {
      if (!isView(x)) return [x as ArrayBuffer, 0, bufferLength(x) as number];
      try {
        return [taBuffer(x) as ArrayBuffer, taOffset(x) as number, taLength(x) as number];
      } catch {
        return [dvBuffer(x) as ArrayBuffer, dvOffset(x) as number, dvLength(x) as number];
      }
    } catch {
      return null;
    }
  };
  /** `true` when `get(x)` does not throw: a brand check through a getter of the browser's. */
  const brand =
    (get: (self: unknown) => unknown) =>
    (x: unknown): boolean => {
      try {
        get(x);
        return true;
      } catch {
        return false;
      }
    };
  const defineProperty = win.Object.defineProperty;
  const blobSize = getter(win.Blob.prototype, 'size');
  const searchText = uncurry(win.URLSearchParams.prototype.toString);
  const formEntries = uncurry(win.FormData.prototype.entries);
  const formNext = uncurry(Object.getPrototypeOf(new win.FormData().entries()).next);
  const fileName = getter(win.File.prototype, 'name');
  const encode = win.encodeURIComponent;
  const formText = (x: unknown): string | null => {
    try {
      return searchText(x) as string;
    } catch {}
    let entries: unknown;
    try {
      entries = formEntries(x);
    } catch {
      return null;
    }
    let text = '';
    for (
      let r = formNext(entries) as IteratorResult<[string, unknown]>;
      !r.done;
      r = formNext(entries) as typeof r
    ) {
      const v = r.value[1];
      text += `${text ? '&' : ''}${encode(r.value[0])}=${typeof v === 'string' ? encode(v) : `[file ${fileName(v)}]`}`;
    }
    return text;
  };
  const btoa = win.btoa;
  const fromCharCode = win.String.fromCharCode;
  const nativeToBase64 = (U8.prototype as { toBase64?: Fn }).toBase64;
  const toBase64 = nativeToBase64 && uncurry(nativeToBase64);
  const view = (x: Uint8Array, start: number, end: number) => {
    const length = taLength(x) as number;
    if (min(end, length) <= start) return new U8(0);
    return new U8(taBuffer(x) as ArrayBuffer, (taOffset(x) as number) + start, min(end, length) - start);
  };
  const append = <T>(a: T[], v: T) => {
    defineProperty(a, a.length, {
      __proto__: null,
      value: v,
      writable: true,
      enumerable: true,
      configurable: true,
    } as PropertyDescriptor);
  };
  const E = win.EventTarget.prototype;
  const doc = win.document;
  const documentUrl = getter(win.Document.prototype, 'URL');
  const baseUri = getter(win.Node.prototype, 'baseURI');
  const exec = win.RegExp.prototype.exec;
  return {
    apply,
    construct: win.Reflect.construct,
    defineProperty,
    append,
    getter: getter as Intrinsics['getter'],
    uncurry,
    isBlob: brand(blobSize) as Intrinsics['isBlob'],
    blobSize: blobSize as Intrinsics['blobSize'],
    messageData: getter(win.MessageEvent.prototype, 'data'),
    formText,
    isRequest: brand(getter(win.Request.prototype, 'url')) as Intrinsics['isRequest'],
    stringify: win.JSON.stringify,
    parse: win.JSON.parse,
    keys: win.Object.keys,
    isArray: win.Array.isArray,
    isPromise: (x): x is Promise<unknown> => inherits(promiseProto, x) as boolean,
    WeakMap: win.WeakMap,
    Proxy: win.Proxy,
    TextDecoder: win.TextDecoder,
    ReadableStream: win.ReadableStream,
    Response: win.Response,
    URL: win.URL,
    setTimeout: (f, ms) => void apply(setTimeout, win, [f, ms]),
    pageUrl: () => documentUrl(doc) as string,
    baseUrl: () => baseUri(doc) as string,
    now: () => timeOrigin + perfNow(),
    randomUUID: () => apply(uuid, crypto, []) as string,
    decode: uncurry(win.TextDecoder.prototype.decode) as Intrinsics['decode'],
    postMessage: uncurry(win.MessagePort.prototype.postMessage) as Intrinsics['postMessage'],
    addEventListener: uncurry(E.addEventListener) as Intrinsics['addEventListener'],
    removeEventListener: uncurry(E.removeEventListener) as Intrinsics['removeEventListener'],
    dispatchEvent: uncurry(E.dispatchEvent) as Intrinsics['dispatchEvent'],
    weakGet: uncurry(W.get) as Intrinsics['weakGet'],
    weakSet: uncurry(W.set) as Intrinsics['weakSet'],
    cloneResponse: uncurry(R.clone) as Intrinsics['cloneResponse'],
    cloneRequest: uncurry(win.Request.prototype.clone) as Intrinsics['cloneRequest'],
    // Firefox has no Request.prototype.body (its Request bodies are not readable as streams).
    requestBody: ('body' in win.Request.prototype
      ? getter(win.Request.prototype, 'body')
      : () => null) as Intrinsics['requestBody'],
    responseBody: getter(R, 'body') as Intrinsics['responseBody'],
    locked: getter(win.ReadableStream.prototype, 'locked') as Intrinsics['locked'],
    responseArrayBuffer: uncurry(R.arrayBuffer) as Intrinsics['responseArrayBuffer'],
    responseHeaders: getter(R, 'headers') as Intrinsics['responseHeaders'],
    responseType: getter(R, 'type') as Intrinsics['responseType'],
    responseStatus: getter(R, 'status') as Intrinsics['responseStatus'],
    responseStatusText: getter(R, 'statusText') as Intrinsics['responseStatusText'],
    signalAborted: getter(
      Object.getPrototypeOf(new win.AbortController().signal),
      'aborted',
    ) as Intrinsics['signalAborted'],
    enqueue: uncurry(BC.enqueue) as Intrinsics['enqueue'],
    close: uncurry(BC.close) as Intrinsics['close'],
    desiredSize: getter(BC, 'desiredSize') as Intrinsics['desiredSize'],
    error: uncurry(BC.error) as Intrinsics['error'],
    byobRequest: getter(BC, 'byobRequest') as Intrinsics['byobRequest'],
    respond: (byobRequest ? uncurry(byobRequest.respond) : () => {}) as Intrinsics['respond'],
    headerEntries: (h) => {
      const out: [string, string][] = [];
      headersForEach(h, (value: string, name: string) => {
        append(out, [name, value]);
      });
      return out;
    },
    headerGet: uncurry(H.get) as Intrinsics['headerGet'],
    getReader: uncurry(win.ReadableStream.prototype.getReader) as Intrinsics['getReader'],
    read: uncurry(readerProto.read) as Intrinsics['read'],
    cancel: uncurry(readerProto.cancel) as Intrinsics['cancel'],
    matches: (re, s) => apply(exec, re, [s]) !== null,
    blobSlice: uncurry(win.Blob.prototype.slice) as Intrinsics['blobSlice'],
    blobArrayBuffer: uncurry(win.Blob.prototype.arrayBuffer) as Intrinsics['blobArrayBuffer'],
    Uint8Array: U8,
    copyBytes: (x, cap = Infinity) => {
      const s = span(x);
      if (!s) return null;
      const n = min(s[2], cap);
      // A detached buffer has length 0, and a view of it throws: the body is empty, as the browser sends it.
      return n ? new U8(new U8(s[0], s[1], n)) : new U8(0);
    },
    view,
    min,
    max,
    set: uncurry((typedArray as Uint8Array).set) as Intrinsics['set'],
    isView,
    byteLength: (x) => {
      try {
        return (isView(x) ? taLength(x) : bufferLength(x)) as number;
      } catch {
        return dvLength(x) as number;
      }
    },
    toBase64: (bytes) => {
      if (toBase64) return toBase64(bytes) as string;
      let s = '';
      for (let i = 0, n = taLength(bytes) as number; i < n; i += 0x8000)
        s += apply(fromCharCode, null, view(bytes, i, i + 0x8000) as unknown as unknown[]);
      return apply(btoa, win, [s]) as string;
    },
  };
}
