/**
 * Facts about one stored call that the analysis, the exports and the UI all ask: a header's value, whether
 * the response is an event stream, whether the call is still open, its API path, its body as text. Pure:
 * no IndexedDB, no DOM, so every layer (and the tests) can use it.
 */
import type { StoredCall, StoredChunk } from './schema';

/** A header list as stored: `[name, value]` pairs in the order they were sent or received. */
export type HeaderList = readonly (readonly [string, string])[];

/**
 * The first value of header `name`, compared case-insensitively (fetch lower-cases names, a page's own
 * init may not); null when the list is absent or has no such header.
 */
export function header(list: HeaderList | undefined, name: string): string | null {
  if (!list) return null;
  const n = name.toLowerCase();
  for (const [k, v] of list) if (k.toLowerCase() === n) return v;
  return null;
}

/** True for a `text/event-stream` content type (any case, any parameters); false for null. */
export function isEventStreamType(contentType: string | null | undefined): boolean {
  return /text\/event-stream/i.test(contentType ?? '');
}

/** True when the response's first Content-Type header is `text/event-stream` (server-sent events). */
export function isEventStream(call: Pick<StoredCall, 'responseHeaders'>): boolean {
  return isEventStreamType(header(call.responseHeaders, 'content-type'));
}

/** No end was recorded: the call is still running, or its page went away before it ended. */
export function isOpen(call: Pick<StoredCall, 'endTime'>): boolean {
  return call.endTime === undefined;
}

/** The call has not ended and was recorded here: its stream may still grow (imports are never live). */
export function isLive(call: Pick<StoredCall, 'endTime' | 'importId'>): boolean {
  return isOpen(call) && call.importId === undefined;
}

/** `/backend-api/…`, `/backend-anon/…`, `/backend-alt/…`, optionally followed by `/f/`. */
const API_PREFIX = /^\/backend-(?:api|anon|alt)(?:\/f)?(\/.*)?$/;

/**
 * The path after the backend prefix (`/backend-api`, `/backend-anon`, `/backend-alt`, each with an
 * optional `/f`), without a trailing slash: `https://chatgpt.com/backend-api/f/conversation/` →
 * `/conversation`. Other paths come back whole; a URL that does not parse comes back unchanged.
 */
export function apiPath(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return url;
  }
  const m = API_PREFIX.exec(path);
  return (m ? (m[1] ?? '/') : path).replace(/\/$/, '') || '/';
}

/**
 * The response body as stored: the inbound chunks' data joined in the given order (text), or their bytes
 * re-joined and re-encoded (base64). Outbound chunks (WebSocket sends) are left out.
 */
export function joinBody(chunks: readonly StoredChunk[], encoding: 'text' | 'base64' = 'text'): string {
  const inbound = chunks.filter((c) => c.direction !== 'out');
  if (encoding === 'text') return inbound.map((c) => c.data).join('');
  const parts = inbound.map((c) => atob(c.data));
  return btoa(parts.join(''));
}
