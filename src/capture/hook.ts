/**
 * The page hook: runs in the page's MAIN world at document_start and records every fetch, XHR,
 * sendBeacon and WebSocket the page makes. Rules (DESIGN.md "Page hook"):
 * - the original is called first and its result returned untouched (same promise, same Response);
 * - bodies are read from clones, eagerly and chunk by chunk, each chunk stamped on arrival;
 * - secrets are redacted here, before anything leaves the page world;
 * - every error inside the hook is swallowed: the page must behave exactly as without the extension.
 * Work that is not needed to keep timings right happens after the original call has been made.
 */

import { HANDSHAKE_EVENT, HOOK_HELLO, RELAY_HELLO, readSettingsMessage } from './channel';
import type { CallChunk, CallEnd, CallResponse, CallStart, CaptureEvent, HookSettings } from './events';
import {
  DEFAULT_MAX_BODY_BYTES,
  MAX_HEADER_NAME_CHARS,
  MAX_HEADER_VALUE_CHARS,
  MAX_HEADERS,
  MAX_URL_CHARS,
} from './limits';
import { LineBuffer } from './line-buffer';
import { redactBody, redactHeaders, redactText, redactUrl } from './redact';

type Headers2 = [string, string][];
const BUFFER_LIMIT = 20_000;
// The event schema's bounds (limits.ts): values past them are cut here, so one odd call (a long data: URL,
// a huge header) can never make the background refuse a whole batch.
const clampUrl = (u: string) =>
  u.length > MAX_URL_CHARS ? `${u.slice(0, MAX_URL_CHARS - 12)}…[truncated]` : u;
const clampHeaders = (h: Headers2): Headers2 =>
  h
    .slice(0, MAX_HEADERS)
    .map(([n, v]) => [n.slice(0, MAX_HEADER_NAME_CHARS), v.slice(0, MAX_HEADER_VALUE_CHARS)]);

export interface HookHandle {
  pageSessionId: string;
}

