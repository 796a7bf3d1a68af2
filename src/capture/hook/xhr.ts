/**
 * `XMLHttpRequest`: `open`, `setRequestHeader` and `send` on its prototype are wrapped; the response is
 * read from the object's own events (a growing responseText for text, the final response otherwise).
 */
import { quiet, sendThrew } from './body-reader';
import type { BodyRecorder } from './chunks';
import { like } from './native';
import type { Recorder } from './recorder';
import type { HeaderPairs } from './types';

interface XhrRec {
  method: string;
  url: string;
  headers: HeaderPairs;
  /**
   * Records the end of the request this object made before, if its loadend was not seen yet: a page
   * may reuse the object (open() again) from its own loadend handler, before ours runs.
   */
  finish?: (() => void) | undefined;
}

/** Wraps `open`, `setRequestHeader` and `send` on `win.XMLHttpRequest.prototype`. */
export function wrapXhr(rec: Recorder): void {
  const win = rec.win;
  const js = rec.js;
  const X = win.XMLHttpRequest.prototype;
  const origOpen = X.open;
  const origSend = X.send;
  const origSetHeader = X.setRequestHeader;
  const xhrs = new js.WeakMap<XMLHttpRequest, XhrRec>();
  // The request's state is read through the browser's getters, taken now: a page's replacement (even one
  // swapped in only around the hook's listener) would see the response and change the record.
  const get = js.getter;
  const readyState = get<XMLHttpRequest, number>(X, 'readyState');
  const status = get<XMLHttpRequest, number>(X, 'status');
  const statusText = get<XMLHttpRequest, string>(X, 'statusText');
  const responseType = get<XMLHttpRequest, XMLHttpRequestResponseType>(X, 'responseType');
  const response = get<XMLHttpRequest, unknown>(X, 'response');
  const responseText = get<XMLHttpRequest, string>(X, 'responseText');
  const allHeaders = js.uncurry(X.getAllResponseHeaders) as (x: XMLHttpRequest) => string;
  X.open = like(
    {
      open(this: XMLHttpRequest, method: string, url: string | URL) {
        try {
          js.weakGet(xhrs, this)?.finish?.();
          js.weakSet(xhrs, this, {
            method,
            url: new js.URL(String(url), js.baseUrl()).href,
            headers: [],
          });
        } catch {}
        // biome-ignore lint/complexity/noArguments: pass through exactly as given
        return js.apply(origOpen, this, arguments);
      },
    }.open,
    origOpen,
  ) as typeof X.open;
  X.setRequestHeader = like(
    {
      setRequestHeader(this: XMLHttpRequest, name: string, value: string) {
        try {
          const h = js.weakGet(xhrs, this)?.headers;
          if (h) js.append(h, [name, value]);
        } catch {}
        // biome-ignore lint/complexity/noArguments: pass through exactly as given
        return js.apply(origSetHeader, this, arguments);
      },
    }.setRequestHeader,
    origSetHeader,
  );
  X.send = like(
    {
      send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        let abandon: ((err: unknown) => void) | undefined;
        try {
          const r = js.weakGet(xhrs, this);
          if (r && rec.records(() => r.url)) abandon = watchXhr(this, r, rec.body.snapshot(body));
        } catch {}
        try {
          // biome-ignore lint/complexity/noArguments: pass through exactly as given
          return js.apply(origSend, this, arguments);
        } catch (err) {
          // Nothing went out (not opened, sent twice) or a synchronous request failed: record that.
          try {
            abandon?.(err);
          } catch {}
          throw err;
        }
      },
    }.send,
    origSend,
  );

  const xhrHeaders = (xhr: XMLHttpRequest): HeaderPairs =>
    allHeaders(xhr)
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
  /** Watches one request; returns what records it as failed if `send` throws. */
  const watchXhr = (xhr: XMLHttpRequest, r: XhrRec, body: unknown): ((err: unknown) => void) => {
    const callId = rec.newId();
    void quiet(rec.start(callId, 'xhr', r.method, r.url, r.headers, body, rec.now()));
    const done = new AbortController();
    const on = { capture: false, signal: done.signal };
    let chunks: BodyRecorder | null = null;
    let seen = 0;
    let ended: 'aborted' | 'timeout' | null = null;
    const textual = () => responseType(xhr) === '' || responseType(xhr) === 'text';
    // Synchronous requests skip readyState 2, so the response is also recorded at the end if needed.
    const respond = () => {
      if (chunks) return chunks;
      const text = textual() || responseType(xhr) === 'json' || responseType(xhr) === 'document';
      rec.response(callId, status(xhr), statusText(xhr), xhrHeaders(xhr), text);
      chunks = rec.bodyRecorder(callId, text ? 'text' : 'bytes');
      return chunks;
    };
    const progress = () => {
      if (!chunks || !textual()) return;
      const t = responseText(xhr);
      if (t.length > seen) {
        chunks.push(t.slice(seen));
        seen = t.length;
      }
    };
    // Only the browser's own events (`isTrusted`, an unforgeable own property): one the page dispatches on
    // its request changes nothing on the wire, so nothing in the record.
    const listen = (type: string, f: () => unknown) =>
      js.addEventListener(xhr, type, (e) => e.isTrusted && f(), on);
    listen('readystatechange', () => readyState(xhr) === 2 && status(xhr) !== 0 && respond());
    listen('progress', progress);
    listen('abort', () => (ended = 'aborted'));
    listen('timeout', () => (ended = 'timeout'));
    const finish = () => {
      if (done.signal.aborted) return;
      done.abort();
      // Called from open() while a request is still running: open() cancels it without any event.
      const cut = readyState(xhr) !== 4;
      const failed = cut || status(xhr) === 0;
      const body = failed ? (chunks ?? rec.bodyRecorder(callId, 'bytes')) : respond();
      if (!failed) {
        const value: unknown = textual() ? null : response(xhr);
        if (textual()) progress();
        else if (responseType(xhr) === 'json' && value != null) body.push(js.stringify(value));
        else {
          // A copy through the browser's constructor and getters (Intrinsics.copyBytes); null: not bytes.
          const bytes = js.copyBytes(value);
          if (bytes) body.push(bytes);
          else if (js.isBlob(value)) body.pushLater(js.blobArrayBuffer(value), 'in');
        }
      }
      body.end(
        failed ? (cut || ended === 'aborted' ? 'aborted' : 'error') : 'complete',
        failed && !cut ? (ended === 'timeout' ? 'timeout' : ended ? undefined : 'network error') : undefined,
      );
    };
    const previous = r.finish;
    r.finish = finish;
    // A loadend the browser fires comes with the request done (readyState 4, even for an abort); one the
    // page dispatches itself while the request runs ends nothing.
    listen('loadend', () => readyState(xhr) === 4 && finish());
    return (err) => {
      // A synchronous request may have run its events (and ended) before throwing.
      if (done.signal.aborted) return;
      done.abort();
      r.finish = previous;
      rec.bodyRecorder(callId, 'bytes').end('error', sendThrew(err));
    };
  };
}
