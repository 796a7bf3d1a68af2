/**
 * The one recorder every wrapper reports to: it stamps times, makes ids, and queues start, response,
 * chunk and end events in the outbox, redacted and clamped to the event schema.
 */

import { isChatGptHost } from '../../settings';
import type { CallResponse, CallStart, HookSettings } from '../events';
import { MAX_METHOD_CHARS, MAX_STATUS_TEXT_CHARS } from '../limits';
import { redactHeaders, redactUrl } from '../redact';
import { BodyReader, clampHeaders, clampUrl } from './body-reader';
import { type BodyMode, BodyRecorder } from './chunks';
import type { Intrinsics } from './intrinsics';
import type { Outbox, OutboxItem } from './outbox';
import type { HeaderPairs, PageWindow } from './types';

export class Recorder {
  /** One id per page load, shared by every call the page makes. */
  readonly pageSessionId: string;
  readonly settings: HookSettings;
  readonly body: BodyReader;
  constructor(
    readonly win: PageWindow,
    readonly js: Intrinsics,
    private readonly outbox: Outbox,
  ) {
    this.settings = outbox.settings;
    this.body = new BodyReader(win, js, this.settings);
    this.pageSessionId = js.randomUUID();
  }

  /** Whether new calls are recorded (the relay can switch it off). */
  get recording(): boolean {
    return this.settings.recording;
  }
  /**
   * Whether a new call to the URL `url()` gives (absolute, or relative to the page) is recorded: recording
   * is on and the URL is in the recording scope. `url` runs only for the `chatgpt` scope, so in the default
   * scope nothing of the page's arguments is read before the native call. A URL that cannot be parsed is
   * recorded (the call will fail as it would).
   */
  records(url: () => string): boolean {
    if (!this.settings.recording) return false;
    if (this.settings.scope === 'all') return true;
    try {
      return isChatGptHost(new this.js.URL(url(), this.js.baseUrl()).hostname);
    } catch {
      return true;
    }
  }
  /** Milliseconds since the Unix epoch, sub-millisecond: `performance.timeOrigin + performance.now()`. */
  now(): number {
    return this.js.now();
  }
  /**
   * A new call id: this page load's random UUID and a counter (`<uuid>.<n>`). A call id is the record's
   * key, so ids must never collide: the UUID keeps page loads apart and the counter keeps calls apart,
   * without a random number per call on the page's path.
   */
  newId(): string {
    return `${this.pageSessionId}.${++this.calls}`;
  }
  private calls = 0;
  /** Queues an event (or a thunk building one at flush time). */
  post(item: OutboxItem): void {
    this.outbox.post(item);
  }
  /** Sends what is queued now (a beacon as the page goes away). */
  flushNow(): void {
    this.outbox.flushNow();
  }
  /** A recorder for one call's body, in the given mode (see `BodyMode`). */
  bodyRecorder(callId: string, mode: BodyMode): BodyRecorder {
    return new BodyRecorder(this, callId, mode);
  }

  /**
   * Records a call's start. `url` is the URL as the page gave it (absolute, or relative to the page's URL
   * at this moment): it is resolved at flush time, off the page's path. `body` is what
   * `BodyReader.snapshot` returned (or a promise of `Bytes`). Returns undefined when the start event is
   * queued at once, else a promise that settles once it is (after an async body is read) and rejects when
   * that body cannot be read (then no start event is queued).
   */
  start(
    callId: string,
    transport: CallStart['transport'],
    method: string,
    url: string,
    headers: HeaderPairs,
    body: unknown,
    startTime: number,
    keepalive?: boolean,
  ): Promise<void> | undefined {
    const pageUrl = this.js.pageUrl();
    const baseUrl = this.js.baseUrl();
    const queue = (raw: unknown) =>
      this.post(() => {
        let href = url;
        try {
          href = new this.js.URL(url, baseUrl).href;
        } catch {}
        const b = this.body.bodyOf(href, raw);
        const e: CallStart = {
          type: 'start',
          callId,
          pageSessionId: this.pageSessionId,
          transport,
          method: method.toUpperCase().slice(0, MAX_METHOD_CHARS),
          url: clampUrl(redactUrl(href)),
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
    // Synchronous unless the body is still being read: the start event is queued before any chunk.
    if (!this.js.isPromise(body)) {
      queue(body);
      return undefined;
    }
    return (async () => queue(await body))();
  }

  /**
   * Records the response head; `text` picks how its body will be carried. `headers` may be a function
   * that reads them at flush time (a Response's headers cannot change, so reading them later is the same).
   */
  response(
    callId: string,
    status: number,
    statusText: string,
    headers: HeaderPairs | (() => HeaderPairs),
    text: boolean,
    headersTime = this.now(),
  ): void {
    this.post(
      (): CallResponse => ({
        type: 'response',
        callId,
        status,
        statusText: statusText.slice(0, MAX_STATUS_TEXT_CHARS),
        responseHeaders: redactHeaders(clampHeaders(typeof headers === 'function' ? headers() : headers)),
        responseBodyEncoding: text ? 'text' : 'base64',
        headersTime,
      }),
    );
  }
}
