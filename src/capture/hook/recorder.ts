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
      return isChatGptHost(new this.js.URL(url(), this.win.location.href).hostname);
    } catch {
      return true;
    }
  }
  /** Milliseconds since the Unix epoch, sub-millisecond: `performance.timeOrigin + performance.now()`. */
  now(): number {
    return this.js.now();
  }
  /** A new call id: a full random UUID (a call id is the record's key, so a collision would merge calls). */
  newId(): string {
    return this.js.randomUUID();
  }
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
   * Records a call's start. `body` is what `BodyReader.snapshot` returned (or a promise of `Bytes`);
   * resolves once the start event is queued (after an async body is read); rejects when that body cannot
   * be read (then no start event is queued).
   */
  async start(
    callId: string,
    transport: CallStart['transport'],
    method: string,
    url: string,
    headers: HeaderPairs,
    body: unknown,
    startTime: number,
    keepalive?: boolean,
  ): Promise<void> {
    const pageUrl = this.win.location.href;
    const queue = (raw: unknown) =>
      this.post(() => {
        const b = this.body.bodyOf(url, raw);
        const e: CallStart = {
          type: 'start',
          callId,
          pageSessionId: this.pageSessionId,
          transport,
          method: method.toUpperCase().slice(0, MAX_METHOD_CHARS),
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
    // Synchronous unless the body is still being read: the start event is queued before any chunk.
    queue(this.js.isPromise(body) ? await body : body);
  }

  /** Records the response head; `text` picks how its body will be carried. */
  response(
    callId: string,
    status: number,
    statusText: string,
    headers: HeaderPairs,
    text: boolean,
    headersTime = this.now(),
  ): void {
    this.post(
      (): CallResponse => ({
        type: 'response',
        callId,
        status,
        statusText: statusText.slice(0, MAX_STATUS_TEXT_CHARS),
        responseHeaders: redactHeaders(clampHeaders(headers)),
        responseBodyEncoding: text ? 'text' : 'base64',
        headersTime,
      }),
    );
  }
}
