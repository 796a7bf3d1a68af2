/**
 * Secret redaction. Runs twice: in the page hook before anything leaves the page world, and again in the
 * background (defence in depth). Dependency-free and small, because it is bundled into the page hook.
 *
 * Redact by name, not by pattern (turnstile tokens and dx blobs have no fixed prefix), plus a pattern pass
 * for the shapes that are unambiguous wherever they appear (JWTs, Fernet `gAAAAA…` tokens).
 */

export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'set-cookie2',
  'x-conduit-token',
  'oai-echo-logs',
  'x-api-key',
]);

export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_HEADERS.has(n) || n.startsWith('openai-sentinel-');
}

/** `Bearer eyJ…` → `Bearer [redacted]`: keeps the scheme so the shape of the call stays visible. */
export function redactHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return redactText(value);
  const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

export function redactHeaders(headers: [string, string][]): [string, string][] {
  return headers.map(([n, v]) => [n, redactHeaderValue(n, v)]);
}

/**
 * JSON member names whose string (or object) values are secrets wherever they appear: session access
 * tokens, sentinel/proof/turnstile/arkose material, conduit and resume tokens, socket URLs with tokens.
 * `p` (the sentinel proof config) is only secret in sentinel request bodies, see `redactBody`.
 */
const SECRET_KEYS = [
  'accessToken',
  'sessionToken',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'arkose_token',
  'prepare_token',
  'conduit_token',
  'proofofwork',
  'turnstile',
  'dx',
  'bda',
  'wss_url',
  'websocket_url',
  'session_token',
  'proof_token',
  'turnstile_token',
  'enforcement_token',
];
const SECRET_KEY_ALT = SECRET_KEYS.join('|');
// "key": "string" (also with Python-style spacing and escaped quotes inside the value).
const KEY_STRING = new RegExp(`("(?:[a-z_]*_dx|${SECRET_KEY_ALT})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// "key": { … } one level deep (turnstile/proofofwork objects): keep the key, drop the contents.
const KEY_OBJECT = new RegExp(`("(?:${SECRET_KEY_ALT})"\\s*:\\s*)\\{[^{}]*\\}`, 'gi');
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const FERNET = /gAAAAA[A-Za-z0-9_=-]{20,}/g;
// Query/form parameters that carry tokens: Arkose JSONP session_token, socket ?verify= and access_token=.
const PARAM = /([?&](?:session_token|access_token|verify|token|bda|sig|signature)=)[^&#\s"]*/gi;

export function redactText(text: string): string {
  return text
    .replace(KEY_OBJECT, `$1"${REDACTED}"`)
    .replace(KEY_STRING, `$1"${REDACTED}"`)
    .replace(JWT, REDACTED)
    .replace(FERNET, REDACTED)
    .replace(PARAM, `$1${REDACTED}`);
}

/** The sentinel proof config `{"p": "gAAAAAC…"}` and form bodies (`bda=…`) need URL context. */
export function redactBody(url: string, body: string): string {
  let out = redactText(body);
  if (/\/sentinel\//.test(url)) {
    out = out.replace(/("p"\s*:\s*)"(?:[^"\\]|\\.)*"/g, `$1"${REDACTED}"`);
  }
  if (/^[\w.%-]+=/.test(out) && !out.trimStart().startsWith('{')) {
    out = `&${out}`.replace(PARAM, `$1${REDACTED}`).slice(1);
  }
  return out;
}

export function redactUrl(url: string): string {
  return url.replace(PARAM, `$1${REDACTED}`);
}
