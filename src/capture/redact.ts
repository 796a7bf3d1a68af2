/**
 * Secret redaction: one model, used by the page hook (before anything leaves the page world), the
 * background (again, before storing) and the exporter (again, for stores written by older versions).
 * Dependency-free and small, because it is bundled into the page hook.
 *
 * The model (docs/protocol.md §8 lists what ChatGPT sends; turnstile tokens and dx blobs have no fixed prefix,
 * so redact by name first, then by the shapes that are unambiguous wherever they appear):
 * - by name: one name test, `isSecretName`, for JSON members (any depth, also JSON inside JSON strings),
 *   `name=value` pairs (query, fragment, form bodies, cookies echoed in text), multipart fields and
 *   headers; any case and style (`accessToken`, `access_token`, `access-token` are one name);
 * - by shape: `Bearer <credential>`, JWS and JWE compact tokens, Fernet `gAAAAA…` tokens;
 * - inside base64: a JSON string that is base64 of UTF-8 text (Azure Web PubSub wraps SSE that way) is
 *   decoded, redacted and re-encoded; bytes that are not UTF-8 text are never touched;
 * - across lines and reads: a secret member whose value starts on a later line (pretty-printed JSON) is
 *   carried over as state (`redactPiece`, used by the line buffer), so no piece lets the value through.
 * The marker keeps the shape: `"accessToken":"[redacted]"`, `Bearer [redacted]`, `access_token=[redacted]`.
 */

export const REDACTED = '[redacted]';

/** Normalized secret names (lower case, no `-`, `_`, `.`, spaces), matched exactly. */
const SECRET_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'setcookie2',
  'oaiechologs',
  'passwd',
  'dx',
  'bda',
  'turnstile',
  'proofofwork',
  'wssurl',
  'websocketurl',
]);
/**
 * Endings that make any name secret: `…token` (access/id/refresh/session/resume/sentinel/conduit…),
 * `…secret`, `…password`, `…apikey`, `…credential(s)`, and private or secret keys (`private_key`,
 * `secret_key`, not `key` alone: message and idempotency keys are ids).
 */
const SECRET_ENDINGS = /(?:token|secret|password|apikey|credentials?|privatekey|secretkey|accesskey)$/;
/** Names secret only as URL/form parameters (socket `?verify=`, signed URLs), not as JSON members. */
const PARAM_NAMES = new Set([
  'verify',
  'sig',
  'signature',
  'xamzsignature',
  'xamzcredential',
  'xgoogsignature',
]);

const norm = (name: string) =>
  name
    .toLowerCase()
    .replace(/\.\d+$/, '')
    .replace(/[-_.\s]/g, '');

/**
 * Whether a JSON member, header, cookie, form field or URL parameter of this name holds a secret. Case
 * and separators do not matter; a cookie chunk suffix (`session-token.0`) is ignored. Sentinel dx blobs
 * end in `_dx` (`collector_dx`), which does not make `idx` secret.
 */
export function isSecretName(name: string): boolean {
  let v = known.get(name);
  if (v === undefined) {
    const n = norm(name);
    v =
      SECRET_NAMES.has(n) ||
      SECRET_ENDINGS.test(n) ||
      n.startsWith('openaisentinel') ||
      /[-_]dx$/i.test(name);
    // Streams repeat a few hundred member names thousands of times: remember the answers (bounded).
    if (known.size > 4096) known.clear();
    known.set(name, v);
  }
  return v;
}
const known = new Map<string, boolean>();

/** `isSecretName`, plus names that are secrets only in URLs and forms. */
const isSecretParam = (name: string) => {
  let n = name;
  try {
    n = decodeURIComponent(name);
  } catch {}
  return isSecretName(n) || PARAM_NAMES.has(norm(n));
};

/** Headers whose whole value is a secret: every secret name, plus `x-api-key`-style names. */
export function isSecretHeader(name: string): boolean {
  return isSecretName(name);
}

/** `Bearer eyJ…` → `Bearer [redacted]`: keeps the scheme so the shape of the call stays visible. */
export function redactHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return redactText(value);
  const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

/** Header pairs with secret values redacted (names and order kept). */
export function redactHeaders(headers: [string, string][]): [string, string][] {
  return headers.map(([n, v]) => [n, redactHeaderValue(n, v)]);
}

// ---- JSON members by name, at any escape depth, across pieces --------------------------------------------

/**
 * Where a piece of text ended inside a secret JSON member: after its key (`colon`: the `:` is still to
 * come; `value`: the value is), or inside its value (`inside`: the marker was written, the rest of the
 * value is dropped as it arrives; `depth`/`str`/`bs` are the scanner's state). Only top-level (unescaped)
 * JSON is carried: JSON inside a JSON string cannot span lines.
 */
export type Carry =
  | null
  | { at: 'colon' | 'value' }
  | { at: 'inside'; depth: number; str: boolean; bs: number };