export function installHook(win: Window & typeof globalThis): HookHandle | undefined {
  const marker = Symbol.for('chatgpt-flow-recorder.hook');
  const w = win as unknown as Record<symbol, unknown>;
  if (w[marker]) return undefined;
  w[marker] = true;

  const perf = win.performance;
  const now = () => perf.timeOrigin + perf.now();
  const pageSessionId = win.crypto.randomUUID();
  // Full random ids: a call id is the record's key, so a collision would merge two calls.
  const newId = () => win.crypto.randomUUID();

  // ---- channel to the relay -------------------------------------------------------------------
  const settings: HookSettings = { recording: true, maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
  let port: MessagePort | null = null;
  let buffer: string[] | null = [];
  const channel = new win.MessageChannel();
  channel.port1.onmessage = (e: MessageEvent) => {
    const msg = readSettingsMessage(e.data);
    if (!msg) return;
    settings.recording = msg.recording;
    settings.maxBodyBytes = msg.maxBodyBytes;
    if (!port) {
      port = channel.port1;
      const pending = buffer ?? [];
      buffer = null;
      if (settings.recording) for (const m of pending) port.postMessage(m);
    }
  };
  // The port is handed over once: the relay cancels the event when it takes the port, and from then on
  // the hook stops listening, so a page script replaying the handshake gets nothing (the relay's settings
  // arrive later, after an async storage read, while page scripts already run).
  let handedOver = false;
  const offer = () => {
    if (handedOver) return;
    const ev = new win.MessageEvent(HANDSHAKE_EVENT, {
      data: HOOK_HELLO,
      ports: [channel.port2],
      cancelable: true,
    });
    if (!win.dispatchEvent(ev)) {
      handedOver = true;
      win.removeEventListener(HANDSHAKE_EVENT, onHello, true);
    }
  };
  const onHello = (e: Event) => {
    if ((e as MessageEvent).data === RELAY_HELLO) offer();
  };
  win.addEventListener(HANDSHAKE_EVENT, onHello, true);
  offer();

  // Events leave in small bundles (one postMessage per ~10 ms, not one per event), and the work of
  // building them (redaction, text decoding, JSON) runs then, not while the page waits for its response:
  // an item is an event, or a thunk that makes one, run in order at flush time.
  type Item = CaptureEvent | (() => CaptureEvent | null);
  let outbox: Item[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (!outbox.length) return;
    const items = outbox;
    outbox = [];
    const parts: string[] = [];
    for (const item of items) {
      try {
        const e = typeof item === 'function' ? item() : item;
        if (e) parts.push(JSON.stringify(e));
      } catch {}
    }
    if (!parts.length) return;
    const bundle = `[${parts.join(',')}]`;
    if (port) port.postMessage(bundle);
    else if (buffer && buffer.length < BUFFER_LIMIT) buffer.push(bundle);
  };
  // What is queued when the page goes away would die with it (keepalive fetches and beacons are sent
  // exactly then): send it at once.
  const flushNow = () => {
    try {
      flush();
    } catch {}
  };
  win.addEventListener('pagehide', flushNow, true);
  win.addEventListener(
    'visibilitychange',
    () => win.document.visibilityState === 'hidden' && flushNow(),
    true,
  );

  const post = (item: Item) => {
    if (!settings.recording) return;
    outbox.push(item);
    if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 10);
    }
  };

  // ---- helpers ---------------------------------------------------------------------------------
  const toBase64 = (bytes: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
    }
    return win.btoa(s);
  };
  const isText = (contentType: string | null) =>
    !contentType || /text|json|javascript|xml|event-stream|x-www-form-urlencoded|graphql/i.test(contentType);

  const headerPairs = (h: HeadersInit | undefined | null): Headers2 => {
    if (!h) return [];
    if (h instanceof win.Headers) return [...h.entries()];
    if (Array.isArray(h)) return h.map(([k, v]) => [String(k), String(v)]);
    return Object.entries(h).map(([k, v]) => [k, String(v)]);
  };

  interface BodyOut {
    body: string | null;
    encoding: 'text' | 'base64';
    truncated: boolean;
  }
  /** Bytes kept from a body: at most the cap, copied (the page may reuse its buffer). */
  interface Bytes {
    bytes: Uint8Array;
    truncated: boolean;
  }
  const isBytes = (b: unknown): b is Bytes =>
    typeof b === 'object' && b !== null && (b as Bytes).bytes instanceof Uint8Array;
  /** Bodies are built at flush time: copy what is kept of a byte body now, never more than the cap. */
  const snapshot = (b: unknown): unknown => {
    const cap = settings.maxBodyBytes;
    if (b instanceof ArrayBuffer)
      return { bytes: new Uint8Array(b.slice(0, cap)), truncated: b.byteLength > cap };
    if (ArrayBuffer.isView(b)) {
      const n = Math.min(b.byteLength, cap);
      return {
        bytes: new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + n)),
        truncated: b.byteLength > cap,
      };
    }
    if (b instanceof win.Blob)
      return b
        .slice(0, cap)
        .arrayBuffer()
        .then((a) => ({ bytes: new Uint8Array(a), truncated: b.size > cap }));
    return b;
  };
  /** A Request's body, read from a clone up to the cap (the rest is not read at all). */
  const readCapped = async (stream: ReadableStream<Uint8Array>): Promise<Bytes> => {
    const cap = settings.maxBodyBytes;
    const reader = stream.getReader();
    const parts: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      n += value.byteLength;
      if (n > cap) {
        void reader.cancel().catch(() => {});
        break;
      }
    }
    const bytes = new Uint8Array(Math.min(n, cap));
    let at = 0;
    for (const p of parts) {
      const take = p.subarray(0, bytes.length - at);
      bytes.set(take, at);
      at += take.length;
    }
    return { bytes, truncated: n > cap };
  };

  /** Request bodies as recorded: text (redacted) or base64 bytes, cut at the cap. */
  const bodyOf = (url: string, body: unknown): BodyOut => {
    const cap = settings.maxBodyBytes;
    if (body == null) return { body: null, encoding: 'text', truncated: false };
    if (typeof body === 'string' || body instanceof win.URLSearchParams) {
      const text = String(body);
      return { body: redactBody(url, text.slice(0, cap)), encoding: 'text', truncated: text.length > cap };
    }
    if (body instanceof win.FormData) {
      const parts: string[] = [];
      for (const [k, v] of body.entries()) {
        parts.push(
          `${encodeURIComponent(k)}=${typeof v === 'string' ? encodeURIComponent(v) : `[file ${v.name}]`}`,
        );
      }
      const text = parts.join('&');
      return { body: redactBody(url, text.slice(0, cap)), encoding: 'text', truncated: text.length > cap };
    }
    if (!isBytes(body)) return { body: '[unreadable body]', encoding: 'text', truncated: false };
    const { bytes, truncated } = body;
    // gzip (Statsig rgstr) and other binary bodies stay bytes; UTF-8 text becomes text.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b)
      return { body: toBase64(bytes), encoding: 'base64', truncated };
    try {
      const text = new win.TextDecoder('utf-8', { fatal: !truncated }).decode(bytes);
      return { body: redactBody(url, text), encoding: 'text', truncated };
    } catch {
      return { body: toBase64(bytes), encoding: 'base64', truncated };
    }
  };

  const abortLike = (err: unknown) => (err as { name?: string } | null)?.name === 'AbortError';
  const errText = (err: unknown) => {
    try {
      return String((err as Error)?.message ?? err).slice(0, 1000);
    } catch {
      return 'error';
    }
  };

  /**
   * Turns a body into chunk events, each stamped when it arrived:
   * - `text`: a streamed text body (bytes decoded as UTF-8, or XHR's growing responseText), released at
   *   line breaks so redaction never sees half a secret;
   * - `bytes`: a binary body, base64 per read, never rewritten by text redaction;
   * - `frames`: WebSocket messages, each whole (text redacted as one piece, binary as base64).
   */
  class BodyRecorder {
    seq = 0;
    bytes = 0;
    truncated = false;
    private lines = new LineBuffer();
    private decoder: TextDecoder | null;
    constructor(
      private callId: string,
      private mode: 'text' | 'bytes' | 'frames',
    ) {
      this.decoder = mode === 'text' ? new win.TextDecoder() : null;
    }
    /** Counts a piece against the cap; false when it is past it (then nothing more is recorded). */
    private admit(n: number): boolean {
      this.bytes += n;
      if (!this.truncated && this.bytes > settings.maxBodyBytes) this.truncated = true;
      return !this.truncated;
    }
    private emit(
      seq: number,
      time: number,
      n: number,
      data: () => string,
      binary: boolean,
      direction?: 'in' | 'out',
    ) {
      post(() => {
        const chunk: CallChunk = { type: 'chunk', callId: this.callId, seq, time, bytes: n, data: data() };
        if (binary) chunk.encoding = 'base64';
        if (direction) chunk.direction = direction;
        return chunk;
      });
    }
    push(value: Uint8Array | string, direction?: 'in' | 'out') {
      const time = now();
      const n = typeof value === 'string' ? value.length : value.byteLength;
      if (!this.admit(n)) return;
      const binary = typeof value !== 'string' && this.mode !== 'text';
      const data = () => {
        if (typeof value !== 'string' && binary) return toBase64(value);
        if (this.mode === 'frames') return redactText(value as string);
        const text = typeof value === 'string' ? value : this.decoder!.decode(value, { stream: true });
        return redactText(this.lines.push(text));
      };
      this.emit(this.seq++, time, n, data, binary, direction);
    }
    /** A frame whose bytes arrive later (a Blob): its place and time are taken now, so order holds. */
    pushLater(value: Promise<ArrayBuffer>, direction: 'in' | 'out') {
      const time = now();
      const seq = this.seq++;
      void value.then(
        (b) => {
          if (this.admit(b.byteLength))
            this.emit(seq, time, b.byteLength, () => toBase64(new Uint8Array(b)), true, direction);
        },
        () => {},
      );
    }
    end(outcome: CallEnd['outcome'], error?: string) {
      const endTime = now();
      if (this.mode === 'text' && !this.truncated) {
        const decoder = this.decoder!;
        this.emit(
          this.seq++,
          endTime,
          0,
          () => redactText(this.lines.push(decoder.decode()) + this.lines.end()),
          false,
        );
      }
      const e: CallEnd = {
        type: 'end',
        callId: this.callId,
        endTime,
        outcome,
        truncated: this.truncated,
        bodyBytes: this.bytes,
        chunkCount: this.seq,
      };
      if (error) e.error = error;
      post(e);
    }
  }

  /** Records a call's start; resolves once its start event is queued (after async bodies are read). */
  const start = (
    callId: string,
    transport: CallStart['transport'],
    method: string,
    url: string,
    headers: Headers2,
    body: unknown,
    startTime: number,
    keepalive?: boolean,
  ): Promise<void> => {
    const pageUrl = win.location.href;
    const queue = (raw: unknown) =>
      post(() => {
        const b = bodyOf(url, raw);
        const e: CallStart = {
          type: 'start',
          callId,
          pageSessionId,
          transport,
          method: method.toUpperCase(),
          url: clampUrl(redactUrl(url)),
          pageUrl: clampUrl(redactUrl(pageUrl)),
          requestHeaders: redactHeaders(clampHeaders(headers)),
          requestBody: b.body,
          requestBodyEncoding: b.encoding,
          requestTruncated: b.truncated,
          startTime,
        };
        if (keepalive) e.keepalive = true;
        return e;
      });
    if (body instanceof Promise) return body.then(queue);
    queue(body);
    return Promise.resolve();
  };

  const responseEvent = (
    callId: string,
    status: number,
    statusText: string,
    headers: Headers2,
    text: boolean,
    headersTime = now(),
  ) => {
    post(
      (): CallResponse => ({
        type: 'response',
        callId,
        status,
        statusText,
        responseHeaders: redactHeaders(clampHeaders(headers)),
        responseBodyEncoding: text ? 'text' : 'base64',
        headersTime,
      }),
    );
  };

  /** Gives a wrapper the original's name and length, as a page that inspects them would see. */
  const like = <T extends object>(wrapper: T, original: unknown): T => {
    try {
      const o = original as { name: string; length: number };
      Object.defineProperty(wrapper, 'name', { value: o.name });
      Object.defineProperty(wrapper, 'length', { value: o.length });
    } catch {}
    return wrapper;
  };

  // ---- fetch -----------------------------------------------------------------------------------
  const origFetch = win.fetch;
  const recordFetch = (input: RequestInfo | URL, init: RequestInit | undefined, startTime: number) => {
    const callId = newId();
    const isReq = input instanceof win.Request;
    // Relative URLs are resolved as fetch resolves them, against the document's URL.
    const url = isReq
      ? input.url
      : new win.URL(String(input instanceof win.URL ? input.href : input), win.location.href).href;
    const method = init?.method ?? (isReq ? input.method : 'GET');
    const headers = init?.headers ? headerPairs(init.headers) : isReq ? headerPairs(input.headers) : [];
    // A Request's body is read from a clone made now, before the original is consumed by fetch.
    const body: unknown =
      init?.body !== undefined
        ? snapshot(init.body)
        : isReq && input.body
          ? readCapped(input.clone().body!)
          : null;
    const keepalive = init?.keepalive ?? (isReq ? input.keepalive : undefined);
    const started = start(callId, 'fetch', method, url, headers, body, startTime, keepalive).catch(() => {});
    return { callId, started };
  };

  const readResponse = async (rec: { callId: string; started: Promise<void> }, res: Response) => {
    const headersTime = now();
    const clone = res.clone();
    await rec.started;
    const text = isText(res.headers.get('content-type'));
    responseEvent(rec.callId, res.status, res.statusText, [...res.headers.entries()], text, headersTime);
    const body = new BodyRecorder(rec.callId, text ? 'text' : 'bytes');
    if (!clone.body) return body.end('complete');
    const reader = clone.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        body.push(value);
        if (body.truncated) {
          // Past the cap: stop reading our copy. Cancelling one branch of the tee leaves the page's own
          // branch untouched, and a page that cancels its reader then really ends the download.
          void reader.cancel().catch(() => {});
          break;
        }
      }
      body.end('complete');
    } catch (err) {
      body.end(abortLike(err) ? 'aborted' : 'error', errText(err));
    }
  };

  const failedBeforeResponse = async (rec: { callId: string; started: Promise<void> }, err: unknown) => {
    await rec.started;
    new BodyRecorder(rec.callId, 'bytes').end(abortLike(err) ? 'aborted' : 'error', errText(err));
  };

  const wrappedFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const startTime = now();
    let rec: ReturnType<typeof recordFetch> | undefined;
    try {
      if (settings.recording) rec = recordFetch(input, init, startTime);
    } catch {}
    // biome-ignore lint/complexity/noArguments: pass the page's arguments through exactly as given
    const result: Promise<Response> = Reflect.apply(origFetch, this, arguments);
    if (!rec) return result;
    const r = rec;
    try {
      result.then(
        (res) => readResponse(r, res).catch(() => {}),
        (err) => failedBeforeResponse(r, err).catch(() => {}),
      );
      // Our handler marks `result` as handled; the page gets a promise of its own that settles the same
      // way (with the very same Response), so a failed fetch the page ignores still raises
      // `unhandledrejection` as it would without the extension.
      return new win.Promise<Response>((resolve, reject) => result.then(resolve, reject));
    } catch {
      return result;
    }
  };
  try {
    win.fetch = like(wrappedFetch, origFetch) as typeof fetch;
  } catch {}

  // ---- XMLHttpRequest --------------------------------------------------------------------------
  try {
    const X = win.XMLHttpRequest.prototype;
    const origOpen = X.open;
    const origSend = X.send;
    const origSetHeader = X.setRequestHeader;
    interface XhrRec {
      method: string;
      url: string;
      headers: Headers2;
      /**
       * Records the end of the request this object made before, if its loadend was not seen yet: a page
       * may reuse the object (open() again) from its own loadend handler, before ours runs.
       */
      finish?: () => void;
    }
    const xhrs = new WeakMap<XMLHttpRequest, XhrRec>();
    X.open = like(function (this: XMLHttpRequest, method: string, url: string | URL) {
      try {
        xhrs.get(this)?.finish?.();
        xhrs.set(this, { method, url: new win.URL(String(url), win.location.href).href, headers: [] });
      } catch {}
      // biome-ignore lint/complexity/noArguments: pass through exactly as given
      return Reflect.apply(origOpen, this, arguments);
    }, origOpen) as typeof X.open;
    X.setRequestHeader = like(function (this: XMLHttpRequest, name: string, value: string) {
      try {
        xhrs.get(this)?.headers.push([name, value]);
      } catch {}
      return origSetHeader.call(this, name, value);
    }, origSetHeader);
    X.send = like(function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      try {
        const r = xhrs.get(this);
        if (r && settings.recording) watchXhr(this, r, snapshot(body));
      } catch {}
      return origSend.call(this, body);
    }, origSend);
    const xhrHeaders = (xhr: XMLHttpRequest): Headers2 =>
      xhr
        .getAllResponseHeaders()
        .trim()
        .split(/[\r\n]+/)
        .filter(Boolean)
        .map((l): [string, string] => {
          const i = l.indexOf(':');
          return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
        });
    // Everything is read from the XHR synchronously in its own events: once the page's handler runs, it
    // may reuse the object (open() again), which resets status, headers and text. Events may reach the
    // background in any order (its merge is order-insensitive), so nothing here waits for the start event.
    const watchXhr = (xhr: XMLHttpRequest, r: XhrRec, body: unknown) => {
      const callId = newId();
      void start(callId, 'xhr', r.method, r.url, r.headers, body, now()).catch(() => {});
      const done = new AbortController();
      const on = { capture: false, signal: done.signal };
      let rec: BodyRecorder | null = null;
      let seen = 0;
      let ended: 'aborted' | 'timeout' | null = null;
      const textual = () => xhr.responseType === '' || xhr.responseType === 'text';
      // Synchronous requests skip readyState 2, so the response is also recorded at the end if needed.
      const respond = () => {
        if (rec) return rec;
        const text = textual() || xhr.responseType === 'json' || xhr.responseType === 'document';
        responseEvent(callId, xhr.status, xhr.statusText, xhrHeaders(xhr), text);
        rec = new BodyRecorder(callId, text ? 'text' : 'bytes');
        return rec;
      };
      const progress = () => {
        if (!rec || !textual()) return;
        const t = xhr.responseText;
        if (t.length > seen) {
          rec.push(t.slice(seen));
          seen = t.length;
        }
      };
      xhr.addEventListener(
        'readystatechange',
        () => xhr.readyState === 2 && xhr.status !== 0 && respond(),
        on,
      );
      xhr.addEventListener('progress', progress, on);
      xhr.addEventListener('abort', () => (ended = 'aborted'), on);
      xhr.addEventListener('timeout', () => (ended = 'timeout'), on);
      const finish = () => {
        if (done.signal.aborted) return;
        done.abort();
        // Called from open() while a request is still running: open() cancels it without any event.
        const cut = xhr.readyState !== 4;
        const failed = cut || xhr.status === 0;
        const body = failed ? (rec ?? new BodyRecorder(callId, 'bytes')) : respond();
        if (!failed) {
          const response: unknown = textual() ? null : xhr.response;
          if (textual()) progress();
          else if (xhr.responseType === 'json' && response != null) body.push(JSON.stringify(response));
          else if (response instanceof ArrayBuffer) body.push(new Uint8Array(response.slice(0)));
          else if (response instanceof win.Blob) body.pushLater(response.arrayBuffer(), 'in');
        }
        body.end(
          failed ? (cut || ended === 'aborted' ? 'aborted' : 'error') : 'complete',
          failed && !cut
            ? ended === 'timeout'
              ? 'timeout'
              : ended
                ? undefined
                : 'network error'
            : undefined,
        );
      };
      r.finish = finish;
      xhr.addEventListener('loadend', finish, on);
    };
  } catch {}

  // ---- navigator.sendBeacon (Statsig flushes with it when the page is hidden) -----------------
  try {
    const nav = win.navigator;
    const origBeacon = nav.sendBeacon;
    if (typeof origBeacon === 'function') {
      nav.sendBeacon = like(function (this: Navigator, url: string | URL, data?: BodyInit | null) {
        const startTime = now();
        // biome-ignore lint/complexity/noArguments: pass through exactly as given
        const queued: boolean = Reflect.apply(origBeacon, this, arguments);
        try {
          if (settings.recording) {
            const callId = newId();
            const href = new win.URL(String(url), win.location.href).href;
            start(callId, 'beacon', 'POST', href, [], snapshot(data ?? null), startTime)
              .then(() =>
                new BodyRecorder(callId, 'bytes').end(
                  queued ? 'complete' : 'error',
                  queued ? undefined : 'beacon not queued',
                ),
              )
              .catch(() => {});
            // A beacon is sent as the page goes away: do not wait for the usual flush.
            if (win.document.visibilityState === 'hidden') setTimeout(flushNow, 0);
          }
        } catch {}
        return queued;
      }, origBeacon);
    }
  } catch {}

  // ---- WebSocket (2024 Azure Web PubSub and 2026 ws.chatgpt.com) ---------------------------------
  try {
    const OrigWS = win.WebSocket;
    const sockets = new WeakMap<WebSocket, BodyRecorder>();
    const origWsSend = OrigWS.prototype.send;
    const frame = (rec: BodyRecorder, data: unknown, direction: 'in' | 'out') => {
      if (typeof data === 'string') rec.push(data, direction);
      else if (data instanceof ArrayBuffer) rec.push(new Uint8Array(data.slice(0)), direction);
      else if (ArrayBuffer.isView(data))
        rec.push(
          new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
          direction,
        );
      else if (data instanceof win.Blob) rec.pushLater(data.arrayBuffer(), direction);
    };
    win.WebSocket = new Proxy(OrigWS, {
      construct(target, args, newTarget) {
        const ws: WebSocket = Reflect.construct(target, args, newTarget);
        try {
          if (settings.recording) {
            const callId = newId();
            const rec = new BodyRecorder(callId, 'frames');
            sockets.set(ws, rec);
            // Frames are recorded in the order they happen; the start event is queued before any of them.
            void start(callId, 'websocket', 'GET', ws.url, [], null, now());
            ws.addEventListener('open', () =>
              responseEvent(
                callId,
                101,
                'Switching Protocols',
                [['sec-websocket-protocol', ws.protocol]],
                true,
              ),
            );
            ws.addEventListener('message', (e) => frame(rec, e.data, 'in'));
            ws.addEventListener('close', (e) =>
              rec.end(e.wasClean ? 'complete' : 'error', e.wasClean ? undefined : `closed ${e.code}`),
            );
          }
        } catch {}
        return ws;
      },
    });
    OrigWS.prototype.send = like(function (
      this: WebSocket,
      data: string | ArrayBufferLike | Blob | ArrayBufferView,
    ) {
      try {
        const rec = sockets.get(this);
        if (rec) frame(rec, data, 'out');
      } catch {}
      return origWsSend.call(this, data);
    }, origWsSend);
  } catch {}

  return { pageSessionId };
}
