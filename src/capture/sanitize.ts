/**
 * Background-side redaction (defence in depth: the hook already redacted). One place for both shapes the
 * background receives: capture events from the relay, and stored records from an import or an export.
 */
import type { StoredCall, StoredChunk } from '../store/schema';
import type { CallStart, CaptureEvent } from './events';
import { redactBody, redactHeaders, redactText, redactUrl } from './redact';

type RequestParts = Pick<
  CallStart,
  'url' | 'pageUrl' | 'requestHeaders' | 'requestBody' | 'requestBodyEncoding'
>;

function redactRequest<T extends RequestParts>(r: T): T {
  return {
    ...r,
    url: redactUrl(r.url),
    pageUrl: redactUrl(r.pageUrl),
    requestHeaders: redactHeaders(r.requestHeaders),
    requestBody:
      r.requestBody !== null && r.requestBodyEncoding === 'text'
        ? redactBody(r.url, r.requestBody)
        : r.requestBody,
  };
}

export function sanitizeEvent(e: CaptureEvent): CaptureEvent {
  switch (e.type) {
    case 'start':
      return redactRequest(e);
    case 'response':
      return { ...e, responseHeaders: redactHeaders(e.responseHeaders) };
    case 'chunk':
      // Bytes are not text: a base64 run can look like a Fernet token and must not be rewritten.
      return e.encoding === 'base64' ? e : { ...e, data: redactText(e.data) };
    case 'end':
      return e;
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
 * Text chunks are redacted; base64 chunks are bytes (a Fernet-like run of base64 is not a token there, and
 * rewriting it would corrupt the body).
 */
export function redactStoredChunk(ch: StoredChunk, encoding: 'text' | 'base64' | undefined): StoredChunk {
  return encoding === 'base64' ? ch : { ...ch, data: redactText(ch.data) };
}
