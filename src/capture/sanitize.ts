/** Background-side redaction of incoming events (defence in depth: the hook already redacted them). */
import type { CaptureEvent } from './events';
import { redactBody, redactHeaders, redactText, redactUrl } from './redact';

export function sanitizeEvent(e: CaptureEvent): CaptureEvent {
  switch (e.type) {
    case 'start':
      return {
        ...e,
        url: redactUrl(e.url),
        pageUrl: redactUrl(e.pageUrl),
        requestHeaders: redactHeaders(e.requestHeaders),
        requestBody:
          e.requestBody !== null && e.requestBodyEncoding === 'text'
            ? redactBody(e.url, e.requestBody)
            : e.requestBody,
      };
    case 'response':
      return { ...e, responseHeaders: redactHeaders(e.responseHeaders) };
    case 'chunk':
      return { ...e, data: redactText(e.data) };
    case 'end':
      return e;
  }
}