interface Scan {
  depth: number;
  str: boolean;
  bs: number;
}

/**
 * Skips a JSON value (string, object or array) written at escape level `k` (`k` backslashes before each
 * of its quotes: 0 in plain JSON, 1 in JSON inside a JSON string, 3 one level further). A quote counts
 * when the backslashes before it are `k` modulo `2k + 2` (more are escapes of a deeper level). Returns the
 * index after the value, or -1 when the text ends first (`s` then holds where it stopped).
 */
function skipValue(t: string, i: number, k: number, s: Scan): number {
  const m = 2 * k + 2;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 92) {
      s.bs++;
      continue;
    }
    const bs = s.bs;
    s.bs = 0;
    if (c === 34) {
      if (bs % m === k) {
        s.str = !s.str;
        if (!s.str && s.depth === 0) return i + 1;
      }
    } else if (!s.str) {
      if (c === 123 || c === 91) s.depth++;
      else if ((c === 125 || c === 93) && --s.depth <= 0) return i + 1;
    }
  }
  return -1;
}

// A quoted member name followed by its colon, at any escape level (the quote's backslashes repeated).
const KEY = /(\\*)"([^"\\\s]{1,128})\1"\s*:(?:\s|\\[nrt])*/g;
// A secret name ending a piece, its colon still to come (pretty printers may break there).
const KEY_AT_END = /"([^"\\\s]{1,128})"\s*$/;
const SCALAR = /[^,}\]\s\\"]*/y;

/**
 * Redacts secret JSON members in `t` (no carried state). Returns the text and the state to carry when
 * the text ends inside a secret member.
 */
function redactMembers(t: string): { text: string; carry: Carry } {
  // Every member key, and the key a piece may end on, is quoted.
  if (!t.includes('"')) return { text: t, carry: null };
  let out = '';
  let from = 0;
  let carry: Carry = null;
  KEY.lastIndex = 0;
  for (let m = KEY.exec(t); m; m = KEY.exec(t)) {
    if (!isSecretName(m[2] ?? '')) continue;
    const b = m[1] ?? '';
    const k = b.length;
    const at = KEY.lastIndex;
    const marker = `${b}"${REDACTED}${b}"`;
    let end: number;
    if (at === t.length) {
      if (k === 0) carry = { at: 'value' };
      break;
    }
    const c = t[at];
    if (c === '{' || c === '[' || t.startsWith(`${b}"`, at)) {
      const s: Scan = { depth: 0, str: false, bs: 0 };
      end = skipValue(t, at, k, s);
      if (end < 0) {
        out += t.slice(from, at) + marker;
        from = t.length;
        if (k === 0) carry = { at: 'inside', ...s };
        break;
      }
    } else {
      SCALAR.lastIndex = at;
      SCALAR.exec(t);
      end = SCALAR.lastIndex;
      const v = t.slice(at, end);
      if (v === '' || v === 'null' || v === 'true' || v === 'false') continue;
    }
    out += t.slice(from, at) + marker;
    from = end;
    KEY.lastIndex = end;
  }
  out += t.slice(from);
  if (!carry) {
    const tail = KEY_AT_END.exec(t);
    if (tail && isSecretName(tail[1] ?? '')) carry = { at: 'colon' };
  }
  return { text: out, carry };
}

/** Continues a secret member carried from the previous piece: returns what stays of `t`'s start. */
function resume(t: string, carry: Exclude<Carry, null>): { head: string; rest: string; carry: Carry } {
  let i = 0;
  if (carry.at === 'inside') {
    const s: Scan = { depth: carry.depth, str: carry.str, bs: carry.bs };
    const end = skipValue(t, 0, 0, s);
    return end < 0
      ? { head: '', rest: '', carry: { at: 'inside', ...s } }
      : { head: '', rest: t.slice(end), carry: null };
  }
  while (i < t.length && /\s/.test(t.charAt(i))) i++;
  if (i === t.length) return { head: t, rest: '', carry };
  if (carry.at === 'colon') {
    if (t[i] !== ':') return { head: '', rest: t, carry: null };
    i++;
    while (i < t.length && /\s/.test(t.charAt(i))) i++;
    if (i === t.length) return { head: t, rest: '', carry: { at: 'value' } };
  }
  // The value starts here: redact it as if key and value had come together.
  const joined = redactMembers(`"token":${t.slice(i)}`);
  return { head: t.slice(0, i), rest: joined.text.slice(8), carry: joined.carry };
}

// ---- shapes and name=value pairs -------------------------------------------------------------------------

