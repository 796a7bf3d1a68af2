/**
 * Test helper (not shipped): a stand-in for the page's window that the hook can be installed into, with
 * the relay's side of the private channel collecting what the hook emits.
 *
 * - `fetch` is Node's own (undici), so requests go to a real local HTTP server (`TestServer`): bodies
 *   stream over time, redirects and dropped or cancelled connections are real.
 * - `XMLHttpRequest` and `WebSocket` are scripted fakes (`FakeXhr`, `FakeWebSocket`) that behave like the
 *   browser's where the hook can tell: events, readyState, and `send` throwing InvalidStateError.
 * - Globals the hook may use (TextDecoder, JSON, Reflect, timers…) are per-window subclasses or copies, so
 *   a test can replace them as a hostile page would without touching Node's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { HANDSHAKE_EVENT, HOOK_HELLO, RELAY_HELLO, type SettingsMessage } from '../channel';
import type { CallChunk, CallEnd, CallResponse, CallStart, CaptureEvent } from '../events';
import { installHook } from './index';
import type { PageWindow } from './types';

// ---- a real HTTP server ---------------------------------------------------------------------------

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/** A local HTTP server with per-path handlers; it notes responses the client closed before their end. */
export class TestServer {
  private server: Server;
  private handlers = new Map<string, Handler>();
  /** Paths (with query) whose response was closed by the client before it ended. */
  closedEarly: string[] = [];
  /** Request bodies received, by path (with query). */
  received = new Map<string, string>();
  origin = '';

  constructor() {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      this.received.set(path, body.toString('utf8'));
      res.on('close', () => {
        if (!res.writableFinished) this.closedEarly.push(path);
      });
      const handler = this.handlers.get(path.split('?')[0]!);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"detail":"Not found"}');
        return;
      }
      await handler(req, res, body);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Answers `path` (without query) with `handler`. */
  on(path: string, handler: Handler): this {
    this.handlers.set(path, handler);
    return this;
  }

  /**
   * Answers `path` with `parts` written `delayMs` apart (then the end), as an SSE stream unless another
   * content type is given. Stops writing once the client has gone.
   */
  stream(path: string, parts: string[], delayMs = 15, contentType = 'text/event-stream'): this {
    return this.on(path, async (_req, res) => {
      res.writeHead(200, { 'content-type': contentType, 'x-test': 'streamed' });
      res.flushHeaders();
      for (const p of parts) {
        await sleep(delayMs);
        if (res.destroyed) return;
        res.write(p);
      }
      await sleep(delayMs);
      res.end();
    });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(check: () => T | null | undefined | false, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Node's key for a trusted event (`isTrusted` true, as the browser's own events are), found by watching
 * which symbol its Event constructor reads from the options; the hook ignores events the page dispatches.
 */
const kTrustEvent = (() => {
  let key: symbol | undefined;
  const watch = {
    get(_target: object, k: string | symbol) {
      if (typeof k === 'symbol' && !key) key = k;
      return undefined;
    },
  };
  new Event('probe', new Proxy({}, watch));
  if (!key) throw new Error("Node's Event constructor reads no symbol: cannot make trusted events");
  return key;
})();
/** An event as the browser dispatches it (`isTrusted`), with `fields` as own properties. */
const trusted = (type: string, fields: object) =>
  Object.assign(new Event(type, { [kTrustEvent]: true } as EventInit), fields);

/**
 * The page's MessageEvent: `data` and `ports` through prototype getters, as a browser's (the hook takes
 * `data`'s at install); `trust`: dispatched as the browser's own (`isTrusted`), as the fake server's are.
 */
class PageMessageEvent extends Event {
  readonly #data: unknown;
  readonly #ports: readonly MessagePort[];
  constructor(type: string, init: MessageEventInit = {}, trust = false) {
    super(type, trust ? ({ [kTrustEvent]: true } as EventInit) : init);
    this.#data = init.data;
    this.#ports = init.ports ?? [];
  }
  // The browser has one MessageEvent: these getters also answer for Node's own (a MessagePort's messages).
  get data() {
    return #data in this ? this.#data : nodeMessageData.call(this);
  }
  get ports() {
    return #ports in this ? this.#ports : nodeMessagePorts.call(this);
  }
}
const nodeMessageData = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data')!.get!;
const nodeMessagePorts = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'ports')!.get!;
const pageMessageData = Object.getOwnPropertyDescriptor(PageMessageEvent.prototype, 'data')!.get!;
const pageMessagePorts = Object.getOwnPropertyDescriptor(PageMessageEvent.prototype, 'ports')!.get!;
/** The page's CloseEvent, as PageMessageEvent: `code`, `wasClean` and `reason` through prototype getters. */
class PageCloseEvent extends Event {
  readonly #init: CloseEventInit;
  constructor(type: string, init: CloseEventInit = {}, trust = false) {
    super(type, trust ? ({ [kTrustEvent]: true } as EventInit) : init);
    this.#init = init;
  }
  get code() {
    return this.#init.code ?? 0;
  }
  get wasClean() {
    return this.#init.wasClean ?? false;
  }
  get reason() {
    return this.#init.reason ?? '';
  }
}

