/**
 * Request bodies and headers as the hook records them: copied (up to the size cap) when the call is made,
 * turned into text or base64 at flush time, redacted, and clamped to the event schema's bounds.
 */
import type { HookSettings } from '../events';
import { redactBody } from '../redact';
import type { Intrinsics } from './intrinsics';
import type { HeaderPairs, PageWindow } from './types';

// The event schema's bounds (src/capture/events.ts): values past them are cut here, so one odd call (a
// long data: URL, a huge header) can never make the background refuse a whole batch.
const MAX_URL = 65_536;
const MAX_HEADERS = 512;
const MAX_HEADER_VALUE = 16_384;

/** A URL cut to the schema's 64 KiB, marked `…[truncated]` when cut. */
export const clampUrl = (u: string): string =>
  u.length > MAX_URL ? `${u.slice(0, MAX_URL - 12)}…[truncated]` : u;
/** At most 512 headers, names cut at 256 and values at 16 KiB characters. */
export const clampHeaders = (h: HeaderPairs): HeaderPairs =>
  h.slice(0, MAX_HEADERS).map(([n, v]) => [n.slice(0, 256), v.slice(0, MAX_HEADER_VALUE)]);

/** What `BodyReader.snapshot` returns for a body the hook cannot record (recorded as `[unreadable body]`). */
const UNREADABLE = {};

/** A body as recorded: text (redacted) or base64 bytes, and whether it was cut at the cap. */
export interface BodyOut {
  body: string | null;
  encoding: 'text' | 'base64';
  truncated: boolean;
}
/** Bytes kept from a body: at most the cap, copied (the page may reuse its buffer). */
export interface Bytes {
  bytes: Uint8Array;
  truncated: boolean;
}

/**
 * True for content types whose bodies are recorded as text (none given counts as text). `matches` runs the
 * regular expression (the hook passes its captured `exec`, see Intrinsics.matches).
 */
export const isText = (
  contentType: string | null,
  matches: (re: RegExp, s: string) => boolean = (re, s) => re.test(s),
): boolean =>
  !contentType ||
  matches(/text|json|javascript|xml|event-stream|x-www-form-urlencoded|graphql/i, contentType);

/** Error text as stored: the message (or the value), at most 1000 characters; never throws. */
export const errText = (err: unknown): string => {
  try {
    return String((err as Error)?.message ?? err).slice(0, 1000);
  } catch {
    return 'error';
  }
};
/** How a throwing `send` is recorded: `send threw InvalidStateError: <message>`. */
export const sendThrew = (err: unknown): string => {
  try {
    return `send threw ${(err as Error)?.name ?? 'Error'}: ${errText(err)}`;
  } catch {
    return 'send threw';
  }
};
/** True for the DOMException a fetch rejects with when its signal aborts. */
export const abortLike = (err: unknown): boolean => (err as { name?: string } | null)?.name === 'AbortError';

/** Reads bodies in the page's world, against the current size cap (`settings.maxBodyBytes`, bytes). */
export class BodyReader {
  constructor(
    private readonly win: PageWindow,
    private readonly js: Intrinsics,
    private readonly settings: HookSettings,
  ) {}

  /** Header pairs from any HeadersInit (Headers, pairs, or a record); values as strings. */
  headerPairs(h: HeadersInit | undefined | null): HeaderPairs {
    if (!h) return [];
    if (h instanceof this.win.Headers) return this.js.headerEntries(h);
    if (Array.isArray(h)) return h.map(([k, v]) => [String(k), String(v)]);
    return Object.entries(h).map(([k, v]) => [k, String(v)]);
  }

  /**
   * A request body as it is now, for `bodyOf` at flush time: a string as it is, URLSearchParams and
   * FormData as their text (`Intrinsics.formText`), ArrayBuffer and views as a copy of what is kept
   * (`Bytes`, never more than the cap), a Blob as a promise of `Bytes`, nothing as null, and anything else
   * (a stream, a Document, a page object) as UNREADABLE: fetch has already called its `toString`, which
   * is not called again. Nothing the page can change after the call, or shape like `Bytes`, reaches
   * `bodyOf`. Every check goes through the browser's own getters and methods, not `instanceof`.
   */
  snapshot(b: unknown): unknown {
    if (b == null || typeof b === 'string') return b ?? null;
    const js = this.js;
    const cap = this.settings.maxBodyBytes;
    const bytes = js.copyBytes(b, cap);
    if (bytes) return { bytes, truncated: js.byteLength(b as ArrayBuffer) > cap };
    if (js.isBlob(b))
      return (async () => ({
        bytes: new js.Uint8Array(await js.blobArrayBuffer(js.blobSlice(b, 0, cap))),
        truncated: js.blobSize(b) > cap,
      }))();
    return js.formText(b) ?? UNREADABLE;
  }

  /** A Request's body, read from a clone up to the cap (the rest is not read at all). */
  async readCapped(stream: ReadableStream<Uint8Array>): Promise<Bytes> {
    const cap = this.settings.maxBodyBytes;
    const js = this.js;
    const reader = js.getReader(stream);
    const parts: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const { done, value } = await js.read(reader);
      if (done) break;
      js.append(parts, value);
      n += js.byteLength(value);
      if (n > cap) {
        void quiet(js.cancel(reader));
        break;
      }
    }
    const size = js.min(n, cap);
    const bytes = new js.Uint8Array(size);
    for (let i = 0, at = 0; i < parts.length; i++) {
      const take = js.view(parts[i]!, 0, size - at);
      js.set(bytes, take, at);
      at += js.byteLength(take);
    }
    return { bytes, truncated: n > cap };
  }

  /**
   * A request body as recorded, from what `snapshot` (or `readCapped`) made: text (a string, a form's
   * text) redacted, `Bytes` as UTF-8 text when they decode, else base64 (gzip always base64), UNREADABLE
   * as `[unreadable body]`. Cut at the cap.
   */
  bodyOf(url: string, body: unknown): BodyOut {
    const cap = this.settings.maxBodyBytes;
    if (body == null) return { body: null, encoding: 'text', truncated: false };
    if (typeof body === 'string')
      return { body: redactBody(url, body.slice(0, cap)), encoding: 'text', truncated: body.length > cap };
    if (body === UNREADABLE) return { body: '[unreadable body]', encoding: 'text', truncated: false };
    const { bytes, truncated } = body as Bytes;
    // gzip (Statsig rgstr) and other binary bodies stay bytes; UTF-8 text becomes text.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b)
      return { body: this.js.toBase64(bytes), encoding: 'base64', truncated };
    try {
      const text = this.js.decode(new this.js.TextDecoder('utf-8', { fatal: !truncated }), bytes);
      return { body: redactBody(url, text), encoding: 'text', truncated };
    } catch {
      return { body: this.js.toBase64(bytes), encoding: 'base64', truncated };
    }
  }
}

/**
 * Awaits `p` and ignores its failure, without `Promise.prototype.catch` (the page may replace it). No
 * promise is made when there is nothing to wait for (`p` undefined: the work was done synchronously).
 */
export const quiet = (p: Promise<unknown> | undefined): Promise<void> | undefined =>
  p === undefined ? undefined : swallow(p);
const swallow = async (p: Promise<unknown>): Promise<void> => {
  try {
    await p;
  } catch {}
};
