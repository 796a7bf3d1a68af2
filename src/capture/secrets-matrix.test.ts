/**
 * The canary matrix: unique canary secrets planted in every kind of secret × every carrier the page hook
 * records (fetch/XHR/beacon request and response bodies as JSON, text, form, multipart and SSE streams,
 * WebSocket text and base64-wrapped frames, URL query and fragment, the page URL, request and response
 * headers), run through the pipeline as far as unit tests reach: the hook's redaction and line buffer as
 * the hook uses them (hook.ts cannot run outside a browser), the background service (event validation,
 * redaction, `applyEvents` into fake-indexeddb), then JSON and HAR exports with and without share-safe.
 * No canary may survive anywhere, also not inside base64; ordinary content must survive untouched.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { exportToText } from '../export/export';
import { allCalls, type CaptureDb, getChunks, openCaptureDb } from '../store/db';
import { createService } from '../store/service';
import type { CallChunk, CallStart, CaptureEvent } from './events';
import { LineBuffer } from './line-buffer';
import { redactBody, redactHeaders, redactText, redactUrl } from './redact';

// ---- canaries ---------------------------------------------------------------------------------------

/** Each placement gets its own canary, so a leak names the placement. Alphanumeric: valid in any syntax. */
let next = 0;
const canaries = new Map<string, string>();
function canary(placement: string): string {
  const c = `CNRY${String(++next).padStart(4, '0')}Zq7Wv2Lk9Hx4`;
  canaries.set(c, placement);
  return c;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** A JWE compact serialization as next-auth writes its session token: empty encrypted-key segment. */
const jwe = (c: string) =>
  `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..9sXfq1yZkGMX7Tb2.${c}Qf3Rk8Ls.Uo5Pj2Nn4Mq`;
/** A JWS (three segments). */
const jws = (c: string) => `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.${c}Sg8Kd`;

/** Non-secret content that must reach the store and a plain export unchanged. */
const KEEP = {
  prose: 'A token of appreciation: the word token, a Bearer of news, and token counts.',
  messageId: 'msg-5b1c9e0a-7d3f-4c2e-9a8b-1f6e2d4c3b5a',
  model: 'gpt-4o-mini-2024-07-18',
};
const keepJson = `"id":"${KEEP.messageId}","model_slug":"${KEEP.model}","text":"${KEEP.prose}"`;

// ---- secret kinds, per syntax -----------------------------------------------------------------------

/** JSON members (compact) that carry a secret. */
const JSON_KINDS: Record<string, (c: string) => string> = {
  authorization: (c) => `"authorization":"Bearer ${c}"`,
  bearerInText: (c) => `"note":"called with Bearer ${c} as header"`,
  accessToken: (c) => `"accessToken":"${c}"`,
  accessTokenKebab: (c) => `"access-token":"${c}"`,
  idToken: (c) => `"id_token":"${c}"`,
  refreshToken: (c) => `"refresh_token":"${c}"`,
  sessionToken: (c) => `"session_token":"${c}"`,
  resumeToken: (c) => `"resume_token":"${c}"`,
  resumeConversationToken: (c) => `"resume_conversation_token":"${c}"`,
  v1ResumeFrame: (c) => `"type":"resume_conversation_token","token":"${c}"`,
  apiKey: (c) => `"apiKey":"${c}"`,
  clientSecret: (c) => `"client_secret":"${c}"`,
  password: (c) => `"password":"${c}"`,
  cookieEcho: (c) => `"echo":"__Secure-next-auth.session-token=${c}; Path=/; Secure"`,
  jwe: (c) => `"blob":"${jwe(c)}"`,
  jws: (c) => `"blob":"${jws(c)}"`,
  sentinelHeaderKey: (c) => `"openai-sentinel-proof-token":"${c}"`,
  conduitHeaderKey: (c) => `"x-conduit-token":"${c}"`,
  turnstileObject: (c) => `"turnstile":{"required":true,"seed":"${c}","n":[1,{"x":"${c}"}]}`,
  nestedJsonString: (c) => `"payload":${JSON.stringify(JSON.stringify({ deep: { accessToken: c } }))}`,
  doubleNested: (c) =>
    `"payload":${JSON.stringify(JSON.stringify({ inner: JSON.stringify({ refresh_token: c }) }))}`,
  urlFragment: (c) => `"redirect":"https://chatgpt.com/cb#access_token=${c}&state=ok"`,
  base64Json: (c) => `"body":"${b64(`data: {"accessToken":"${c}"}\n\n`)}"`,
};

/** Plain-text placements (text/plain bodies, SSE comments, text frames). */
const TEXT_KINDS: Record<string, (c: string) => string> = {
  bearer: (c) => `GET /x\nAuthorization: Bearer ${c}\n`,
  sessionCookie: (c) => `cookie was __Secure-next-auth.session-token=${c}; other=1\n`,
  jwe: (c) => `token ${jwe(c)} end\n`,
  accessTokenParam: (c) => `see https://chatgpt.com/cb?x=1&access_token=${c}\n`,
};

/** Form field names that carry a secret. */
const FORM_NAMES = [
  'access_token',
  'accessToken',
  'id_token',
  'refresh_token',
  'password',
  'api_key',
  'client_secret',
  'resume_token',
];

/** URL parameter names that carry a secret (query and fragment). */
const URL_NAMES = ['access_token', 'accessToken', 'id_token', 'refresh_token', 'resume_token', 'verify'];

// ---- the hook, as hook.ts uses the redaction module ---------------------------------------------------

interface Spec {
  transport: CallStart['transport'];
  method?: string;
  url?: string;
  pageUrl?: string;
  requestHeaders?: [string, string][];
  /** Text body (as fetch/XHR/beacon give it) or FormData entries (hook.ts `bodyOf` encodes them). */
  requestBody?: string | { form: [string, string][] };
  responseHeaders?: [string, string][];
  /** A streamed text body, as the reads arrive. */
  reads?: string[];
  /** WebSocket frames. */
  frames?: { data: string; direction: 'in' | 'out' }[];
}

let callNo = 0;
/** The events the page hook emits for a call (hook.ts `start`, `responseEvent`, `BodyRecorder`). */
function hookEvents(spec: Spec): CaptureEvent[] {
  const callId = `call-${++callNo}`;
  const url = spec.url ?? 'https://chatgpt.com/backend-api/x';
  const raw = spec.requestBody;
  const text =
    raw === undefined
      ? null
      : typeof raw === 'string'
        ? raw
        : raw.form.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const events: CaptureEvent[] = [
    {
      type: 'start',
      callId,
      pageSessionId: 'page-1',
      transport: spec.transport,
      method: spec.method ?? 'POST',
      url: redactUrl(url),
      pageUrl: redactUrl(spec.pageUrl ?? 'https://chatgpt.com/'),
      requestHeaders: redactHeaders(spec.requestHeaders ?? []),
      requestBody: text === null ? null : redactBody(url, text),
      requestBodyEncoding: 'text',
      requestTruncated: false,
      startTime: 1000 + callNo,
    },
    {
      type: 'response',
      callId,
      status: 200,
      statusText: 'OK',
      responseHeaders: redactHeaders(spec.responseHeaders ?? []),
      responseBodyEncoding: 'text',
      headersTime: 1001 + callNo,
    },
  ];
  let seq = 0;
  const chunk = (data: string, direction?: 'in' | 'out'): CallChunk => {
    const e: CallChunk = { type: 'chunk', callId, seq: seq++, time: 1002 + callNo, bytes: data.length, data };
    if (direction) e.direction = direction;
    return e;
  };
  if (spec.frames) {
    for (const f of spec.frames) events.push(chunk(redactText(f.data), f.direction));
  } else if (spec.reads) {
    events.push(...hookText(spec.reads).map((d) => chunk(d)));
  }
  events.push({
    type: 'end',
    callId,
    endTime: 1003 + callNo,
    outcome: 'complete',
    truncated: false,
    bodyBytes: 0,
    chunkCount: seq,
  });
  return events;
}

/** BodyRecorder in `text` mode: UTF-8 decoded per read, released at line breaks, redacted. */
function hookText(reads: readonly (string | Uint8Array)[]): string[] {
  const lines = new LineBuffer();
  const decoder = new TextDecoder();
  const out = reads.map((r) =>
    redactText(lines.push(typeof r === 'string' ? r : decoder.decode(r, { stream: true }))),
  );
  out.push(redactText(lines.push(decoder.decode()) + lines.end()));
  return out;
}

/** Cuts `text` into reads of `size` characters. */
const cut = (text: string, size: number) => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
};

