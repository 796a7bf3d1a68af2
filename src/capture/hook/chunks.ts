/**
 * Turns a response body (or a socket's frames) into chunk events and one end event, each stamped when it
 * happened.
 */
import type { CallChunk, CallEnd } from '../events';
import { LineBuffer } from '../line-buffer';
import { redactText } from '../redact';
import type { Recorder } from './recorder';

/**
 * How a body is turned into chunks:
 * - `text`: a streamed text body (bytes decoded as UTF-8, or XHR's growing responseText), released at
 *   line breaks so redaction never sees half a secret;
 * - `bytes`: a binary body, base64 per read, never rewritten by text redaction;
 * - `frames`: WebSocket messages, each whole (text redacted as one piece, binary as base64).
 */
export type BodyMode = 'text' | 'bytes' | 'frames';

/** Records one call's body: `push` each piece as it arrives, then `end` once. */
export class BodyRecorder {
  /** The next chunk's number (= chunks recorded so far). */
  seq = 0;
  /** Bytes (or, for strings, UTF-16 units) seen so far, including any past the cap. */
  bytes = 0;
  /** The body went past the cap: nothing more is recorded. */
  truncated = false;
  /** The text body was not valid UTF-8: the decoder replaced bytes with U+FFFD (flagged on the end event). */
  malformed = false;
  private lines = new LineBuffer();
  /** The text body came whole (`pushWhole`): its one chunk already flushed the decoder and lines. */
  private whole = false;
  /** The text mode's streaming decoder, made at flush time by the first piece that needs it. */
  private decoder: TextDecoder | null = null;
  constructor(
    private readonly rec: Recorder,
    private readonly callId: string,
    private readonly mode: BodyMode,
  ) {}
  private textDecoder(): TextDecoder {
    this.decoder ??= new this.rec.js.TextDecoder();
    return this.decoder;
  }
  /**
   * Counts a piece against the cap and returns how much of it is kept: all of it, the part up to the cap
   * (the piece that crosses it is cut there, so exactly `maxBodyBytes` are kept), or 0 once past it.
   */
  private admit(n: number): number {
    const before = this.bytes;
    this.bytes += n;
    if (this.truncated) return 0;
    const room = this.rec.settings.maxBodyBytes - before;
    if (n <= room) return n;
    this.truncated = true;
    return this.rec.js.max(0, room);
  }
  /** Decoded text that holds U+FFFD where the bytes did not spell U+FFFD: malformed UTF-8 was replaced. */
  private checkMalformed(text: string, bytes: Uint8Array) {
    if (this.malformed || text.indexOf('\uFFFD') < 0) return;
    for (let i = 0, n = this.rec.js.byteLength(bytes); i + 2 < n; i++) {
      if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return;
    }
    this.malformed = true;
  }
  private emit(
    seq: number,
    time: number,
    n: number,
    data: () => string,
    binary: boolean,
    direction?: 'in' | 'out',
  ) {
    this.rec.post(() => {
      const chunk: CallChunk = { type: 'chunk', callId: this.callId, seq, time, bytes: n, data: data() };
      if (binary) chunk.encoding = 'base64';
      if (direction) chunk.direction = direction;
      return chunk;
    });
  }
  /**
   * One read of the body (bytes, or text for XHR and socket frames), stamped `time` (default: now). `copy`:
   * keep a copy of the bytes (the caller hands `value` on, and its buffer may be transferred).
   */
  push(value: Uint8Array | string, direction?: 'in' | 'out', copy = false, time = this.rec.now()) {
    const js = this.rec.js;
    const n = typeof value === 'string' ? value.length : js.byteLength(value);
    const kept = this.admit(n);
    // An empty WebSocket frame is still a frame (an empty read of a body is nothing).
    if (kept === 0 && (n || this.truncated || this.mode !== 'frames')) return;
    // Copies and views through the browser's own constructor and getters (Intrinsics.copyBytes).
    if (typeof value === 'string') value = kept < n ? value.slice(0, kept) : value;
    else if (copy) value = js.copyBytes(value, kept)!;
    else if (kept < n) value = js.view(value, 0, kept);
    const binary = typeof value !== 'string' && this.mode !== 'text';
    const data = () => {
      if (typeof value !== 'string' && binary) return js.toBase64(value);
      if (this.mode === 'frames') return redactText(value as string);
      if (typeof value === 'string') return redactText(this.lines.push(value));
      const text = this.rec.js.decode(this.textDecoder(), value, { stream: true });
      this.checkMalformed(text, value);
      // The piece that crossed the cap: what the line buffer still holds is released with it (a partial
      // character at the cut stays in the decoder and is dropped).
      return redactText(kept < n ? this.lines.push(text) + this.lines.end() : this.lines.push(text));
    };
    this.emit(this.seq++, time, kept, data, binary, direction);
  }
  /**
   * A whole body read at once (fetch.ts `readWhole`), stamped `time`: one chunk. In text mode it also
   * releases what a closing chunk would (the decoder's and the line buffer's rest), so `end` adds none:
   * one chunk record per such call instead of two, the same text.
   */
  pushWhole(value: Uint8Array, time: number) {
    const n = this.rec.js.byteLength(value);
    if (this.mode !== 'text' || !n) return this.push(value, undefined, false, time);
    const kept = this.admit(n);
    if (kept === 0) return;
    const bytes = kept < n ? this.rec.js.view(value, 0, kept) : value;
    this.whole = true;
    this.emit(
      this.seq++,
      time,
      kept,
      () => {
        // Cut at the cap, a partial character at the cut is dropped, as in `push`.
        const text = this.rec.js.decode(this.textDecoder(), bytes, { stream: kept < n });
        this.checkMalformed(text, bytes);
        return redactText(this.lines.push(text) + this.lines.end());
      },
      false,
    );
  }
  /** A frame whose bytes arrive later (a Blob): its place and time are taken now, so order holds. */
  pushLater(value: Promise<ArrayBuffer>, direction: 'in' | 'out') {
    const time = this.rec.now();
    const seq = this.seq++;
    void (async () => {
      try {
        const b = await value;
        const kept = this.admit(this.rec.js.byteLength(b));
        if (kept > 0)
          this.emit(
            seq,
            time,
            kept,
            () => this.rec.js.toBase64(new this.rec.js.Uint8Array(b, 0, kept)),
            true,
            direction,
          );
      } catch {}
    })();
  }
  /**
   * The body ended (`error`: what went wrong, for outcomes other than `complete`); stamped `endTime`
   * (default: now).
   */
  end(outcome: CallEnd['outcome'], error?: string, endTime = this.rec.now()) {
    if (this.mode === 'text' && !this.truncated && !this.whole) {
      this.emit(
        this.seq++,
        endTime,
        0,
        () => redactText(this.lines.push(this.rec.js.decode(this.textDecoder())) + this.lines.end()),
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
    // An abort reason or error message is page text: it may carry a token like any body.
    if (error) e.error = redactText(error);
    // Read at flush time: the chunks before this end are decoded then, and may set the flag.
    this.rec.post(() => (this.malformed ? { ...e, malformedText: true } : e));
  }
}
