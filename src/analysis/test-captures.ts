/**
 * Test helper (not shipped): turns a fake-ChatGPT flow (test/flows.ts) or a HAR digest from
 * test/fixtures into what the extension stores. Each call becomes the capture events the page hook
 * would emit (start, response, timed chunks, end) and goes through the store's own `applyEvents`, so the
 * records have exactly the stored shape (kind, conversation id read from URL, body or stream chunks).
 * Timings are synthetic but plausible: sends stream their SSE in fixed-size chunks at a fixed pace.
 */
import { readFixture } from '../../test/fixtures';
import type { CallOutcome, CaptureEvent } from '../capture/events';
import { applyEvents } from '../store/db';
import type { StoredCall, StoredChunk } from '../store/schema';

export interface CallSpec {
  method: string;
  url: string;
  requestHeaders?: [string, string][];
  requestBody?: string | null;
  requestBodyEncoding?: 'text' | 'base64';
  requestTruncated?: boolean;
  status?: number;
  responseHeaders?: [string, string][];
  responseBody?: string;
  /** Response body cut at the size cap. */
  truncated?: boolean;
  /** Stream the body: chunks of this many characters, this far apart. */
  stream?: { chunkChars: number; delayMs: number };
  /** Body pieces, each arriving `afterMs` after the previous one (the first after the headers). */
  pieces?: { afterMs: number; data: string }[];
  /** Explicit chunks (WebSocket frames), `stream.delayMs` apart (default 20 ms); overrides responseBody. */
  frames?: { data: string; direction?: 'in' | 'out' }[];
  transport?: 'fetch' | 'xhr' | 'beacon' | 'websocket';
  startTime: number;
  /** Start → response headers. Default 60 ms (400 ms for a stream). */
  headersAfterMs?: number;
  /** Stop after this many chunks and leave the call open (a live stream). */
  liveAfterChunks?: number;
  outcome?: CallOutcome;
}

export interface Captured {
  calls: StoredCall[];
  chunks: Map<string, StoredChunk[]>;
}

export interface CaptureContext {
  pageSessionId: string;
  tabId: number | null;
  pageUrl: string;
  /** Prefix of generated call ids. */
  prefix: string;
}