// ---- placements -----------------------------------------------------------------------------------------

function placements(): Spec[] {
  const specs: Spec[] = [];
  const obj = (member: string) => `{${keepJson},${member},"n":1}`;
  for (const [kind, make] of Object.entries(JSON_KINDS)) {
    const c = () => canary(kind);
    specs.push(
      { transport: 'fetch', requestBody: obj(make(c())), reads: [obj(`"ok":true`)] },
      { transport: 'fetch', method: 'GET', reads: [obj(make(c()))] },
      { transport: 'fetch', reads: cut(`data: ${obj(make(c()))}\n\ndata: [DONE]\n\n`, 7) },
      {
        transport: 'fetch',
        reads: JSON.stringify(JSON.parse(obj(make(c()))), null, 2)
          .split(/(?<=\n)/)
          .flatMap((l) => cut(l, 5)),
      },
      { transport: 'xhr', requestBody: obj(make(c())), reads: cut(obj(make(c())), 11) },
      { transport: 'beacon', url: 'https://chatgpt.com/ces/v1/t', requestBody: obj(make(c())) },
      {
        transport: 'websocket',
        method: 'GET',
        url: 'wss://ws.chatgpt.com/ws/user/1',
        frames: [
          { data: obj(make(c())), direction: 'in' },
          { data: obj(make(c())), direction: 'out' },
          {
            data: `{"sequenceId":1,"type":"message","dataType":"json","data":{"type":"http.response.body","body":"${b64(
              `data: ${obj(make(c()))}\n\n`,
            )}","more_body":true}}`,
            direction: 'in',
          },
        ],
      },
    );
  }
  for (const [kind, make] of Object.entries(TEXT_KINDS)) {
    const c = () => canary(`text:${kind}`);
    specs.push(
      { transport: 'fetch', requestBody: `${KEEP.prose}\n${make(c())}` },
      { transport: 'fetch', reads: cut(`: ${make(c())}\ndata: {${keepJson}}\n\n`, 3) },
      { transport: 'xhr', reads: [make(c())] },
      { transport: 'beacon', requestBody: make(c()) },
      { transport: 'websocket', frames: [{ data: make(c()), direction: 'in' }] },
    );
  }
  for (const name of FORM_NAMES) {
    const c = () => canary(`form:${name}`);
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    specs.push(
      { transport: 'fetch', requestBody: `grant_type=x&${name}=${c()}&model=${KEEP.model}` },
      {
        transport: 'fetch',
        requestBody: {
          form: [
            [name, c()],
            ['model', KEEP.model],
          ],
        },
      },
      { transport: 'beacon', requestBody: `${name}=${c()}` },
      {
        transport: 'xhr',
        requestBody: {
          form: [
            ['a', '1'],
            [name, c()],
          ],
        },
      },
      {
        transport: 'fetch',
        requestBody:
          `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${KEEP.model}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${c()}\r\n--${boundary}--\r\n`,
        requestHeaders: [['content-type', `multipart/form-data; boundary=${boundary}`]],
      },
    );
  }
  for (const name of URL_NAMES) {
    const c = () => canary(`url:${name}`);
    specs.push(
      { transport: 'fetch', method: 'GET', url: `https://chatgpt.com/backend-api/x?a=1&${name}=${c()}&b=2` },
      { transport: 'fetch', method: 'GET', url: `https://chatgpt.com/auth/cb#${name}=${c()}&state=s` },
      { transport: 'xhr', pageUrl: `https://chatgpt.com/c/1#${name}=${c()}` },
      { transport: 'fetch', pageUrl: `https://chatgpt.com/?${name}=${c()}` },
      { transport: 'websocket', url: `wss://x.webpubsub.azure.com/client/hubs/h?${name}=${c()}`, frames: [] },
    );
  }
  const h = (kind: string) => canary(`header:${kind}`);
  specs.push({
    transport: 'fetch',
    requestHeaders: [
      ['Authorization', `Bearer ${h('authorization')}`],
      ['Cookie', `__Secure-next-auth.session-token=${h('cookie')}; oai-did=d`],
      ['OpenAI-Sentinel-Proof-Token', h('sentinel')],
      ['x-conduit-token', h('conduit')],
      ['x-debug', `Bearer ${h('bearer-other')}`],
      ['x-forwarded', jwe(h('jwe-other'))],
      ['referer', `https://chatgpt.com/cb#access_token=${h('referer')}`],
      ['oai-language', 'en-US'],
    ],
    responseHeaders: [
      ['set-cookie', `__Secure-next-auth.session-token.0=${h('set-cookie')}; Path=/`],
      ['x-conduit-token', h('conduit-resp')],
      ['location', `https://chatgpt.com/#id_token=${h('location')}`],
      ['x-oai-request-id', KEEP.messageId],
    ],
    reads: [`{${keepJson}}`],
  });
  // A pretty-printed /api/auth/session: key and value on different lines, and in different reads.
  const s = () => canary('pretty-session');
  const session = (c1: string, c2: string, c3: string) =>
    `{\n  "user": {\n    "id": "${KEEP.messageId}"\n  },\n  "accessToken":\n    "${c1}",\n  "sessionToken"\n    : "${c2}",\n  "turnstile": {\n    "seed": "${c3}",\n    "list": [\n      "${c3}"\n    ]\n  },\n  "model": "${KEEP.model}"\n}\n`;
  const body = session(s(), s(), s());
  specs.push({
    transport: 'fetch',
    url: 'https://chatgpt.com/api/auth/session',
    method: 'GET',
    reads: [body],
  });
  specs.push({
    transport: 'fetch',
    url: 'https://chatgpt.com/api/auth/session',
    method: 'GET',
    reads: session(s(), s(), s()).split(/(?<=\n)/),
  });
  specs.push({ transport: 'xhr', reads: cut(session(s(), s(), s()), 1) });
  return specs;
}

