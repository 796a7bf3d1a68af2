/**
 * The page hook: runs in the page's MAIN world at document_start and records every fetch, XHR,
 * sendBeacon and WebSocket the page makes. Rules (DESIGN.md "Page hook"):
 * - the original is called first and its result returned untouched (same promise, same Response);
 * - bodies are read from clones, eagerly and chunk by chunk, each chunk stamped on arrival;
 * - secrets are redacted here, before anything leaves the page world;
 * - every error inside the hook is swallowed: the page must behave exactly as without the extension.
 * Work that is not needed to keep timings right happens after the original call has been made.
 */

import { HANDSHAKE_EVENT, HOOK_HELLO, RELAY_HELLO, type SettingsMessage } from './channel';
import type { CallChunk, CallEnd, CallResponse, CallStart, CaptureEvent, HookSettings } from './events';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { redactBody, redactHeaders, redactText, redactUrl } from './redact';

type Headers2 = [string, string][];
const BUFFER_LIMIT = 20_000;
/** A text body is forwarded up to its last line break, so a secret is never split across two chunks. */
const MAX_PENDING_TEXT = 256 * 1024;

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
  let seqId = 0;
  const newId = () => `${pageSessionId.slice(0, 8)}-${(++seqId).toString(36)}`;

  // ---- channel to the relay -------------------------------------------------------------------
  const settings: HookSettings = { recording: true, maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
  let port: MessagePort | null = null;
  let buffer: string[] | null = [];
  const channel = new win.MessageChannel();
  channel.port1.onmessage = (e: MessageEvent) => {
    try {
      const msg = JSON.parse(String(e.data)) as SettingsMessage;
      if (msg.type !== 'settings') return;
      settings.recording = msg.recording;
      settings.maxBodyBytes = msg.maxBodyBytes;
      if (!port) {
        port = channel.port1;
        win.removeEventListener(HANDSHAKE_EVENT, onHello, true);
        const pending = buffer ?? [];
        buffer = null;
        if (settings.recording) for (const m of pending) port.postMessage(m);
      }
    } catch {}
  };
  const offer = () => {
    if (port) return;
    win.dispatchEvent(new win.MessageEvent(HANDSHAKE_EVENT, { data: HOOK_HELLO, ports: [channel.port2] }));
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
  /** Bodies are read at flush time: copy bytes now, in case the page reuses its buffer. */
  const snapshot = (b: unknown): unknown => {
    if (b instanceof ArrayBuffer) return b.slice(0);
    if (ArrayBuffer.isView(b))
      return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return b;
  };

  /** Request bodies that can be read synchronously (all but Blob and Request clones). */
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
      return { body: redactBody(url, parts.join('&')), encoding: 'text', truncated: false };
    }
    let bytes: Uint8Array | null = null;
    if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
    else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    if (!bytes) return { body: '[unreadable body]', encoding: 'text', truncated: false };
    const head = bytes.subarray(0, cap);
    // gzip (Statsig rgstr) and other binary bodies stay bytes; UTF-8 text becomes text.
    if (head[0] === 0x1f && head[1] === 0x8b) {
      return { body: toBase64(head), encoding: 'base64', truncated: bytes.length > cap };
    }
    try {
      const text = new win.TextDecoder('utf-8', { fatal: true }).decode(head);
      return { body: redactBody(url, text), encoding: 'text', truncated: bytes.length > cap };
    } catch {
      return { body: toBase64(head), encoding: 'base64', truncated: bytes.length > cap };
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

  /** Streams a response body into chunk events; text is cut at line breaks before redaction. */
  class BodyRecorder {
    seq = 0;
    bytes = 0;
    truncated = false;
    private pending = '';
    private decoder: TextDecoder | null;
    constructor(
      private callId: string,
      text: boolean,
    ) {
      this.decoder = text ? new win.TextDecoder() : null;
    }
    push(value: Uint8Array | string, direction?: 'in' | 'out') {
      const time = now();
      const n = typeof value === 'string' ? value.length : value.byteLength;
      this.bytes += n;
      if (this.truncated) return;
      if (this.bytes > settings.maxBodyBytes) {
        this.truncated = true;
        return;
      }
      const seq = this.seq++;
      post(() => {
        const chunk: CallChunk = {
          type: 'chunk',
          callId: this.callId,
          seq,
          time,
          bytes: n,
          data: this.text(value),
        };
        if (direction) chunk.direction = direction;
        return chunk;
      });
    }
    /** The chunk's data: text up to its last line break (the rest waits for the next chunk), or base64. */
    private text(value: Uint8Array | string): string {
      if (typeof value === 'string') return redactText(value);
      if (!this.decoder) return toBase64(value);
      const text = this.pending + this.decoder.decode(value, { stream: true });
      const cut = text.lastIndexOf('\n') + 1;
      if (cut === 0 && text.length < MAX_PENDING_TEXT) {
        this.pending = text;
        return '';
      }
      const at = cut === 0 ? text.length : cut;
      this.pending = text.slice(at);
      return redactText(text.slice(0, at));
    }
    end(outcome: CallEnd['outcome'], error?: string) {
      const endTime = now();
      if (this.decoder && !this.truncated) {
        const seq = this.seq++;
        post(() => {
          const rest = this.pending + this.decoder!.decode();
          this.pending = '';
          return { type: 'chunk', callId: this.callId, seq, time: endTime, bytes: 0, data: redactText(rest) };
        });
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
          url: redactUrl(url),
          pageUrl: redactUrl(pageUrl),
          requestHeaders: redactHeaders(headers),
          requestBody: b.body,
          requestBodyEncoding: b.encoding,
          requestTruncated: b.truncated,
          startTime,
        };
        if (keepalive) e.keepalive = true;
        return e;
      });
    if (body instanceof Promise || body instanceof win.Blob) {
      return (async () => {
        const raw = await body;
        queue(raw instanceof win.Blob ? await raw.arrayBuffer() : raw);
      })();
    }
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
        responseHeaders: redactHeaders(headers),
        responseBodyEncoding: text ? 'text' : 'base64',
        headersTime,
      }),
    );
  };

  // ---- fetch -----------------------------------------------------------------------------------
  const origFetch = win.fetch;
  const recordFetch = (input: RequestInfo | URL, init: RequestInit | undefined, startTime: number) => {
    const callId = newId();
    const isReq = input instanceof win.Request;
    const url = isReq ? input.url : String(input instanceof win.URL ? input.href : input);
    const method = init?.method ?? (isReq ? input.method : 'GET');
    const headers = init?.headers ? headerPairs(init.headers) : isReq ? headerPairs(input.headers) : [];
    // A Request's body is read from a clone made now, before the original is consumed by fetch.
    const body: unknown =
      init?.body !== undefined
        ? snapshot(init.body)
        : isReq && input.body
          ? input.clone().arrayBuffer()
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
    const body = new BodyRecorder(rec.callId, text);
    if (!clone.body) return body.end('complete');
    const reader = clone.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        body.push(value);
      }
      body.end('complete');
    } catch (err) {
      body.end(abortLike(err) ? 'aborted' : 'error', errText(err));
    }
  };

  const failedBeforeResponse = async (rec: { callId: string; started: Promise<void> }, err: unknown) => {
    await rec.started;
    new BodyRecorder(rec.callId, true).end(abortLike(err) ? 'aborted' : 'error', errText(err));
  };

  const wrappedFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const startTime = now();
    let rec: ReturnType<typeof recordFetch> | undefined;
    try {
      if (settings.recording) rec = recordFetch(input, init, startTime);
    } catch {}
    // biome-ignore lint/complexity/noArguments: pass the page's arguments through exactly as given
    const result: Promise<Response> = Reflect.apply(origFetch, this, arguments);
    if (rec) {
      const r = rec;
      try {
        result.then(
          (res) => readResponse(r, res).catch(() => {}),
          (err) => failedBeforeResponse(r, err).catch(() => {}),
        );
      } catch {}
    }
    return result;
  };
  try {
    Object.defineProperty(wrappedFetch, 'name', { value: 'fetch' });
    Object.defineProperty(wrappedFetch, 'length', { value: origFetch.length });
    win.fetch = wrappedFetch as typeof fetch;
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
    }
    const xhrs = new WeakMap<XMLHttpRequest, XhrRec>();
    X.open = function (this: XMLHttpRequest, method: string, url: string | URL) {
      try {
        xhrs.set(this, { method, url: new win.URL(String(url), win.location.href).href, headers: [] });
      } catch {}
      // biome-ignore lint/complexity/noArguments: pass through exactly as given
      return Reflect.apply(origOpen, this, arguments);
    } as typeof X.open;
    X.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
      try {
        xhrs.get(this)?.headers.push([name, value]);
      } catch {}
      return origSetHeader.call(this, name, value);
    };
    X.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      try {
        const r = xhrs.get(this);
        if (r && settings.recording) watchXhr(this, r, snapshot(body));
      } catch {}
      return origSend.call(this, body);
    };
    const watchXhr = (xhr: XMLHttpRequest, r: XhrRec, body: unknown) => {
      const callId = newId();
      const started = start(callId, 'xhr', r.method, r.url, r.headers, body, now()).catch(() => {});
      let rec: BodyRecorder | null = null;
      let seen = 0;
      const textual = () => xhr.responseType === '' || xhr.responseType === 'text';
      const progress = () => {
        if (!rec || !textual()) return;
        const t = xhr.responseText;
        if (t.length > seen) {
          rec.push(t.slice(seen));
          seen = t.length;
        }
      };
      xhr.addEventListener('readystatechange', () => {
        if (xhr.readyState !== 2 || rec) return;
        void started.then(() => {
          const headers = xhr
            .getAllResponseHeaders()
            .trim()
            .split(/[\r\n]+/)
            .filter(Boolean)
            .map((l): [string, string] => {
              const i = l.indexOf(':');
              return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
            });
          responseEvent(callId, xhr.status, xhr.statusText, headers, true);
        });
        rec = new BodyRecorder(callId, true);
      });
      xhr.addEventListener('progress', () => void started.then(progress));
      xhr.addEventListener('loadend', () => {
        void started.then(() => {
          rec ??= new BodyRecorder(callId, true);
          if (textual()) progress();
          else if (xhr.responseType === 'json' && xhr.response != null)
            rec.push(JSON.stringify(xhr.response));
          rec.end(
            xhr.status === 0 ? (aborted ? 'aborted' : 'error') : 'complete',
            xhr.status === 0 ? 'network error' : undefined,
          );
        });
      });
      let aborted = false;
      xhr.addEventListener('abort', () => {
        aborted = true;
      });
    };
  } catch {}

  // ---- navigator.sendBeacon (Statsig flushes with it when the page is hidden) -----------------
  try {
    const nav = win.navigator;
    const origBeacon = nav.sendBeacon;
    if (typeof origBeacon === 'function') {
      nav.sendBeacon = function (this: Navigator, url: string | URL, data?: BodyInit | null) {
        const startTime = now();
        // biome-ignore lint/complexity/noArguments: pass through exactly as given
        const queued: boolean = Reflect.apply(origBeacon, this, arguments);
        try {
          if (settings.recording) {
            const callId = newId();
            const href = new win.URL(String(url), win.location.href).href;
            void start(callId, 'beacon', 'POST', href, [], snapshot(data ?? null), startTime).then(() => {
              new BodyRecorder(callId, true).end(
                queued ? 'complete' : 'error',
                queued ? undefined : 'beacon not queued',
              );
            });
          }
        } catch {}
        return queued;
      };
    }
  } catch {}

  // ---- WebSocket (2024 Azure Web PubSub and 2026 ws.chatgpt.com) ---------------------------------
  try {
    const OrigWS = win.WebSocket;
    const sockets = new WeakMap<WebSocket, BodyRecorder>();
    const origWsSend = OrigWS.prototype.send;
    const frame = (rec: BodyRecorder, data: unknown, direction: 'in' | 'out') => {
      if (typeof data === 'string') rec.push(data, direction);
      else if (data instanceof ArrayBuffer) rec.push(toBase64(new Uint8Array(data)), direction);
      else if (ArrayBuffer.isView(data))
        rec.push(toBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), direction);
      else if (data instanceof win.Blob)
        void data.arrayBuffer().then((b) => rec.push(toBase64(new Uint8Array(b)), direction));
    };
    win.WebSocket = new Proxy(OrigWS, {
      construct(target, args, newTarget) {
        const ws: WebSocket = Reflect.construct(target, args, newTarget);
        try {
          if (settings.recording) {
            const callId = newId();
            const rec = new BodyRecorder(callId, false);
            sockets.set(ws, rec);
            const started = start(callId, 'websocket', 'GET', ws.url, [], null, now());
            ws.addEventListener(
              'open',
              () =>
                void started.then(() =>
                  responseEvent(
                    callId,
                    101,
                    'Switching Protocols',
                    [['sec-websocket-protocol', ws.protocol]],
                    true,
                  ),
                ),
            );
            ws.addEventListener('message', (e) => void started.then(() => frame(rec, e.data, 'in')));
            ws.addEventListener(
              'close',
              (e) =>
                void started.then(() =>
                  rec.end(e.wasClean ? 'complete' : 'error', e.wasClean ? undefined : `closed ${e.code}`),
                ),
            );
          }
        } catch {}
        return ws;
      },
    });
    OrigWS.prototype.send = function (
      this: WebSocket,
      data: string | ArrayBufferLike | Blob | ArrayBufferView,
    ) {
      try {
        const rec = sockets.get(this);
        if (rec) frame(rec, data, 'out');
      } catch {}
      return origWsSend.call(this, data);
    };
  } catch {}

  return { pageSessionId };
}