// ---- XMLHttpRequest ------------------------------------------------------------------------------

/** How a `FakeXhr` answers: status, headers, the body's pieces (text) and the pause between them. */
export interface XhrScript {
  status?: number;
  headers?: [string, string][];
  parts?: string[];
  delayMs?: number;
  /** Fail with a network error (status 0, `error` event) after the parts. */
  networkError?: boolean;
}

/**
 * A scripted XMLHttpRequest: enough of the real one for the hook (readyState, status, headers,
 * responseText, response, events, `send` throwing InvalidStateError when not opened or already sent).
 */
export class FakeXhr extends EventTarget {
  static readonly UNSENT = 0;
  static readonly OPENED = 1;
  static readonly HEADERS_RECEIVED = 2;
  static readonly LOADING = 3;
  static readonly DONE = 4;
  /** Answers by URL, set by the test. */
  static scripts = new Map<string, XhrScript>();
  /** What each `send` put on the wire: [method, url, headers, body]. */
  static sent: [string, string, [string, string][], unknown][] = [];

  // The state is read through accessors on the prototype, as a browser's XMLHttpRequest has them (the
  // hook takes those getters at install).
  private state = {
    readyState: 0,
    status: 0,
    statusText: '',
    responseText: '',
    responseType: '' as XMLHttpRequestResponseType,
  };
  get readyState() {
    return this.state.readyState;
  }
  set readyState(v: number) {
    this.state.readyState = v;
  }
  get status() {
    return this.state.status;
  }
  set status(v: number) {
    this.state.status = v;
  }
  get statusText() {
    return this.state.statusText;
  }
  set statusText(v: string) {
    this.state.statusText = v;
  }
  get responseText() {
    return this.state.responseText;
  }
  set responseText(v: string) {
    this.state.responseText = v;
  }
  get responseType() {
    return this.state.responseType;
  }
  set responseType(v: XMLHttpRequestResponseType) {
    this.state.responseType = v;
  }
  private method = 'GET';
  private url = '';
  private headers: [string, string][] = [];
  private resHeaders: [string, string][] = [];
  private sendFlag = false;

  open(method: string, url: string | URL) {
    this.method = method;
    this.url = String(url);
    this.headers = [];
    this.readyState = 1;
    this.sendFlag = false;
    this.status = 0;
    this.responseText = '';
  }
  setRequestHeader(name: string, value: string) {
    if (this.readyState !== 1 || this.sendFlag) throw new DOMException('not opened', 'InvalidStateError');
    this.headers.push([name, value]);
  }
  getAllResponseHeaders() {
    return this.resHeaders.map(([n, v]) => `${n}: ${v}\r\n`).join('');
  }
  get response(): unknown {
    if (this.responseType === 'json') return this.readyState === 4 ? JSON.parse(this.responseText) : null;
    if (this.responseType === 'arraybuffer') return new TextEncoder().encode(this.responseText).buffer;
    return this.responseText;
  }
  abort() {
    if (!this.sendFlag) return;
    this.sendFlag = false;
    // As the XHR standard's abort(): done while its events run, unsent after them.
    this.readyState = 4;
    this.status = 0;
    this.fire('readystatechange');
    this.fire('abort');
    this.fire('loadend');
    this.readyState = 0;
  }
  send(body?: unknown) {
    if (this.readyState !== 1 || this.sendFlag) throw new DOMException('not opened', 'InvalidStateError');
    this.sendFlag = true;
    FakeXhr.sent.push([this.method, this.url, this.headers, body ?? null]);
    const s = FakeXhr.scripts.get(this.url) ?? { status: 404, parts: ['{"detail":"Not found"}'] };
    void this.play(s);
  }
  private fire(type: string) {
    this.dispatchEvent(trusted(type, {}));
  }
  private async play(s: XhrScript) {
    await sleep(1);
    if (!this.sendFlag) return;
    this.status = s.networkError ? 0 : (s.status ?? 200);
    this.statusText = this.status === 200 ? 'OK' : '';
    this.resHeaders = s.headers ?? [['content-type', 'text/plain']];
    if (!s.networkError) {
      this.readyState = 2;
      this.fire('readystatechange');
    }
    for (const p of s.parts ?? []) {
      await sleep(s.delayMs ?? 5);
      if (!this.sendFlag) return;
      this.readyState = 3;
      this.responseText += p;
      this.fire('readystatechange');
      this.fire('progress');
    }
    await sleep(1);
    if (!this.sendFlag) return;
    this.sendFlag = false;
    this.readyState = 4;
    this.fire('readystatechange');
    this.fire(s.networkError ? 'error' : 'load');
    this.fire('loadend');
  }
}