function split(body: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < body.length; i += size) out.push(body.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** One call → events → stored record and chunks. Returns the time the call ended (or last chunk). */
export function captureCall(ctx: CaptureContext, index: number, spec: CallSpec, into: Captured): number {
  const callId = `${ctx.prefix}-${index}`;
  const events: CaptureEvent[] = [];
  const start = spec.startTime;
  events.push({
    type: 'start',
    callId,
    pageSessionId: ctx.pageSessionId,
    transport: spec.transport ?? 'fetch',
    method: spec.method,
    url: spec.url,
    pageUrl: ctx.pageUrl,
    requestHeaders: spec.requestHeaders ?? [],
    requestBody: spec.requestBody ?? null,
    requestBodyEncoding: spec.requestBodyEncoding ?? 'text',
    requestTruncated: spec.requestTruncated ?? false,
    startTime: start,
  });
  const headersTime = start + (spec.headersAfterMs ?? (spec.stream ? 400 : 60));
  events.push({
    type: 'response',
    callId,
    status: spec.status ?? 200,
    statusText: 'OK',
    responseHeaders: (spec.responseHeaders ?? []).map(([k, v]) => [k.toLowerCase(), v]),
    responseBodyEncoding: 'text',
    headersTime,
  });
  const body = spec.responseBody ?? '';
  const parts: { data: string; direction?: 'in' | 'out' }[] =
    spec.frames ??
    spec.pieces?.map((p) => ({ data: p.data })) ??
    (spec.stream ? split(body, spec.stream.chunkChars) : body ? [body] : []).map((data) => ({ data }));
  const delay = spec.stream?.delayMs ?? (spec.frames ? 20 : 0);
  const kept = spec.liveAfterChunks !== undefined ? parts.slice(0, spec.liveAfterChunks) : parts;
  let t = headersTime;
  let bytes = 0;
  let piecesAt = headersTime;
  kept.forEach(({ data, direction }, seq) => {
    piecesAt += spec.pieces?.[seq]?.afterMs ?? 0;
    t = spec.pieces ? piecesAt : headersTime + 10 + seq * delay;
    const n = Buffer.byteLength(data);
    bytes += n;
    events.push(
      direction
        ? { type: 'chunk', callId, seq, time: t, bytes: n, data, direction }
        : { type: 'chunk', callId, seq, time: t, bytes: n, data },
    );
  });
  if (spec.liveAfterChunks === undefined) {
    t += 2;
    events.push({
      type: 'end',
      callId,
      endTime: t,
      outcome: spec.outcome ?? 'complete',
      truncated: spec.truncated ?? false,
      bodyBytes: bytes,
      chunkCount: kept.length,
    });
  }
  const call = applyEvents(undefined, events, { tabId: ctx.tabId });
  if (!call) throw new Error(`no record for ${callId}`);
  into.calls.push(call);
  into.chunks.set(
    callId,
    events.flatMap((e): StoredChunk[] => {
      if (e.type !== 'chunk') return [];
      const chunk: StoredChunk = { callId, seq: e.seq, time: e.time, bytes: e.bytes, data: e.data };
      if (e.direction) chunk.direction = e.direction;
      return [chunk];
    }),
  );
  return t;
}

/** The subset of e2e's Flow this helper reads (kept structural so e2e can evolve). */
export interface FlowLike {
  origin: string;
  pagePath: string;
  steps: {
    request: { method: string; url: string; headers: [string, string][]; body?: string; bodyBase64?: string };
    response: {
      status: number;
      headers: [string, string][];
      body?: string;
      stream?: { chunkBytes: number; delayMs: number };
      timed?: { afterMs: number; data: string }[];
    };
  }[];
}

export interface FlowCaptureOptions {
  pageSessionId?: string;
  tabId?: number | null;
  prefix?: string;
  /** Time of the first call. */
  startTime?: number;
  /** Pause between one call's end and the next call's start. */
  gapMs?: number;
  /** Step index → stop the stream after that many chunks, leaving the call (and the capture) open. */
  liveAt?: { step: number; chunks: number };
  /** Replace the page URL for steps from this index on (the app navigating: /c/{id}, back to /). */
  pageUrls?: { fromStep: number; url: string }[];
}

/** A flow replayed one call after another (the seed flow awaits each step). */
export function captureFlow(flow: FlowLike, opts: FlowCaptureOptions = {}, into?: Captured): Captured {
  const out: Captured = into ?? { calls: [], chunks: new Map() };
  const prefix = opts.prefix ?? 'seed';
  let t = opts.startTime ?? Date.parse('2023-12-15T13:33:20.000Z');
  let pageUrl = `${flow.origin}${flow.pagePath}`;
  flow.steps.forEach((step, i) => {
    for (const p of opts.pageUrls ?? []) if (p.fromStep === i) pageUrl = p.url;
    const ctx: CaptureContext = {
      pageSessionId: opts.pageSessionId ?? `${prefix}-page`,
      tabId: opts.tabId === undefined ? 1 : opts.tabId,
      pageUrl,
      prefix,
    };
    const { request, response } = step;
    const spec: CallSpec = {
      method: request.method,
      url: request.url,
      requestHeaders: request.headers,
      requestBody: request.bodyBase64 ?? request.body ?? null,
      requestBodyEncoding: request.bodyBase64 ? 'base64' : 'text',
      status: response.status,
      responseHeaders: response.headers,
      startTime: t,
    };
    if (response.body !== undefined) spec.responseBody = response.body;
    if (response.stream)
      spec.stream = { chunkChars: response.stream.chunkBytes, delayMs: response.stream.delayMs };
    if (response.timed) {
      spec.pieces = response.timed;
      spec.headersAfterMs = 60;
    }
    if (opts.liveAt?.step === i) spec.liveAfterChunks = opts.liveAt.chunks;
    const end = captureCall(ctx, i, spec, out);
    t = end + (opts.gapMs ?? 50);
  });
  return out;
}

interface DigestEntry {
  startedDateTime: string;
  request: {
    method: string;
    url: string;
    headers: { name: string; value: string }[];
    postData: { mimeType?: string; text?: string } | null;
  };
  response: {
    status: number;
    headers: { name: string; value: string }[];
    content: { mimeType?: string; text: string | null };
  };
}

const TRUNCATED = /…<truncated \d+ chars>$/;

/**
 * A HAR digest, each entry at its recorded start time. The send's body is the separate .sse fixture (the
 * digest's copy may be cut); other bodies are used as digested, marked truncated where the digest cut them.
 */
export function captureDigest(
  digestRel: string,
  sseRel: string,
  opts: { pageSessionId?: string; prefix?: string; stream?: { chunkChars: number; delayMs: number } } = {},
): Captured {
  const digest = JSON.parse(readFixture(digestRel)) as { entries: DigestEntry[] };
  const sse = readFixture(sseRel);
  const out: Captured = { calls: [], chunks: new Map() };
  const first = digest.entries[0];
  const origin = first ? new URL(first.request.url).origin : 'https://chatgpt.com';
  const ctx: CaptureContext = {
    pageSessionId: opts.pageSessionId ?? 'real-page',
    tabId: 2,
    pageUrl: `${origin}/`,
    prefix: opts.prefix ?? 'real',
  };
  digest.entries.forEach((e, i) => {
    const isStream = e.response.headers.some(
      (h) => h.name.toLowerCase() === 'content-type' && h.value.includes('text/event-stream'),
    );
    const reqText = e.request.postData?.text ?? null;
    // Statsig batches are gzip bytes; the digest shows a placeholder. The hook would store base64.
    const binary = reqText?.startsWith('<gzip') ?? false;
    const resText = e.response.content.text;
    const spec: CallSpec = {
      method: e.request.method,
      url: e.request.url,
      // HTTP/2 pseudo-headers are HAR transport detail, not something fetch reports.
      requestHeaders: e.request.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]),
      requestBody: binary && reqText ? Buffer.from(reqText).toString('base64') : reqText,
      requestBodyEncoding: binary ? 'base64' : 'text',
      requestTruncated: reqText !== null && TRUNCATED.test(reqText),
      status: e.response.status,
      responseHeaders: e.response.headers.map((h) => [h.name, h.value]),
      startTime: Date.parse(e.startedDateTime),
      headersAfterMs: isStream ? 700 : 80,
    };
    if (isStream) {
      spec.responseBody = sse;
      spec.stream = opts.stream ?? { chunkChars: 400, delayMs: 60 };
    } else if (resText !== null) {
      spec.responseBody = resText;
      if (TRUNCATED.test(resText)) spec.truncated = true;
    }
    captureCall(ctx, i, spec, out);
  });
  return out;
}

