/**
 * `window.fetch`, both call forms (`fetch(url, init)` and `fetch(Request)`). The original is called first
 * with the page's arguments as given; the response body is read from a clone, chunk by chunk.
 */
import { abortLike, errText, isText, quiet } from './body-reader';
import { like } from './native';
import type { Recorder } from './recorder';

interface FetchRec {
  callId: string;
  /** Settles once the start event is queued (request bodies may be read asynchronously). */
  started: Promise<void>;
}

/** Replaces `win.fetch` with a recording wrapper. */
export function wrapFetch(rec: Recorder): void {
  const win = rec.win;
  const js = rec.js;
  const origFetch = win.fetch;

  const recordFetch = (
    input: RequestInfo | URL,
    init: RequestInit | undefined,
    startTime: number,
  ): FetchRec => {
    const callId = rec.newId();
    const isReq = input instanceof win.Request;
    // Relative URLs are resolved as fetch resolves them, against the document's URL.
    const url = isReq
      ? input.url
      : new js.URL(String(input instanceof js.URL ? input.href : input), win.location.href).href;
    const method = init?.method ?? (isReq ? input.method : 'GET');
    const headers = init?.headers
      ? rec.body.headerPairs(init.headers)
      : isReq
        ? rec.body.headerPairs(input.headers)
        : [];
    // A Request's body is read from a clone made now, before the original is consumed by fetch.
    const body: unknown =
      init?.body !== undefined
        ? rec.body.snapshot(init.body)
        : isReq && input.body
          ? rec.body.readCapped(js.cloneRequest(input).body!)
          : null;
    const keepalive = init?.keepalive ?? (isReq ? input.keepalive : undefined);
    const started = quiet(rec.start(callId, 'fetch', method, url, headers, body, startTime, keepalive));
    return { callId, started };
  };

  const readResponse = async (r: FetchRec, res: Response) => {
    const headersTime = rec.now();
    const clone = js.cloneResponse(res);
    await r.started;
    const headers = js.responseHeaders(res);
    const text = isText(js.headerGet(headers, 'content-type'));
    rec.response(r.callId, res.status, res.statusText, js.headerEntries(headers), text, headersTime);
    const body = rec.bodyRecorder(r.callId, text ? 'text' : 'bytes');
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
          // branch untouched, and a page that cancels its reader then really ends the download.
          void quiet(js.cancel(reader));
          break;
        }
      }
      body.end('complete');
    } catch (err) {
      body.end(abortLike(err) ? 'aborted' : 'error', errText(err));
    }
  };

  const failedBeforeResponse = async (r: FetchRec, err: unknown) => {
    await r.started;
    rec.bodyRecorder(r.callId, 'bytes').end(abortLike(err) ? 'aborted' : 'error', errText(err));
  };

  const wrappedFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const startTime = rec.now();
    let r: FetchRec | undefined;
    try {
      if (rec.recording) r = recordFetch(input, init, startTime);
    } catch {}
    // biome-ignore lint/complexity/noArguments: pass the page's arguments through exactly as given
    const result: Promise<Response> = js.apply(origFetch, this, arguments);
    if (!r) return result;
    const call = r;
    try {
      // Our await marks `result` as handled; the page gets a promise of its own (the realm's original
      // Promise, captured at install) that settles the same way with the very same Response, so a failed
      // fetch the page ignores still raises `unhandledrejection` as it would without the extension.
      return new js.Promise<Response>((resolve, reject) => {
        void (async () => {
          let res: Response;
          try {
            res = await result;
          } catch (err) {
            reject(err);
            return quiet(failedBeforeResponse(call, err));
          }
          // The clone is made (synchronously, in readResponse) before the page can touch the Response.
          const reading = readResponse(call, res);
          resolve(res);
          return quiet(reading);
        })();
      });
    } catch {
      return result;
    }
  };
  win.fetch = like(wrappedFetch, origFetch) as typeof fetch;
}
