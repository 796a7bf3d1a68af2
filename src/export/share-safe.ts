/**
 * Share-safe exports: what is left after this pass can be published to show a flow's structure and
 * timings. Secrets are already redacted when captured; this pass also replaces
 *
 * - prompt and reply text wherever it travels: conversation request bodies (messages[].content.parts,
 *   suggestions), prepare's partial_query, streams (legacy snapshots, v1 `add` roots, append deltas and
 *   patch ops, title frames, input_message echoes), gen_title and conversation lists/histories, the page
 *   title in CES events, prompt-library entries, `?q=` in URLs;
 * - identifying values (docs/protocol.md §8): e-mails, names, avatar URLs, user/account/workspace/
 *   subscription/organization ids, device ids (oai-device-id, device_id, stableID, anonymousId), session
 *   ids (oai-session-id, sid, sessionID), client IPs, intercom_hash, phone numbers
 *
 * with placeholders such as `[text-12]` or `[device-1]`. The same value always gets the same placeholder
 * within one export, so a reader still sees that two calls carried the same device id or the same prompt.
 *
 * Conversation ids, message ids, request ids (cf-ray, x-oai-request-id), turn trace ids and call/page
 * session ids are kept: they are random, identify no person, cannot be used without the account's
 * credentials, and they are the links that make the flow analysable.
 *
 * Values are found by where they are (header names, JSON member names and their parents, URL parameter
 * names, the v1 delta path), then every identifier learned that way is also replaced wherever else it
 * appears as plain text (an e-mail in a URL, a device id in a telemetry property). The exporter runs a
 * learning pass over headers, URLs and small bodies first, so identifiers are known before any output.
 * Bodies that cannot be parsed where content lives (a truncated send, a gzip Statsig batch, a binary
 * body) are replaced entirely: when in doubt, remove.
 */
import { isRecord, type JsonRecord, setOwn } from '../protocol/json';
import { isEventStream } from '../store/call-facts';
import type { StoredCall, StoredChunk } from '../store/schema';
import { parseSseBlock, splitSseBlocks, timedBlocks } from './sse-blocks';

export type Category =
  | 'text'
  | 'email'
  | 'name'
  | 'user'
  | 'device'
  | 'session'
  | 'account'
  | 'workspace'
  | 'ip'
  | 'hash'
  | 'phone'
  | 'avatar';

export const REMOVED_BINARY = '[binary body removed (share-safe)]';

/** JSON member / header / parameter names, lower-cased without `-` and `_`. */
const norm = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

const ID_KEYS: ReadonlyMap<string, Category> = new Map([
  ['email', 'email'],
  ['emailaddress', 'email'],
  ['useremail', 'email'],
  ['owneremail', 'email'],
  ['fullname', 'name'],
  ['firstname', 'name'],
  ['lastname', 'name'],
  ['givenname', 'name'],
  ['familyname', 'name'],
  ['displayname', 'name'],
  ['username', 'name'],
  ['nickname', 'name'],
  ['userid', 'user'],
  ['uid', 'user'],
  ['accountuserid', 'user'],
  ['usrid', 'user'],
  ['deviceid', 'device'],
  ['oaideviceid', 'device'],
  ['oaidid', 'device'],
  ['did', 'device'],
  ['stableid', 'device'],
  ['anonymousid', 'device'],
  ['anonid', 'device'],
  ['sessionid', 'session'],
  ['sid', 'session'],
  ['oaisessionid', 'session'],
  ['accountid', 'account'],
  ['chatgptaccountid', 'account'],
  ['accountordering', 'account'],
  ['organizationid', 'account'],
  ['orgid', 'account'],
  ['subscriptionid', 'account'],
  ['customerid', 'account'],
  ['workspaceid', 'workspace'],
  ['ip', 'ip'],
  ['ipaddress', 'ip'],
  ['ipaddr', 'ip'],
  ['clientip', 'ip'],
  ['remoteip', 'ip'],
  ['intercomhash', 'hash'],
  ['userhash', 'hash'],
  ['phone', 'phone'],
  ['phonenumber', 'phone'],
  ['image', 'avatar'],
  ['picture', 'avatar'],
  ['avatar', 'avatar'],
  ['avatarurl', 'avatar'],
  ['profilepictureurl', 'avatar'],
  ['profileimageurl', 'avatar'],
]);

