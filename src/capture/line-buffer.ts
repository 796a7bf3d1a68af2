/**
 * Cuts streamed text so that redaction never sees half a secret: text is released up to its last line
 * break (SSE events, NDJSON and JSON-per-line bodies never split a value across lines); the rest waits for
 * the next piece. A line that grows past `maxPending` without a break is released anyway, minus a tail of
 * `holdBack` characters, long enough for any token, that waits for the next piece.
 */
import { REDACT_HOLD_BACK_CHARS, REDACT_MAX_PENDING_CHARS } from './limits';

export class LineBuffer {
  private pending = '';

  constructor(
    private readonly maxPending = REDACT_MAX_PENDING_CHARS,
    private readonly holdBack = REDACT_HOLD_BACK_CHARS,
  ) {}

  /** Adds text; returns what can be released now (possibly ''). */
  push(text: string): string {
    const all = this.pending + text;
    const cut = all.lastIndexOf('\n') + 1;
    if (cut > 0) {
      this.pending = all.slice(cut);
      return all.slice(0, cut);
    }
    if (all.length < this.maxPending) {
      this.pending = all;
      return '';
    }
    const at = all.length - this.holdBack;
    this.pending = all.slice(at);
    return all.slice(0, at);
  }

  /** The end of the body: releases everything still held. */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}
