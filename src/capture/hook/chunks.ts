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
  private lines = new LineBuffer();
  private decoder: TextDecoder | null;
  constructor(
    private readonly rec: Recorder,
    private readonly callId: string,
    private readonly mode: BodyMode,
  ) {
    this.decoder = mode === 'text' ? new rec.js.TextDecoder() : null;
  }
  /** Counts a piece against the cap; false when it is past it (then nothing more is recorded). */
  private admit(n: number): boolean {
    this.bytes += n;
    if (!this.truncated && this.bytes > this.rec.settings.maxBodyBytes) this.truncated = true;
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
    this.rec.post(() => {
      const chunk: CallChunk = { type: 'chunk', callId: this.callId, seq, time, bytes: n, data: data() };
      if (binary) chunk.encoding = 'base64';
      if (direction) chunk.direction = direction;
      return chunk;
    });
  }
  /**
   * One read of the body (bytes, or text for XHR and socket frames), stamped now. `copy`: keep a copy of
   * the bytes (the caller hands `value` on, and its buffer may be transferred).
   */
  push(value: Uint8Array | string, direction?: 'in' | 'out', copy = false) {
    const time = this.rec.now();
    const n = typeof value === 'string' ? value.length : value.byteLength;
    if (!this.admit(n)) return;
    if (copy && typeof value !== 'string') value = new Uint8Array(value);
    const binary = typeof value !== 'string' && this.mode !== 'text';
    const data = () => {
      if (typeof value !== 'string' && binary) return this.rec.body.toBase64(value);
      if (this.mode === 'frames') return redactText(value as string);
      const text =
        typeof value === 'string' ? value : this.rec.js.decode(this.decoder!, value, { stream: true });
      return redactText(this.lines.push(text));
    };
    this.emit(this.seq++, time, n, data, binary, direction);
  }
  /** A frame whose bytes arrive later (a Blob): its place and time are taken now, so order holds. */
  pushLater(value: Promise<ArrayBuffer>, direction: 'in' | 'out') {
    const time = this.rec.now();
    const seq = this.seq++;
    void (async () => {
      try {
        const b = await value;
        if (this.admit(b.byteLength))
          this.emit(
            seq,
            time,
            b.byteLength,
            () => this.rec.body.toBase64(new Uint8Array(b)),
            true,
            direction,
          );
      } catch {}
    })();
  }
  /** The body ended (`error`: what went wrong, for outcomes other than `complete`); stamped now. */
  end(outcome: CallEnd['outcome'], error?: string) {
    const endTime = this.rec.now();
    if (this.mode === 'text' && !this.truncated) {
      const decoder = this.decoder!;
      this.emit(
        this.seq++,
        endTime,
        0,
        () => redactText(this.lines.push(this.rec.js.decode(decoder)) + this.lines.end()),
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
    this.rec.post(e);
  }
}
