/**
 * `window.fetch`, both call forms (`fetch(url, init)` and `fetch(Request)`). The original is called first
 * with the page's arguments as given; the response body is read as it arrives, chunk by chunk.
 */
import { abortLike, errText, isText, quiet } from './body-reader';
import type { BodyRecorder } from './chunks';
import { like } from './native';
import type { Recorder } from './recorder';

interface FetchRec {
  callId: string;
  /**
   * Settles once the start event is queued, when a request body is still being read; undefined when the
   * start event was queued at once.
   */
  started: Promise<void> | undefined;
  /** The request's AbortSignal, if it has one: aborting errors the body the page has not read yet. */
  signal?: AbortSignal | null;
}

/**
 * How far ahead of the page the hook reads the network body, in bytes: enough that chunk times are
 * arrival times for a page that reads as it goes (ChatGPT does), bounded like the browser's own network
 * buffer, so a body the page stops reading stops downloading instead of filling memory.
 */
const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * The largest declared body read whole from a clone rather than through the tap (bytes): about what the
 * network stack has in flight for one response anyway, so a page's cancel would rarely stop less of it.
 */
const CLONE_MAX_BYTES = 64 * 1024;

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/** Replaces `win.fetch` with a recording wrapper (and Response.prototype's url, redirected, type, headers). */
export function wrapFetch(rec: Recorder): void {
  const win = rec.win;
  const js = rec.js;
  const origFetch = win.fetch;
  /**
   * How a fetch that failed ended: `aborted` when its signal fired (an abort with a reason of the page's own
   * rejects with that reason, not an AbortError), else `error`. The signal is asked through the browser's
   * getter, as everywhere else in the hook.
   */
  const failure = (r: FetchRec, err: unknown): 'aborted' | 'error' =>
    abortLike(err) || (r.signal != null && js.signalAborted(r.signal)) ? 'aborted' : 'error';

  // Two ways to read a response body. A small body of declared length (`readsWhole`: ChatGPT's telemetry
  // acknowledgements) is read from a native clone with `arrayBuffer()`: cheapest for the page, which keeps
  // the network's own Response. Every other body (event streams, compressed or unsized JSON, downloads)
  // goes through the tap, for chunk times, bounded memory and cancel:
  // the page's cancel must reach the network, as without the extension. With a plain clone it cannot:
  // clone() tees the body, and a tee cancels its source only when both branches are cancelled, so our
  // eager reader kept the download going after the page cancelled its branch. So the hook reads the
  // original body itself and hands the page a Response whose body is a byte stream the hook feeds: every
  // way the page can cancel it (reader.cancel(), body.cancel(), a pipe or an async iterator that stops)
  // reaches that stream's cancel(), which cancels the network read.
  // The page's Response is still a real Response (instanceof, body mixin, clone(), same status,
  // statusText and header list), and chunks reach it as soon as they arrive, as through the tee before.
  // Only url, redirected, type and headers live in internal slots a constructor cannot set: those four
  // accessors on Response.prototype are replaced by ones that answer from the original Response when asked
  // about a tapped one (and natively otherwise). So the instance has no own property, the same prototype,
  // and the very same immutable Headers object; clone() keeps the link for clones. A Response without a
  // body, or one the constructor refuses, is returned as it came and read from a clone as before.
  const originals = new js.WeakMap<Response, Response>();
  const R = win.Response.prototype;
  const accessor = (name: string): PropertyDescriptor => {
    for (let p: object | null = R; p; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d) return d;
    }
    throw new TypeError(name);
  };
  for (const name of ['url', 'redirected', 'type', 'headers']) {
    const d = accessor(name);
    const get = d.get!;
    const wrapped = {
      get(this: Response) {
        return js.apply(get, js.weakGet(originals, this) ?? this, []);
      },
    };
    js.defineProperty(R, name, {
      ...d,
      get: like(wrapped.get, get),
    });
  }
  const origClone = accessor('clone').value as () => Response;
  js.defineProperty(R, 'clone', {
    ...accessor('clone'),
    value: like(
      {
        clone(this: Response) {
          const o = js.weakGet(originals, this);
          // Cloned before the tap opened (in the page's continuation after `await fetch(…)`, where
          // libraries that wrap fetch clone): the network Response's own clone. A native clone's cancel
          // settles at once; a tee of the page's stream would settle only once its other branch is
          // cancelled or read, so `r.clone(); await r.body.cancel()` hung. The tap then reads the
          // network body's other branch (`open`). Once the tap has opened, or when the page holds a
          // reader of its body, the page's own stream is cloned, as before (and a locked or read body
          // throws the browser's TypeError).
          const source = o && js.responseBody(o);
          if (source && !js.locked(source) && !js.locked(js.responseBody(this)!)) return js.cloneResponse(o);
          const c: Response = js.apply(origClone, this, []);
          if (o) js.weakSet(originals, c, o);
          return c;
        },
      }.clone,
      origClone,
    ),
  });

  /**
   * Records the call's start. Runs right after the native call, while the request is on the network, so
   * none of it delays the response (the page's code has not run since: what fetch read is what is read
   * here). `requestCopy` is a clone of a Request input with a body, made before fetch consumed it.
   */
  // A Request input is read through the browser's getters (a page's replacement would change the record).
  const Q = win.Request.prototype;
  const reqUrl = js.getter<Request, string>(Q, 'url');
  const reqMethod = js.getter<Request, string>(Q, 'method');
  const reqHeaders = js.getter<Request, Headers>(Q, 'headers');
  const reqKeepalive = js.getter<Request, boolean>(Q, 'keepalive');
  const reqSignal = js.getter<Request, AbortSignal>(Q, 'signal');
  const recordFetch = (
    input: RequestInfo | URL,
    init: RequestInit | undefined,
    startTime: number,
    requestCopy: Request | undefined,
    req: Request | null,
  ): FetchRec => {
    const callId = rec.newId();
    // The URL as fetch reads it now (a page object's toString runs once, here); relative URLs are resolved
    // against the document's URL at flush time (Recorder.start).
    const url = req ? reqUrl(req) : String(input instanceof js.URL ? input.href : input);
    const method = init?.method ?? (req ? reqMethod(req) : 'GET');
    const headers = init?.headers
      ? rec.body.headerPairs(init.headers)
      : req
        ? js.headerEntries(reqHeaders(req))
        : [];
    const body: unknown =
      init?.body !== undefined
        ? rec.body.snapshot(init.body)
        : requestCopy
          ? rec.body.readCapped(js.requestBody(requestCopy)!)
          : null;
    const keepalive = init?.keepalive ?? (req ? reqKeepalive(req) : undefined);
    const started = quiet(rec.start(callId, 'fetch', method, url, headers, body, startTime, keepalive));
    // As fetch: a signal member of init, null too, takes the place of a Request's own.
    const signal = init?.signal;
    return { callId, started, signal: signal !== undefined ? signal : req ? reqSignal(req) : null };
  };

  /** Records the response head; returns the recorder for its body. */
  const head = (r: FetchRec, res: Response, headersTime: number): BodyRecorder => {
    const headers = js.responseHeaders(res);
    const text = isText(js.headerGet(headers, 'content-type'), js.matches);
    // A Response's headers are immutable: the list is read at flush time, off the page's path.
    // Through the captured getters: the head is read after the page's code has run (`open` in `tap`), and
    // a page's replacement must neither see the hook's Response nor change the record.
    const status = js.responseStatus(res);
    const statusText = js.responseStatusText(res);
    rec.response(r.callId, status, statusText, () => js.headerEntries(headers), text, headersTime);
    return rec.bodyRecorder(r.callId, text ? 'text' : 'bytes');
  };

  /**
   * True for a body that is read whole from a clone (`readWhole`) rather than through the tap: a small body
   * of known size, i.e. a declared length of at most CLONE_MAX_BYTES, not compressed (a compressed body's
   * declared length says nothing of its decoded size; an unsized one may never end) and not an event
   * stream. In the real captures these are the telemetry acknowledgements (`ces/v1/t`, `rgstr`, sentinel
   * ping, `lat/r`: `content-length: 16`), most of ChatGPT's calls. The page keeps the native Response and
   * its native body, so nothing of the hook sits between the network and the page's read. The cost: a page
   * that cancels such a body does not stop our copy, which reads the rest of those few declared bytes (the
   * record then ends `complete`, with the whole body), where a tapped body's cancel closes the connection
   * and is recorded as `cancelled`. Regular expressions run through the captured `exec` (a page's
   * `RegExp.prototype.test` must not stop the capture).
   */
  const readsWhole = (res: Response): boolean => {
    const headers = js.responseHeaders(res);
    const length = js.headerGet(headers, 'content-length');
    if (length === null || !js.matches(/^\d{1,6}$/, length) || +length > CLONE_MAX_BYTES) return false;
    const encoding = js.headerGet(headers, 'content-encoding');
    if (encoding !== null && !js.matches(/^\s*(identity)?\s*$/i, encoding)) return false;
    const type = js.headerGet(headers, 'content-type');
    return type === null || !js.matches(/event-stream/i, type);
  };

  /**
   * The Response the page gets: `res` itself when it has no body (or cannot be rebuilt), else a Response
   * whose body the hook feeds from `res`'s, recording each chunk on the way (see above).
   */
  const tap = (r: FetchRec, res: Response): Response => {
    const headersTime = rec.now();
    if (readsWhole(res)) {
      void quiet(readWhole(r, res, headersTime));
      return res;
    }
    const source = js.responseBody(res);
    let out: Response | null = null;
    let controller: ReadableByteStreamController | undefined;
    let reader: Reader | undefined;
    let cancelled = false;
    let pull: (() => Promise<void>) | undefined;
    let endOnCancel: (() => void) | undefined;
    if (source && js.responseType(res) !== 'opaque') {
      try {
        // Every member the constructor reads is an own property (undefined ones too): a getter the page
        // puts on Object.prototype would otherwise receive this source (its cancel and pull), or a `size`
        // there would make the byte stream refuse the strategy and push the call off the tap.
        const pageStream = new js.ReadableStream(
          {
            type: 'bytes',
            ...({ autoAllocateChunkSize: undefined } as object),
            start(c) {
              controller = c;
            },
            // Called while the page's queue holds less than READ_AHEAD_BYTES: one network read each time.
            pull: () => pull?.(),
            cancel(reason) {
              cancelled = true;
              endOnCancel?.();
              return reader && js.cancel(reader, reason);
            },
          },
          { highWaterMark: READ_AHEAD_BYTES, ...({ size: undefined } as object) },
        );
        out = new js.Response(pageStream, {
          status: js.responseStatus(res),
          statusText: js.responseStatusText(res),
          headers: js.responseHeaders(res),
        });
      } catch {
        out = null;
      }
    }
    if (!out || !controller) {
      void quiet(readClone(r, res, headersTime));
      return res;
    }
    js.weakSet(originals, out, res);
    const c = controller;
    // The source's reader and the response head are made by the first pull, one microtask after the stream
    // asks for it (below), so that the page's own continuation after `await fetch(…)` runs first: the stream
    // calls pull as soon as it starts, before that continuation. Measured (calls 15-45 ms apart, compressed
    // JSON, 6 × 150 pairs): the page's promise settled 0.27 ms later than without the hook instead of 0.33.
    // Whatever comes first (a pull, the page's cancel, an abort) opens the call; the head is still queued
    // before any chunk or end, and the page's stream is fed without waiting for the start event (a request
    // body may still be being read): the background merges a call's events in any order, as for XHR.
    let body: BodyRecorder | undefined;
    const open = (): BodyRecorder => {
      if (!body) {
        // The body as it is now: a clone made before this (`clone` above) left `res` a new one.
        reader = js.getReader(js.responseBody(res)!);
        body = head(r, res, headersTime);
      }
      return body;
    };
    const signal = r.signal;
    let onAbort: (() => void) | undefined;
    /**
     * Lets go of the page's signal once an abort can no longer change what the page gets: the page may use
     * one signal for many calls, and a listener left on it keeps each call's stream as long as the signal.
     */
    const release = () => {
      if (signal && onAbort) js.removeEventListener(signal, 'abort', onAbort);
      onAbort = undefined;
    };
    /**
     * After the end: lets go of the signal once the page has read everything (the stream closed, or
     * errored: `desiredSize` 0 or null), as an abort then takes nothing away. Until then the listener
     * stays, as the browser's abort still errors unread data; looked at again `ms` later, then twice as
     * long, until 12.7 s after the end (a body the page never reads keeps its listener).
     */
    const releaseOnceRead = (ms: number): void => {
      if (!onAbort) return; // no signal, or already let go of: no timer
      if (!js.desiredSize(c)) release();
      else if (ms < 10000) js.setTimeout(() => releaseOnceRead(ms * 2), ms);
    };
    let ended = false;
    const fail = (err: unknown) => {
      if (ended) return;
      ended = true;
      release();
      try {
        js.error(c, err);
      } catch {}
      open().end(cancelled ? 'cancelled' : failure(r, err), errText(err));
    };
    endOnCancel = () => {
      if (ended) return;
      ended = true;
      release();
      open().end('cancelled');
    };
    let opened = false;
    pull = async () => {
      if (!opened) {
        opened = true;
        await undefined;
      }
      if (ended) return;
      const body = open();
      try {
        const { done, value } = await js.read(reader!);
        if (ended) return;
        if (done) {
          ended = true;
          if (cancelled) return body.end('cancelled');
          // Recorded first: close() throws (and errors the page's stream, as natively) when a BYOB read is
          // left holding part of an element.
          body.end('complete');
          try {
            js.close(c);
            // A BYOB read still waiting is settled (done) only by a respond(0) after close(), as natively.
            const waiting = js.byobRequest(c);
            if (waiting) js.respond(waiting, 0);
          } finally {
            releaseOnceRead(100);
          }
          return;
        }
        // Recorded before it is handed on: enqueue() transfers the chunk's buffer to the page's stream.
        body.push(value, undefined, true);
        if (js.byteLength(value)) js.enqueue(c, value as Uint8Array<ArrayBuffer>);
      } catch (err) {
        fail(err);
      }
    };
    // As natively: an abort errors what the page has not read yet, even after the last byte arrived. (A
    // reader gets the abort's reason; Chromium's text()/json() of a body made from a script's stream reject
    // with "TypeError: Failed to fetch" whatever its error, where the native body gives AbortError.)
    if (signal) {
      onAbort = () => {
        // An `abort` event the page dispatches itself aborts nothing natively.
        if (!js.signalAborted(signal)) return;
        // The page's unread data goes, whether or not the network body had ended (the record keeps it).
        try {
          js.error(c, signal.reason);
        } catch {}
        fail(signal.reason);
      };
      js.addEventListener(signal, 'abort', onAbort);
    }
    return out;
  };

  /** The fallback: reads a clone of `res` (the page keeps `res` itself). */
  const readClone = async (r: FetchRec, res: Response, headersTime: number) => {
    const clone = js.cloneResponse(res);
    if (r.started) await r.started;
    const body = head(r, res, headersTime);
    const stream = js.responseBody(clone);
    if (!stream) return body.end('complete');
    const reader = js.getReader(stream);
    try {
      for (;;) {
        const { done, value } = await js.read(reader);
        if (done) break;
        body.push(value);
        if (body.truncated) {
          // Past the cap: stop reading our copy. Cancelling one branch of the tee leaves the page's own
          // branch untouched.
          void quiet(js.cancel(reader));
          break;
        }
      }
      body.end('complete');
    } catch (err) {
      body.end(failure(r, err), errText(err));
    }
  };

  /**
   * Reads a clone of `res` whole with the browser's own `arrayBuffer()` (the page keeps `res`): the head is
   * queued now, the body is one chunk stamped when its last byte arrived, and the body's events are built
   * at flush time, off the page's path. Measured (calls 30 ms apart, the hooked fetch against the native
   * one in the same page): reading the clone through a stream reader, or touching `res.body` at all, cost
   * the page 0.1-0.3 ms per call, since the body then became a script-visible stream between the network
   * and the page's read; `arrayBuffer()` leaves it native. Chunk times inside such a body are not kept: at
   * most CLONE_MAX_BYTES, it arrives in one or a few network reads anyway.
   */
  const readWhole = async (r: FetchRec, res: Response, headersTime: number) => {
    const whole = js.responseArrayBuffer(js.cloneResponse(res));
    // The head is queued now, so it is kept even if the page goes away before the body ends; it is read
    // (headers, text or bytes) at flush time, before the body's thunk below.
    let body: BodyRecorder | undefined;
    rec.post(() => {
      body = head(r, res, headersTime);
      return null;
    });
    let bytes: ArrayBuffer | null = null;
    let error: unknown;
    try {
      bytes = await whole;
    } catch (err) {
      error = err;
    }
    const endTime = rec.now();
    if (r.started) await r.started;
    // The page is reading its own copy now: the body's events are built at flush time.
    rec.post(() => {
      if (!body) return null;
      if (!bytes) body.end(failure(r, error), errText(error), endTime);
      else {
        if (js.byteLength(bytes)) body.pushWhole(new js.Uint8Array(bytes), endTime);
        body.end('complete', undefined, endTime);
      }
      return null;
    });
  };

  const failedBeforeResponse = async (r: FetchRec, err: unknown) => {
    if (r.started) await r.started;
    rec.bodyRecorder(r.callId, 'bytes').end(failure(r, err), errText(err));
  };

  const wrappedFetch = {
    fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      const startTime = rec.now();
      let recording = false;
      let requestCopy: Request | undefined;
      let req: Request | null = null;
      try {
        // A string input is never a Request: the brand check (a getter that throws on anything else)
        // runs for objects only, since a thrown TypeError per call costs the page measurably.
        if (typeof input === 'object' && input !== null && js.isRequest(input)) req = input;
        const r = req;
        recording = rec.records(() => (r ? reqUrl(r) : String(input instanceof js.URL ? input.href : input)));
        // A Request's body is read from a clone made now, before fetch consumes the original.
        if (recording && r && js.requestBody(r)) requestCopy = js.cloneRequest(r);
      } catch {}
      // biome-ignore lint/complexity/noArguments: pass the page's arguments through exactly as given
      const result: Promise<Response> = js.apply(origFetch, this, arguments);
      if (!recording) return result;
      let r: FetchRec | undefined;
      try {
        r = recordFetch(input, init, startTime, requestCopy, req);
      } catch {}
      if (!r) return result;
      const call = r;
      // The page gets the promise of an async function of the hook: a promise of the realm's original
      // Promise whatever `window.Promise` is now, settling as `result` does, with the page's Response.
      // Our await marks `result` as handled; the page's own promise is the one it may ignore, so a failed
      // fetch the page ignores still raises `unhandledrejection` as it would without the extension.
      return (async () => {
        let res: Response;
        try {
          res = await result;
        } catch (err) {
          void quiet(failedBeforeResponse(call, err));
          throw err;
        }
        try {
          return tap(call, res);
        } catch {
          return res;
        }
      })();
    },
  }.fetch;
  win.fetch = like(wrappedFetch, origFetch) as typeof fetch;
}