// ---- WebSocket ------------------------------------------------------------------------------------

/**
 * A scripted WebSocket: the test drives the server side (`serverOpen`, `serverSend`, `serverClose`);
 * `send` throws InvalidStateError while CONNECTING, as the browser's does.
 */
export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Every socket made, in order. */
  static all: FakeWebSocket[] = [];
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  /** Frames the page sent, as given. */
  sent: unknown[] = [];
  readonly #url: string;
  readonly #protocol: string;
  // Accessors on the prototype, as a browser's WebSocket has them (the hook takes those getters at install).
  get url() {
    return this.#url;
  }
  get protocol() {
    return this.#protocol;
  }
  constructor(url: string | URL, protocols?: string | string[]) {
    super();
    this.#url = String(url);
    this.#protocol = Array.isArray(protocols) ? (protocols[0] ?? '') : (protocols ?? '');
    FakeWebSocket.all.push(this);
  }
  send(data: unknown) {
    if (this.readyState === 0) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    this.sent.push(data);
  }
  close() {
    this.serverClose(1000, true);
  }
  serverOpen() {
    this.readyState = 1;
    this.dispatchEvent(trusted('open', {}));
  }
  serverSend(data: unknown) {
    this.dispatchEvent(new PageMessageEvent('message', { data }, true));
  }
  serverClose(code: number, wasClean: boolean) {
    this.readyState = 3;
    this.dispatchEvent(new PageCloseEvent('close', { code, wasClean, reason: '' }, true));
  }
}

// ---- the page and the relay ---------------------------------------------------------------------

/** A test page: the window stand-in, the events its hook emitted, and the fakes behind it. */
export interface TestPage {
  win: PageWindow;
  /** Every event the hook emitted so far, in the order the relay received them. */
  events: CaptureEvent[];
  /** Calls `navigator.sendBeacon` received: [url, data]. */
  beacons: [string, unknown][];
  /** What `sendBeacon` returns next. */
  beaconQueued: { value: boolean };
  /** The calls recorded so far, each with its events grouped (start, response, chunks by seq, end). */
  calls(): RecordedCall[];
  /** Waits until `n` calls have ended, and returns them in start order. */
  ended(n: number): Promise<RecordedCall[]>;
  /** Sends the relay's settings message to the hook. */
  settings(s: Omit<SettingsMessage, 'type' | 'scope'> & Partial<Pick<SettingsMessage, 'scope'>>): void;
  close(): void;
}

/** One recorded call: its events as the background would merge them. */
export interface RecordedCall {
  start: CallStart;
  response?: CallResponse;
  chunks: CallChunk[];
  end?: CallEnd;
  /** The chunks' data joined in seq order. */
  body: string;
}

/**
 * Makes a window stand-in at `https://chatgpt.com/` and connects a relay to it (the hook, once
 * installed, offers its port; the relay takes it and sends recording-on settings). Install the hook
 * with `installHook(page.win)` after this.
 */