// `Bearer <credential>`; a credential has a digit or is long, so prose ("a Bearer token") stays.
const BEARER = /\b(Bearer|bearer|BEARER)(\s+)(?=[\w.~+/-]*\d|[\w.~+/-]{16})[\w.~+/-]+=*/g;
// JWS (three segments) and JWE (five; the encrypted-key segment may be empty, as in next-auth's session
// token): a base64url JSON header `eyJ…` then dot-separated segments.
const JWT = /eyJ[\w-]{10,}\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?/g;
const FERNET = /gAAAAA[\w=-]{20,}/g;
// `name=value` in query strings, fragments, form bodies and cookies (also when echoed inside JSON).
const PAIR = /(^|[?&#;,\s"'])([\w.%-]{1,128})=([^&#;,\s"'\\]*)/g;
// A multipart field: its headers, a blank line, the value up to the next boundary.
const MULTIPART =
  /(Content-Disposition:[^\r\n]*\bname="([^"]*)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)[\s\S]*?(?=\r?\n--|$)/gi;
// A JSON string that is all base64 (at any escape level): maybe text wrapped for transport.
const BASE64 = /(\\*)"([A-Za-z0-9+/]{16,}={0,2})\1"/g;

/**
 * Base64 that decodes to UTF-8 text: decoded, redacted, re-encoded (same shape). Anything else (gzip,
 * images, random bytes) is returned unchanged: bytes are never rewritten by text rules.
 */
export function redactBase64(data: string, depth = 0): string {
  if (depth > 2 || data.length < 16) return data;
  let text: string;
  try {
    const bin = atob(data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return data;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mean bytes, not text
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) return data;
  const red = redactAll(text, depth + 1);
  if (red === text) return data;
  let bin = '';
  for (const b of new TextEncoder().encode(red)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The shape rules. Each runs only when the text holds what every one of its matches must contain (a
 * plain substring test, far cheaper than the expression): most header values, URLs and chunks skip
 * most rules, and the result is the same.
 */
function redactShapes(t: string, depth: number): string {
  let out = t;
  if (out.includes('earer') || out.includes('EARER')) out = out.replace(BEARER, `$1$2${REDACTED}`);
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
  if (out.includes('gAAAAA')) out = out.replace(FERNET, REDACTED);
  if (out.includes('=')) {
    out = out.replace(PAIR, (all, pre: string, name: string, value: string) =>
      value && isSecretParam(name) ? `${pre}${name}=${REDACTED}` : all,
    );
  }
  if (MULTIPART_HINT.test(out)) {
    out = out.replace(MULTIPART, (all, head: string, name: string) =>
      isSecretParam(name) ? head + REDACTED : all,
    );
  }
  if (out.includes('"')) {
    out = out.replace(BASE64, (all, b: string, data: string) => {
      const red = redactBase64(data, depth);
      return red === data ? all : `${b}"${red}${b}"`;
    });
  }
  return out;
}
/** What every MULTIPART match contains. */
const MULTIPART_HINT = /Content-Disposition:/i;

function redactAll(t: string, depth: number): string {
  return redactShapes(redactMembers(t).text, depth);
}

// ---- public entry points ---------------------------------------------------------------------------------

/**
 * Redacts one piece of a text stream given the state the previous piece left (`null` at the start),
 * and returns the redacted piece and the state for the next one. Pieces should end at line breaks (see
 * LineBuffer): shapes and `name=value` pairs are matched within a piece; only a secret JSON member may
 * span pieces, and it is caught wherever its key, colon and value fall.
 */
export function redactPiece(text: string, carry: Carry): { text: string; carry: Carry } {
  let head = '';
  let t = text;
  let next = carry;
  if (next) {
    const r = resume(t, next);
    head = r.head;
    t = r.rest;
    next = r.carry;
    // A carry out of `resume` means the secret value runs past this piece: what `rest` holds was already
    // redacted with the value (an array or object opened here), and re-scanning it would drop the carry.
    if (next) return { text: redactShapes(head + t, 0), carry: next };
  }
  const m = redactMembers(t);
  return { text: redactShapes(head + m.text, 0), carry: m.carry ?? null };
}

/** Redacts a whole text (a body, a frame, a header value, an error message). */
export function redactText(text: string): string {
  return redactAll(text, 0);
}

/**
 * Redacts `text`, which came right after `previous` in the same body (the background's view of a stream:
 * one stored chunk after another). Only the state `previous` itself leaves is known: a secret member that
 * began two or more pieces earlier is the hook's to catch (and the exporter's, which redacts whole bodies).
 */
export function redactAfter(previous: string, text: string): string {
  return redactPiece(text, redactMembers(previous).carry).text;
}

/**
 * A request body: `redactText`, plus the sentinel proof config `{"p": "gAAAAAC…"}`, which is secret only
 * on sentinel URLs (v1 deltas use `p` for paths).
 */
export function redactBody(url: string, body: string): string {
  const out = redactText(body);
  return /\/sentinel\//.test(url) ? out.replace(/("p"\s*:\s*)"(?:[^"\\]|\\.)*"/g, `$1"${REDACTED}"`) : out;
}

/** A URL (call, page, socket or `Location`): secret query and fragment parameters, tokens in the path. */
export function redactUrl(url: string): string {
  return redactText(url);
}