/** Parents whose `id` / `name` are a person's, an account's or a session's. */
const ID_PARENTS: ReadonlyMap<string, Category> = new Map([
  ['user', 'user'],
  ['usr', 'user'],
  ['owner', 'user'],
  ['profile', 'user'],
  ['member', 'user'],
  ['creator', 'user'],
  ['traits', 'user'],
  ['session', 'session'],
  ['account', 'account'],
  ['accounts', 'account'],
  ['organization', 'account'],
  ['org', 'account'],
  ['subscription', 'account'],
  ['entitlement', 'account'],
  ['lastactivesubscription', 'account'],
  ['workspace', 'workspace'],
  ['device', 'device'],
]);

/** Members whose strings are prompt, reply or page text. */
const TEXT_KEYS: ReadonlySet<string> = new Set([
  'parts',
  'text',
  'content',
  'title',
  'partialquery',
  'suggestions',
  'prompt',
  'description',
  'snippet',
  'summary',
  'query',
  'queries',
  'searchquery',
  'search',
  'matchedtext',
  'alt',
  'caption',
  'message',
  'instructions',
  'aboutusermessage',
  'aboutmodelmessage',
  'safeurls',
  'blockedurls',
  'attribution',
  'subtitle',
]);

const URL_KEYS: ReadonlySet<string> = new Set([
  'url',
  'href',
  'referrer',
  'referer',
  'pageurl',
  'link',
  'uri',
]);

/** Query parameters that carry text (`/?q=` prefills a prompt). */
const TEXT_PARAMS: ReadonlySet<string> = new Set(['q', 'query', 'prompt', 'text', 'title', 'search']);

const ID_HEADERS: ReadonlyMap<string, Category> = new Map([
  ['oai-device-id', 'device'],
  ['oai-session-id', 'session'],
  ['chatgpt-account-id', 'account'],
  ['openai-organization', 'account'],
  ['openai-project', 'account'],
  ['x-forwarded-for', 'ip'],
  ['x-real-ip', 'ip'],
  ['cf-connecting-ip', 'ip'],
  ['true-client-ip', 'ip'],
  ['x-client-ip', 'ip'],
]);
const URL_HEADERS: ReadonlySet<string> = new Set(['referer', 'origin', 'location']);

/** v1 delta paths whose string values are structure, not text (status, roles, channels, models). */
const STRUCTURAL_LEAVES: ReadonlySet<string> = new Set([
  'status',
  'endturn',
  'recipient',
  'channel',
  'role',
  'contenttype',
  'modelslug',
  'defaultmodelslug',
  'type',
  'finishdetails',
  'stop',
  'messagetype',
]);

/** Kinds whose bodies hold conversation content: unparseable bodies there are removed, not kept. */
const CONTENT_KINDS: ReadonlySet<string> = new Set([
  'conversation',
  'conversation_prepare',
  'gen_title',
  'conversation_get',
  // A rename's body is the new title: conversation content.
  'conversation_update',
  'conversations_list',
  'prompt_library',
  'ces',
  'statsig',
  'auth_session',
  'accounts_check',
  'websocket',
]);

const NAME_STOPLIST = new Set([
  'user',
  'chatgpt',
  'openai',
  'assistant',
  'system',
  'tool',
  'default',
  'null',
]);

const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const USER_ID = /\buser-[A-Za-z0-9]{12,}/g;
const ORG_ID = /\borg-[A-Za-z0-9]{12,}/g;

