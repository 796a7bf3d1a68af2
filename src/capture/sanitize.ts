/**
 * Background-side redaction (defence in depth: the hook already redacted). One place for both shapes the
 * background receives: capture events from the relay, and stored records from an import or an export.
 * The rules are the hook's own (redact.ts); base64 bodies are redacted only where they decode to UTF-8
 * text (a binary WebSocket frame carrying JSON), never rewritten otherwise.
 */
import type { StoredCall, StoredChunk } from '../store/schema';
import type { CallStart, CaptureEvent } from './events';
import {
  type Carry,
  redactBase64,
  redactBody,
  redactHeaders,
  redactPiece,
  redactText,
  redactUrl,
} from './redact';

type RequestParts = Pick<
  CallStart,
  'url' | 'pageUrl' | 'requestHeaders' | 'requestBody' | 'requestBodyEncoding'
>;

function redactRequest<T extends RequestParts>(r: T): T {
  const body = r.requestBody;
  return {
    ...r,
    url: redactUrl(r.url),
    pageUrl: redactUrl(r.pageUrl),
    requestHeaders: redactHeaders(r.requestHeaders),
    requestBody:
      body === null ? body : r.requestBodyEncoding === 'text' ? redactBody(r.url, body) : redactBase64(body),
  };
}

/** A capture event as the relay delivered it, redacted again (text chunks one by one, see db.ts). */
export function sanitizeEvent(e: CaptureEvent): CaptureEvent {
  switch (e.type) {
    case 'start':
      return redactRequest(e);
    case 'response':
      return { ...e, responseHeaders: redactHeaders(e.responseHeaders) };
    case 'chunk':
      return { ...e, data: e.encoding === 'base64' ? redactBase64(e.data) : redactText(e.data) };
    case 'end':
      return e.error === undefined ? e : { ...e, error: redactText(e.error) };
  }
}

/**
 * The background's redaction of capture events, batch after batch: `sanitizeEvent`, except that a text
 * body's chunks are redacted as one stream (the state `redactPiece` leaves is carried from each chunk to
 * the next), so a secret JSON value that starts on a later line than its key, or spans many lines, is
 * caught as the hook catches it. State is kept per call until its end event, for at most `maxBodies`
 * calls (the oldest is dropped). A chunk that is not the next one expected (out of order, or after a
 * worker restart) starts afresh; the store then checks it against its stored neighbours (db.ts).
 */
export class EventSanitizer {
  private readonly bodies = new Map<string, { seq: number; carry: Carry }>();

  constructor(private readonly maxBodies = 1000) {}

  /** The events redacted, in the order given. */
  sanitize(events: readonly CaptureEvent[]): CaptureEvent[] {
    return events.map((e) => this.one(e));
  }

  private one(e: CaptureEvent): CaptureEvent {
    if (e.type === 'end') this.bodies.delete(e.callId);
    if (e.type !== 'chunk' || e.encoding === 'base64' || e.direction) return sanitizeEvent(e);
    const body = this.bodies.get(e.callId);
    const r = redactPiece(e.data, body?.seq === e.seq ? body.carry : null);
    this.bodies.delete(e.callId);
    this.bodies.set(e.callId, { seq: e.seq + 1, carry: r.carry });
    if (this.bodies.size > this.maxBodies) {
      const oldest = this.bodies.keys().next().value;
      if (oldest !== undefined) this.bodies.delete(oldest);
    }
    return { ...e, data: r.text };
  }
}

/** A stored record, as the background redacts captures (applied on import and again on export). */
export function redactStoredCall(c: StoredCall): StoredCall {
  const out = redactRequest(c);
  if (c.responseHeaders) out.responseHeaders = redactHeaders(c.responseHeaders);
  if (c.error !== undefined) out.error = redactText(c.error);
  return out;
}

/**
 * Text chunks are redacted; base64 chunks are bytes, redacted only where they decode to UTF-8 text (a
 * Fernet-like run of base64 is not a token there, and rewriting binary would corrupt the body).
 */
export function redactStoredChunk(ch: StoredChunk, encoding: 'text' | 'base64' | undefined): StoredChunk {
  return { ...ch, data: encoding === 'base64' ? redactBase64(ch.data) : redactText(ch.data) };
}