type Step = FlowLike['steps'][number];

/** A copy of the flow with one step's JSON request body edited (for deliberately broken variants). */
export function editBody<F extends FlowLike>(
  flow: F,
  index: number,
  edit: (body: Record<string, unknown>) => void,
): F {
  const steps = flow.steps.map((s, i) => {
    if (i !== index) return s;
    const body = JSON.parse(s.request.body ?? '{}') as Record<string, unknown>;
    edit(body);
    return { ...s, request: { ...s.request, body: JSON.stringify(body) } };
  });
  return { ...flow, steps };
}

/** A copy of the flow with one step replaced. */
export function editStep<F extends FlowLike>(flow: F, index: number, edit: (step: Step) => Step): F {
  return { ...flow, steps: flow.steps.map((s, i) => (i === index ? edit(s) : s)) };
}

/** A 2023 new chat on chat.openai.com: starter prompts, Segment, the send (legacy SSE), lat/r. */
export function newChatFlow2023(opts: {
  sse: string;
  prompt: string;
  userMessageId: string;
  parentMessageId: string;
  cfRay: string;
  /** Leave out the steps before the send (prompt_library, ces). */
  sendOnly?: boolean;
}): FlowLike {
  const origin = 'https://chat.openai.com';
  const api = `${origin}/backend-api`;
  const json: [string, string][] = [['content-type', 'application/json']];
  const ok = (body: unknown) => ({ status: 200, headers: json, body: JSON.stringify(body) });
  const send: Step = {
    request: {
      method: 'POST',
      url: `${api}/conversation`,
      headers: json,
      body: JSON.stringify({
        action: 'next',
        messages: [
          {
            id: opts.userMessageId,
            author: { role: 'user' },
            content: { content_type: 'text', parts: [opts.prompt] },
          },
        ],
        parent_message_id: opts.parentMessageId,
        model: 'text-davinci-002-render-sha',
        suggestions: ['a', 'b', 'c', 'd'],
      }),
    },
    response: {
      status: 200,
      headers: [
        ['content-type', 'text/event-stream; charset=utf-8'],
        ['cf-ray', opts.cfRay],
      ],
      body: opts.sse,
      stream: { chunkBytes: 500, delayMs: 20 },
    },
  };
  const latr: Step = {
    request: {
      method: 'POST',
      url: `${api}/lat/r`,
      headers: json,
      body: JSON.stringify({
        server_request_id: opts.cfRay,
        model: 'text-davinci-002-render-sha',
        count_tokens: 3,
      }),
    },
    response: ok({ status: 'success' }),
  };
  const before: Step[] = [
    {
      request: { method: 'GET', url: `${api}/prompt_library/?limit=4&offset=0`, headers: [] },
      response: ok({ items: [] }),
    },
    {
      request: {
        method: 'POST',
        url: `${origin}/ces/v1/b`,
        headers: [['content-type', 'text/plain']],
        body: '{"batch":[]}',
      },
      response: ok({ success: true }),
    },
  ];
  return { origin, pagePath: '/', steps: [...(opts.sendOnly ? [] : before), send, latr] };
}