/** A compact key for a long text: its length and two FNV-1a hashes (collisions are not a practical risk). */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return `#${text.length}:${a.toString(36)}:${b.toString(36)}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The placeholder table of one export. */
export class Pseudonyms {
  private readonly tables = new Map<Category, Map<string, string>>();
  /** Identifiers replaced wherever they appear as text, and names (replaced as whole words). */
  private readonly literals = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private literalRe: RegExp | null = null;
  private nameRe: RegExp | null = null;
  private stale = false;

  get(category: Category, value: string): string {
    const key =
      category === 'email'
        ? value.replace(/%40/g, '@').toLowerCase()
        : // Legacy streams repeat the whole answer so far in every event: keying the table by long texts
          // themselves would hold O(n²) characters for one long reply.
          value.length > 64
          ? digest(value)
          : value;
    let table = this.tables.get(category);
    if (!table) {
      table = new Map();
      this.tables.set(category, table);
    }
    let placeholder = table.get(key);
    if (placeholder === undefined) {
      placeholder = `[${category}-${table.size + 1}]`;
      table.set(key, placeholder);
      this.remember(category, value, placeholder);
    }
    return placeholder;
  }

  /** How many distinct values of a category were replaced (for tests and the export's summary). */
  count(category: Category): number {
    return this.tables.get(category)?.size ?? 0;
  }

  private remember(category: Category, value: string, placeholder: string) {
    if (category === 'text') return; // text is replaced where it is, never as a substring of other text
    if (category === 'name') {
      const v = value.trim();
      if (v.length >= 3 && !NAME_STOPLIST.has(v.toLowerCase())) {
        this.names.set(v, placeholder);
        this.stale = true;
      }
      return;
    }
    // Short or word-like values ("default", "1") would mangle unrelated text; they are still replaced
    // where they were found, just not searched for elsewhere.
    if (value.length >= 12 || (value.length >= 6 && /\d/.test(value))) {
      this.literals.set(value, placeholder);
      this.stale = true;
    }
  }

  private rebuild() {
    this.stale = false;
    const alt = (values: Iterable<string>) =>
      [...values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|');
    this.literalRe = this.literals.size > 0 ? new RegExp(alt(this.literals.keys()), 'g') : null;
    this.nameRe =
      this.names.size > 0
        ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alt(this.names.keys())})(?![\\p{L}\\p{N}_])`, 'gu')
        : null;
  }

  /** Replaces e-mails, user/org ids and every identifier learned so far inside free text. */
  replaceKnown(text: string): string {
    if (text.length === 0) return text;
    let out = text
      .replace(EMAIL, (m) => this.get('email', m))
      .replace(USER_ID, (m) => this.get('user', m))
      .replace(ORG_ID, (m) => this.get('account', m));
    if (this.stale) this.rebuild();
    if (this.literalRe) out = out.replace(this.literalRe, (m) => this.literals.get(m) ?? m);
    if (this.nameRe) out = out.replace(this.nameRe, (m) => this.names.get(m) ?? m);
    return out;
  }
}

/** Where a JSON value sits: its member name and its parent's (both normalized). */
interface Place {
  key: string | null;
  parent: string | null;
}

/**
 * v1 delta state of one stream: bare frames inherit the previous path and operation (docs/protocol.md §6.2).
 */
interface DeltaState {
  p: string | null;
  o: string | null;
}

interface Ctx {
  kind: string;
  /** Replace `url` members entirely (search results and citations reveal what was asked). */
  contentUrls: boolean;
  delta: DeltaState;
}

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

function decodeBase64Utf8(b64: string): string | null {
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return null;
  }
}

