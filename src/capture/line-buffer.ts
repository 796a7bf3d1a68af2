/**
 * Cuts streamed text at line breaks and redacts it, so that redaction never sees half a secret: text is
 * released up to its last line break (SSE events, NDJSON and JSON-per-line bodies never split a value
 * across lines); the rest waits for the next piece. A line that grows past `maxPending` without a break
 * is released anyway, minus a tail of `holdBack` characters, long enough for any token, that waits for
 * the next piece.
 *
 * Pretty-printed JSON does put a key and its value on different lines (`"accessToken":` then the token):
 * the redaction state is carried from one release to the next (`redactPiece`), so such a value is
 * redacted in whichever release it arrives. What `push` and `end` return is therefore already redacted;
 * redacting it again (as the hook does) changes nothing.
 */
import { REDACT_HOLD_BACK_CHARS, REDACT_MAX_PENDING_CHARS } from './limits';
import { type Carry, redactPiece } from './redact';

/**
 * Where to cut a long line near `at`: just before a JSON structural character (`,` `{` `}` `[` `]`) found
 * within `window` characters back, so no token, no `Bearer <credential>` pair and no `"name":` is split
 * (none of them contains one); `at` itself when there is none.
 */
function safeCut(text: string, at: number, window: number): number {
  for (let i = at; i > 0 && i > at - window; i--) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 123 || c === 125 || c === 91 || c === 93) return i;
  }
  return at;
}

export class LineBuffer {
  private pending = '';
  private carry: Carry = null;

  constructor(
    private readonly maxPending = REDACT_MAX_PENDING_CHARS,
    private readonly holdBack = REDACT_HOLD_BACK_CHARS,
  ) {}

  /** Adds text; returns what can be released now (possibly ''), redacted. */
  push(text: string): string {
    const all = this.pending + text;
    const cut = all.lastIndexOf('\n') + 1;
    if (cut > 0) {
      this.pending = all.slice(cut);
      return this.release(all.slice(0, cut));
    }
    if (all.length < this.maxPending) {
      this.pending = all;
      return '';
    }
    const at = safeCut(all, all.length - this.holdBack, this.holdBack);
    this.pending = all.slice(at);
    return this.release(all.slice(0, at));
  }

  /** The end of the body: releases everything still held, redacted. */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    const out = this.release(rest);
    this.carry = null;
    return out;
  }

  private release(text: string): string {
    if (!text) return text;
    const r = redactPiece(text, this.carry);
    this.carry = r.carry;
    return r.text;
  }
}