export function testPage(): TestPage {
  const win = new EventTarget() as unknown as PageWindow & Record<string, unknown>;
  // Per-window classes: a test may replace their prototype methods without touching Node's own.
  class PageTextDecoder extends TextDecoder {}
  const realFetch = globalThis.fetch;
  const beacons: [string, unknown][] = [];
  const beaconQueued = { value: true };
  FakeXhr.scripts = new Map();
  FakeXhr.sent = [];
  FakeWebSocket.all = [];
  class PageXhr extends FakeXhr {}
  class PageWebSocket extends FakeWebSocket {}
  // sendBeacon lives on Navigator.prototype, as in browsers.
  class Navigator {
    sendBeacon(url: string | URL, data?: unknown) {
      beacons.push([String(url), data]);
      return beaconQueued.value;
    }
  }
  const navigator = new Navigator();
  // The page's URL, as `location.href` and `document.URL` give it (a test may navigate: set `href`), and
  // its base URL (`document.baseURI`: a test may set `base`, as a `<base href>` would).
  const location = { href: 'https://chatgpt.com/c/test', base: null as string | null };
  class Node {
    get baseURI() {
      return location.base ?? location.href;
    }
  }
  class Document extends Node {
    visibilityState = 'visible';
    get URL() {
      return location.href;
    }
  }
  Object.assign(win, {
    window: win,
    location,
    document: new Document(),
    Document,
    Node,
    navigator,
    performance,
    crypto,
    btoa,
    atob,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => realFetch(input, init),
    Request,
    // Node's own: the hook patches accessors on Response.prototype, and Node's clone() makes base Responses
    // (vitest runs each test file in its own worker, so the patches stay within one file).
    Response,
    Headers,
    URL,
    URLSearchParams,
    FormData,
    File,
    encodeURIComponent,
    Blob,
    ReadableStream,
    ReadableStreamBYOBRequest,
    Uint8Array,
    ArrayBuffer,
    DataView,
    Math,
    TextDecoder: PageTextDecoder,
    TextEncoder,
    AbortController,
    MessageChannel,
    MessagePort,
    MessageEvent: PageMessageEvent,
    CloseEvent: PageCloseEvent,
    Event,
    EventTarget,
    DOMException,
    Object,
    Array,
    String,
    RegExp,
    WeakMap,
    Proxy,
    XMLHttpRequest: PageXhr,
    WebSocket: PageWebSocket,
    Promise,
    JSON: Object.create(null, {
      stringify: { value: JSON.stringify, writable: true, configurable: true },
      parse: { value: JSON.parse, writable: true, configurable: true },
    }),
    Reflect: {
      ...Object.fromEntries(Object.getOwnPropertyNames(Reflect).map((k) => [k, Reflect[k as 'apply']])),
    },
    setTimeout: (f: () => void, ms?: number) => setTimeout(f, ms),
    clearTimeout: (t: ReturnType<typeof setTimeout>) => clearTimeout(t),
  });

  const events: CaptureEvent[] = [];
  let relayPort: MessagePort | null = null;
  const send = (s: Omit<SettingsMessage, 'type' | 'scope'> & Partial<Pick<SettingsMessage, 'scope'>>) =>
    relayPort?.postMessage(
      JSON.stringify({ type: 'settings', scope: 'all', ...s } satisfies SettingsMessage),
    );
  // The relay runs in the isolated world, where the page's prototypes do not reach: it reads events through
  // getters taken when this module loaded, before any test replaces one.
  const onHello = (e: Event) => {
    const m = e as MessageEvent;
    const port = (pageMessagePorts.call(m) as readonly MessagePort[])[0];
    if (pageMessageData.call(m) !== HOOK_HELLO || !port || relayPort) return;
    m.preventDefault();
    relayPort = port;
    port.onmessage = (ev: MessageEvent) => {
      // No Array.prototype.push here: a test spies on it to see whether the hook's captures pass by.
      for (const x of JSON.parse(String(nodeMessageData.call(ev))) as CaptureEvent[])
        events[events.length] = x;
    };
    send({ recording: true, maxBodyBytes: 5 * 1024 * 1024 });
  };
  win.addEventListener(HANDSHAKE_EVENT, onHello, true);
  win.dispatchEvent(new MessageEvent(HANDSHAKE_EVENT, { data: RELAY_HELLO }));

  const calls = (): RecordedCall[] => {
    const by = new Map<string, RecordedCall>();
    for (const e of events) if (e.type === 'start') by.set(e.callId, { start: e, chunks: [], body: '' });
    for (const e of events) {
      const c = by.get(e.callId);
      if (!c) continue;
      if (e.type === 'response') c.response = e;
      if (e.type === 'chunk') c.chunks.push(e);
      if (e.type === 'end') c.end = e;
    }
    const out = [...by.values()].sort((a, b) => a.start.startTime - b.start.startTime);
    for (const c of out) {
      c.chunks.sort((a, b) => a.seq - b.seq);
      c.body = c.chunks.map((x) => x.data).join('');
    }
    return out;
  };
  return {
    win,
    events,
    beacons,
    beaconQueued,
    calls,
    ended: (n) =>
      until(() => {
        const all = calls().filter((c) => c.end && c.chunks.length === c.end.chunkCount);
        return all.length >= n ? all : null;
      }, `${n} ended calls`),
    settings: send,
    close() {
      relayPort?.close();
    },
  };
}

/**
 * For a test file: returns `install(before?)`, which makes a test page (`testPage`), runs `before` on it
 * (e.g. a page script that runs before the hook) and installs the hook; the page is closed after each test.
 */
export function hookedPages(): (before?: (page: TestPage) => void) => TestPage {
  let page: TestPage | undefined;
  afterEach(() => page?.close());
  return (before) => {
    page = testPage();
    before?.(page);
    installHook(page.win);
    return page;
  };
}