function encodeBase64Utf8(text: string): string {
  const bytes = utf8.encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

export class ShareSafe {
  readonly pseudonyms = new Pseudonyms();

  /**
   * Learning pass: reads what identifies someone without producing output, so that the writing pass
   * already knows every identifier before it writes the first call. Headers, URLs and request bodies
   * come with the call; `chunks` are given for small bodies that carry identities (session, accounts).
   */
  learn(call: StoredCall, chunks: readonly StoredChunk[] | null): void {
    this.scrubCall(call, chunks ?? []);
  }

  scrubCall(call: StoredCall, chunks: readonly StoredChunk[]): { call: StoredCall; chunks: StoredChunk[] } {
    const ctx: Ctx = {
      kind: call.kind,
      contentUrls: call.kind === 'conversation' || call.kind === 'conversation_get',
      delta: { p: null, o: null },
    };
    const out: StoredCall = {
      ...call,
      url: this.scrubUrl(call.url),
      pageUrl: this.scrubUrl(call.pageUrl),
      requestHeaders: this.scrubHeaders(call.requestHeaders),
    };
    if (call.responseHeaders) out.responseHeaders = this.scrubHeaders(call.responseHeaders);
    if (call.error !== undefined) out.error = this.pseudonyms.replaceKnown(call.error);
    if (call.requestBody !== null) {
      if (call.requestBodyEncoding === 'base64') {
        out.requestBody = REMOVED_BINARY;
        out.requestBodyEncoding = 'text';
      } else {
        out.requestBody = this.scrubBody(call.requestBody, ctx, call.requestTruncated);
      }
    }
    return { call: out, chunks: this.scrubResponse(out, call, chunks, ctx) };
  }

  private scrubResponse(
    out: StoredCall,
    call: StoredCall,
    chunks: readonly StoredChunk[],
    ctx: Ctx,
  ): StoredChunk[] {
    if (chunks.length === 0) return [];
    const callId = call.callId;
    const inbound = [...chunks].filter((c) => c.direction !== 'out').sort((a, b) => a.seq - b.seq);
    const last = inbound.at(-1) ?? chunks.at(-1);
    const totalBytes = inbound.reduce((n, c) => n + c.bytes, 0);

    if (call.transport === 'websocket') {
      // Frames stay frames (their times are the flow); each one is scrubbed on its own.
      return chunks.map((c) => ({ ...c, data: this.scrubFrame(c.data, ctx) }));
    }
    if (call.responseBodyEncoding === 'base64') {
      out.responseBodyEncoding = 'text';
      return [{ callId, seq: 0, time: last?.time ?? 0, bytes: totalBytes, data: REMOVED_BINARY }];
    }
    if (isEventStream(call)) {
      // Re-chunked at event boundaries: an event split across two reads can only be rewritten whole.
      // Each event keeps the arrival time of the read that completed it and its original size on the wire.
      const blocks = timedBlocks(inbound);
      const sizes = blocks.map((b) => byteLength(b.data));
      // The chunks' byte counts are the wire's, before redaction shortened tokens: spread them over the
      // events so the body's total size stays the recorded one.
      const seen = sizes.reduce((n, b) => n + b, 0);
      let left = totalBytes;
      return blocks.map((b, seq) => {
        const share =
          seq === blocks.length - 1
            ? left
            : Math.min(left, Math.round(((sizes[seq] ?? 0) * totalBytes) / (seen || 1)));
        left -= share;
        return { callId, seq, time: b.time, bytes: share, data: this.scrubSseBlock(b.data, ctx) };
      });
    }
    const body = inbound.map((c) => c.data).join('');
    return [
      {
        callId,
        seq: 0,
        time: last?.time ?? 0,
        bytes: totalBytes,
        data: this.scrubBody(body, ctx, call.truncated === true),
      },
    ];
  }

  scrubHeaders(headers: readonly [string, string][]): [string, string][] {
    return headers.map(([name, value]) => {
      const n = name.toLowerCase();
      const category = ID_HEADERS.get(n);
      if (category) return [name, value === '' ? value : this.pseudonyms.get(category, value)];
      if (URL_HEADERS.has(n)) return [name, this.scrubUrl(value)];
      return [name, this.pseudonyms.replaceKnown(value)];
    });
  }

  /** Keeps scheme, host and path (conversation ids are structure); rewrites identifying/text parameters. */
  scrubUrl(url: string): string {
    if (url === '') return url;
    const q = url.indexOf('?');
    const h = url.indexOf('#', q === -1 ? 0 : q);
    const base = url.slice(0, q === -1 ? (h === -1 ? url.length : h) : q);
    const query = q === -1 ? '' : url.slice(q + 1, h === -1 ? url.length : h);
    const hash = h === -1 ? '' : url.slice(h);
    let out = this.pseudonyms.replaceKnown(base);
    if (q !== -1) out += `?${this.scrubQuery(query)}`;
    if (hash) out += this.pseudonyms.replaceKnown(hash);
    return out;
  }

  private scrubQuery(query: string): string {
    return query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return this.pseudonyms.replaceKnown(pair);
        const rawName = pair.slice(0, eq);
        const rawValue = pair.slice(eq + 1);
        let name = rawName;
        let value = rawValue;
        try {
          name = decodeURIComponent(rawName.replace(/\+/g, ' '));
          value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
        } catch {}
        if (value === '') return pair;
        const n = norm(name);
        const category = ID_KEYS.get(n);
        if (category) return `${rawName}=${this.pseudonyms.get(category, value)}`;
        if (TEXT_PARAMS.has(n)) return `${rawName}=${this.pseudonyms.get('text', value)}`;
        return `${rawName}=${this.pseudonyms.replaceKnown(rawValue)}`;
      })
      .join('&');
  }

  /** A whole text body: JSON, NDJSON, a form, or something else. */
  private scrubBody(body: string, ctx: Ctx, truncated: boolean): string {
    if (body.length === 0) return body;
    const trimmed = body.trim();
    if (!truncated && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
      try {
        return JSON.stringify(this.walk(JSON.parse(trimmed) as unknown, { key: null, parent: null }, ctx));
      } catch {}
      // NDJSON (Datadog logs through telemetry/intake): one document per line.
      const lines = body.split('\n');
      if (lines.length > 1) {
        const scrubbed: string[] = [];
        for (const line of lines) {
          if (line.trim() === '') {
            scrubbed.push(line);
            continue;
          }
          try {
            scrubbed.push(
              JSON.stringify(this.walk(JSON.parse(line) as unknown, { key: null, parent: null }, ctx)),
            );
          } catch {
            scrubbed.push(this.pseudonyms.get('text', line));
          }
        }
        return scrubbed.join('\n');
      }
    }
    if (!truncated && /^[\w.%+-]+=[^\s]*$/.test(trimmed)) return this.scrubQuery(trimmed);
    // Not parseable where content may live (a cut send, an HTML error page in a conversation call…): the
    // whole body goes. Elsewhere free text keeps its shape minus known identifiers.
    if (CONTENT_KINDS.has(ctx.kind) || truncated) return this.pseudonyms.get('text', body);
    return this.pseudonyms.replaceKnown(body);
  }

  private walk(value: unknown, place: Place, ctx: Ctx): unknown {
    if (typeof value === 'string') return this.scrubString(value, place, ctx);
    if (typeof value === 'number') {
      const category = this.idCategory(place);
      return category ? this.pseudonyms.get(category, String(value)) : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, place, ctx));
    if (isRecord(value)) {
      const out: JsonRecord = {};
      for (const [k, v] of Object.entries(value)) {
        const key = norm(k);
        setOwn(out, this.scrubKey(k, place), this.walk(v, { key, parent: place.key }, ctx));
      }
      return out;
    }
    return value;
  }

  /** Object keys can be identifiers too: accounts/check is keyed by account id. */
  private scrubKey(key: string, parentPlace: Place): string {
    if (parentPlace.key === 'accounts' && key !== 'default') return this.pseudonyms.get('account', key);
    return this.pseudonyms.replaceKnown(key);
  }

  private idCategory(place: Place): Category | null {
    const { key, parent } = place;
    if (key === null) return null;
    const direct = ID_KEYS.get(key);
    if (direct) return direct;
    if (key === 'id' && parent !== null) return ID_PARENTS.get(parent) ?? null;
    if (key === 'name' && parent !== null && ID_PARENTS.has(parent)) return 'name';
    return null;
  }

  private scrubString(value: string, place: Place, ctx: Ctx): string {
    if (value === '') return value;
    const category = this.idCategory(place);
    if (category) return this.pseudonyms.get(category, value);
    const { key, parent } = place;
    if (key !== null) {
      if (key === 'name') {
        // A tool's name (author of a tool message) and a library's are structure; other names may be anyone's.
        return parent === 'author' || parent === 'library' ? value : this.pseudonyms.get('text', value);
      }
      if (TEXT_KEYS.has(key)) return this.pseudonyms.get('text', value);
      if (key === 'encodeditem') return this.scrubSseText(value, ctx);
      if (key === 'body' && ctx.kind === 'websocket') {
        const text = decodeBase64Utf8(value);
        return text === null
          ? this.pseudonyms.get('text', value)
          : encodeBase64Utf8(this.scrubSseText(text, ctx));
      }
      if (URL_KEYS.has(key))
        return ctx.contentUrls ? this.pseudonyms.get('text', value) : this.scrubUrl(value);
    }
    return this.pseudonyms.replaceKnown(value);
  }

  /** One WebSocket frame: JSON envelopes (Azure, ws.chatgpt.com) are walked; anything else is dropped. */
  private scrubFrame(data: string, ctx: Ctx): string {
    const t = data.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return JSON.stringify(this.walk(JSON.parse(t) as unknown, { key: null, parent: null }, ctx));
      } catch {}
    }
    return data === '' ? data : this.pseudonyms.get('text', data);
  }

  /** SSE text that may not be cut at event boundaries (inside WebSocket frames): line by line. */
  private scrubSseText(text: string, ctx: Ctx): string {
    return splitSseBlocks(text)
      .map((b) => this.scrubSseBlock(b, ctx))
      .join('');
  }

  /** One event block: `data:` is rewritten (compact JSON on one line), other fields kept. */
  private scrubSseBlock(block: string, ctx: Ctx): string {
    const eol = /\r\n|\r|\n/.exec(block)?.[0] ?? '\n';
    const lines = block.split(/\r\n|\r|\n/);
    const fields = parseSseBlock(block);
    const out: string[] = [];
    let dataWritten = false;
    for (const line of lines) {
      if (line.startsWith('data:') || line === 'data') {
        if (!dataWritten) {
          out.push(`data: ${this.scrubSseData(fields.data, fields.event, ctx)}`);
          dataWritten = true;
        }
      } else if (line.startsWith(':')) {
        out.push(line.length > 1 ? `:${this.pseudonyms.replaceKnown(line.slice(1))}` : line);
      } else if (line === '' || /^(?:event|id|retry)(?::|$)/.test(line)) {
        out.push(line);
      } else {
        // Not a field line: the continuation of a line cut by a frame boundary. Its content is unknown.
        out.push(this.pseudonyms.get('text', line));
      }
    }
    return out.join(eol);
  }

  private scrubSseData(data: string, event: string | undefined, ctx: Ctx): string {
    const t = data.trim();
    if (t === '[DONE]' || t === '') return data;
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      // 2023 pings carry a timestamp; anything else unparseable may be a cut piece of text.
      return event === 'ping' ? data : this.pseudonyms.get('text', data);
    }
    if (typeof parsed === 'string') {
      return event === 'delta_encoding' ? data : JSON.stringify(this.pseudonyms.get('text', parsed));
    }
    if (isRecord(parsed) && isDeltaFrame(parsed, event)) return JSON.stringify(this.scrubDelta(parsed, ctx));
    return JSON.stringify(this.walk(parsed, { key: null, parent: null }, ctx));
  }

  /** A v1 delta (docs/protocol.md §6.2): what a string `v` is depends on the (possibly inherited) path. */
  private scrubDelta(frame: JsonRecord, ctx: Ctx): JsonRecord {
    const state = ctx.delta;
    const p = typeof frame.p === 'string' ? frame.p : state.p;
    const o = typeof frame.o === 'string' ? frame.o : state.o;
    if (typeof frame.p === 'string') state.p = frame.p;
    if (typeof frame.o === 'string') state.o = frame.o;
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(frame)) {
      if (k !== 'v') setOwn(out, k, v);
    }
    if (!Object.hasOwn(frame, 'v')) return out;
    const v = frame.v;
    if (o === 'patch' && Array.isArray(v)) {
      setOwn(
        out,
        'v',
        v.map((op) => {
          if (!isRecord(op)) return this.walk(op, { key: null, parent: null }, ctx);
          const copy: JsonRecord = {};
          for (const [k, x] of Object.entries(op)) setOwn(copy, k, x);
          // Nested ops carry their own path (rule 4); an op without one is of unknown meaning: treat as text.
          if (Object.hasOwn(op, 'v')) {
            setOwn(copy, 'v', this.scrubDeltaValue(typeof op.p === 'string' ? op.p : null, op.v, ctx));
          }
          return copy;
        }),
      );
    } else {
      setOwn(out, 'v', this.scrubDeltaValue(p, v, ctx));
    }
    return out;
  }

  private scrubDeltaValue(path: string | null, v: unknown, ctx: Ctx): unknown {
    const segments = (path ?? '')
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => norm(s.replace(/~1/g, '/').replace(/~0/g, '~')));
    const named = segments.filter((s) => !/^\d+$|^-$/.test(s));
    const key = named.at(-1) ?? null;
    const parent = named.at(-2) ?? null;
    if (typeof v === 'string') {
      if (v === '') return v;
      // Unknown path (a resumed stream's first bare frame) or anything under content: the answer text.
      if (path === null || path === '' || segments.includes('content') || segments.includes('parts')) {
        return key === 'contenttype' ? v : this.pseudonyms.get('text', v);
      }
      if (key !== null && STRUCTURAL_LEAVES.has(key)) return v;
      return this.scrubString(v, { key, parent }, ctx);
    }
    return this.walk(v, { key, parent }, ctx);
  }
}

function isDeltaFrame(obj: JsonRecord, event: string | undefined): boolean {
  if (event === 'delta') return true;
  if (Object.hasOwn(obj, 'type') || Object.hasOwn(obj, 'message')) return false;
  return Object.hasOwn(obj, 'v') || Object.hasOwn(obj, 'o') || Object.hasOwn(obj, 'p');
}