// ---- search ---------------------------------------------------------------------------------------------

/** The text plus everything base64 runs inside it decode to (two levels): a canary may hide there. */
function exposed(text: string, depth = 2): string {
  if (depth === 0) return text;
  const decoded: string[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const d = Buffer.from(m[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (/[{}=":]/.test(d)) decoded.push(exposed(d, depth - 1));
  }
  return [text, ...decoded].join('\n');
}

function leaked(text: string): string[] {
  const all = exposed(text);
  return [...canaries].filter(([c]) => all.includes(c)).map(([c, where]) => `${where} ${c}`);
}

async function dump(db: CaptureDb) {
  const calls = await allCalls(db);
  const chunks = await Promise.all(calls.map((c) => getChunks(db, c.callId)));
  return JSON.stringify({ calls, chunks });
}

/** Delivers events as the relay does (bundles of a few events, several batches) to a fresh service. */
async function store(events: CaptureEvent[], name: string, perBatch = 40) {
  const db = await openCaptureDb(name);
  const service = createService(async () => db);
  for (let b = 0; b < events.length; b += perBatch) {
    const bundles: string[] = [];
    const batch = events.slice(b, b + perBatch);
    for (let i = 0; i < batch.length; i += 7) bundles.push(JSON.stringify(batch.slice(i, i + 7)));
    const r = await service.handle(
      { name: 'capture/batch', body: { batchId: `b${b}`, events: bundles } },
      { tabId: 1, fromExtensionPage: false },
    );
    expect(r).toMatchObject({ ok: true, value: { rejected: 0 } });
  }
  return db;
}

async function exportsOf(db: CaptureDb) {
  const source = { allCalls: () => allCalls(db), chunks: (id: string) => getChunks(db, id) };
  const out: Record<string, string> = {};
  for (const format of ['json', 'har'] as const) {
    for (const shareSafe of [false, true]) {
      const { text } = await exportToText(source, {
        format,
        shareSafe,
        scope: { label: 'All', callIds: null },
      });
      out[`${format}${shareSafe ? ' share-safe' : ''}`] = text;
    }
  }
  return out;
}

// ---- tests ------------------------------------------------------------------------------------------------

describe('canary matrix: no secret survives the hook, the store or an export', () => {
  it('plants every secret kind in every carrier; none reaches IndexedDB or any export', async () => {
    const specs = placements();
    expect(canaries.size).toBeGreaterThanOrEqual(50);
    const events = specs.flatMap(hookEvents);
    const db = await store(events, 'matrix-hook');
    const stored = await dump(db);
    expect(leaked(stored), 'IndexedDB').toEqual([]);
    for (const [name, text] of Object.entries(await exportsOf(db))) {
      expect(leaked(text), name).toEqual([]);
      expect(text).toContain('[redacted]');
    }
    // Over-redaction is a bug too: ordinary content survives in the store and in a plain export.
    const plain = (await exportsOf(db)).json ?? '';
    for (const text of [stored, plain]) {
      for (const keep of [KEEP.prose, KEEP.messageId, KEEP.model, 'en-US', 'state=s']) {
        expect(text.includes(keep), keep).toBe(true);
      }
    }
  });

  it('the background alone catches everything when the hook did not redact (defence in depth)', async () => {
    const raw = placements().flatMap((spec) => {
      // The same calls, unredacted: what a hook without (or with a broken) redaction would send.
      const callId = `raw-${++callNo}`;
      const url = spec.url ?? 'https://chatgpt.com/backend-api/x';
      const body = spec.requestBody;
      const events: CaptureEvent[] = [
        {
          type: 'start',
          callId,
          pageSessionId: 'page-raw',
          transport: spec.transport,
          method: 'POST',
          url,
          pageUrl: spec.pageUrl ?? 'https://chatgpt.com/',
          requestHeaders: spec.requestHeaders ?? [],
          requestBody:
            body === undefined
              ? null
              : typeof body === 'string'
                ? body
                : body.form.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
          requestBodyEncoding: 'text',
          requestTruncated: false,
          startTime: 5,
        },
        {
          type: 'response',
          callId,
          status: 200,
          statusText: 'OK',
          responseHeaders: spec.responseHeaders ?? [],
          responseBodyEncoding: 'text',
          headersTime: 6,
        },
      ];
      // Cut at line ends, as the hook's line buffer would (values split across lines are the case here).
      const pieces = spec.frames?.map((f) => f.data) ?? (spec.reads ?? []).join('').split(/(?<=\n)/);
      pieces.forEach((data, seq) => {
        const e: CallChunk = { type: 'chunk', callId, seq, time: 7, bytes: data.length, data };
        const f = spec.frames?.[seq];
        if (f) e.direction = f.direction;
        events.push(e);
      });
      return events;
    });
    const db = await store(raw, 'matrix-raw');
    expect(leaked(await dump(db)), 'IndexedDB').toEqual([]);
  });

  it('the store catches a key and its value in different chunks, whatever order they arrive in', async () => {
    const c = canary('out-of-order');
    const lines = [
      '{\n',
      '  "accessToken":\n',
      `    "${c}",\n`,
      '  "sessionToken"\n',
      `    : "${c}"\n`,
      '}\n',
    ];
    const events: CaptureEvent[] = lines.map((data, seq) => ({
      type: 'chunk',
      callId: 'ooo',
      seq,
      time: 1,
      bytes: data.length,
      data,
    }));
    // One chunk per batch, last first: each chunk's neighbours are already stored when it arrives.
    const db = await store(events.reverse(), 'matrix-ooo', 1);
    expect(leaked(await dump(db))).toEqual([]);
    const body = (await getChunks(db, 'ooo')).map((ch) => ch.data).join('');
    expect(body).toBe('{\n  "accessToken":\n    "[redacted]",\n  "sessionToken"\n    : "[redacted]"\n}\n');
  });

  it('an SSE stream cut at every byte boundary never lets a secret through the hook', () => {
    const member = Object.entries(JSON_KINDS).map(([k, make]) => make(`${canary(`split:${k}`)}`));
    const sse = `data: {${keepJson},${member.join(',')}}\n\ndata: [DONE]\n\n`;
    const pretty = `${JSON.stringify(JSON.parse(`{${member.join(',')}}`), null, 2)}\n`.replace(
      '"accessToken": ',
      '"accessToken":\n    ',
    );
    for (const text of [sse, pretty]) {
      const bytes = new TextEncoder().encode(text);
      for (let at = 1; at < bytes.length; at++) {
        const out = hookText([bytes.subarray(0, at), bytes.subarray(at)]).join('');
        const bad = leaked(out);
        if (bad.length) expect(bad, `cut at byte ${at}`).toEqual([]);
      }
    }
    expect(hookText([sse]).join('')).toContain(KEEP.prose);
  });
});
