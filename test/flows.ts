/**
 * Flows the fake ChatGPT replays: each step is what the page sends (run in the page by `runSteps`) and what
 * the server answers. Built from test/fixtures: the seed flow of a new chat on chat.openai.com (2023,
 * legacy SSE, synthetic fixtures a and b) and the real 2026 chatgpt.com logged-out flow (HAR digest and its
 * delta-encoding v1 body). Every place where the fixtures hold a redacted secret gets a canary instead,
 * so the e2e tests can prove the secret never reaches storage.
 */
import { gzipSync } from 'node:zlib';
import { readFixture } from './fixtures';

export interface PageRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
  /** Binary body (gzip Statsig batches). */
  bodyBase64?: string;
  /** Send as `fetch(new Request(url, init))` instead of `fetch(url, init)`. */
  asRequest?: boolean;
  /** Do not await this call before starting the next step (ChatGPT fires telemetry in parallel). */
  noWait?: boolean;
  /** Abort the fetch this long after it started (the user pressing Stop). */
  abortAfterMs?: number;
  /** Transport: fetch (default), xhr or beacon. */
  via?: 'fetch' | 'xhr' | 'beacon';
}

export interface FakeResponse {
  status: number;
  headers: [string, string][];
  body?: string;
  /**
   * Send `body` gzip-compressed, with `content-encoding: gzip` and its compressed length declared;
   * `'chunked'`: with no declared length, as the real service sends its compressed JSON (HAR digests in
   * test/fixtures/real: `content-encoding: br`, no `content-length`).
   */
  gzip?: boolean | 'chunked';
  /**
   * Stream the body as SSE in chunks of this many bytes, this far apart; `firstDelayMs` holds the first
   * chunk back after the headers (the model "thinking", as the real service does); `dropAfterChunks`
   * cuts the connection after that many chunks (a network error mid-stream).
   */
  stream?: { chunkBytes: number; delayMs: number; firstDelayMs?: number; dropAfterChunks?: number };
  /**
   * Stream the body as these pieces instead, each written `afterMs` after the previous one (the first after
   * the headers): a turn whose phases (waiting, reasoning, tool call, answer) take measurable time.
   * `body` is their concatenation.
   */
  timed?: TimedPiece[];
}

/** A piece of a streamed body, written `afterMs` after the previous piece (or the headers). */
export interface TimedPiece {
  afterMs: number;
  data: string;
}

export interface Step {
  request: PageRequest;
  response: FakeResponse;
}

export interface Flow {
  name: string;
  origin: string;
  pagePath: string;
  steps: Step[];
}

/** Distinct canary secrets for one run; none is JWT-shaped in the repository (built at run time). */
export function makeCanaries(seed = Math.random().toString(36).slice(2, 8)) {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const c = (name: string) => `CANARY${seed}${name}`;
  return {
    seed,
    bearer: `ey${'J'}${b64(`{"alg":"RS256","k":"${c('jwthead')}"}`).slice(1)}.${b64(`{"sub":"${c('jwt')}"}`)}.${c('sig')}`,
    sentinel: `gAAAAAB${c('sentinel')}xxxxxxxxxxxxxxxxxxxx`,
    conduit: c('conduit'),
    proof: c('proof'),
    turnstile: c('turnstile'),
    echo: c('echo'),
    arkose: c('arkose'),
    accessToken: c('access'),
    resume: c('resume'),
    dx: c('dx'),
    prepare: c('prepare'),
    /** Every value above: none may appear anywhere in storage or exports. */
    all(): string[] {
      return [
        c('jwthead'),
        c('jwt'),
        c('sig'),
        c('sentinel'),
        c('conduit'),
        c('proof'),
        c('turnstile'),
        c('echo'),
      ].concat([c('arkose'), c('access'), c('resume'), c('dx'), c('prepare')]);
    },
  };
}
export type Canaries = ReturnType<typeof makeCanaries>;

const json = (v: unknown) => JSON.stringify(v);
const ok = (body: unknown, extra: [string, string][] = []): FakeResponse => ({
  status: 200,
  headers: [['content-type', 'application/json'], ...extra],
  body: json(body),
});
const sse = (body: string, cfRay: string, stream = { chunkBytes: 700, delayMs: 15 }): FakeResponse => ({
  status: 200,
  headers: [
    ['content-type', 'text/event-stream; charset=utf-8'],
    ['cache-control', 'no-cache'],
    ['cf-ray', cfRay],
  ],
  body,
  stream,
});

/** The seed flow (docs/protocol.md §3.1): a new chat on chat.openai.com, then a continuation turn. */
export function seedFlow(k: Canaries, opts: { brokenContinuation?: boolean } = {}): Flow {
  const origin = 'https://chat.openai.com';
  const api = `${origin}/backend-api`;
  const conv = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
  const auth: [string, string][] = [
    ['authorization', `Bearer ${k.bearer}`],
    ['oai-device-id', '3f1c2f7e-9a57-4b2e-8d7e-0c3b5a1d2e4f'],
    ['oai-language', 'en-US'],
  ];
  const jsonHeaders: [string, string][] = [...auth, ['content-type', 'application/json']];
  const suggestions = [
    'Explain quantum computing in simple terms',
    'Got any creative ideas for a 10 year old’s birthday?',
    'How do I make an HTTP request in Javascript?',
    'Tell me a random fun fact about the Roman Empire',
  ];
  const firstTurn = {
    action: 'next',
    messages: [
      {
        id: 'aaa27fdc-adfc-4e97-8383-7be26db90000',
        author: { role: 'user' },
        content: { content_type: 'text', parts: ['Tell me a random fun fact about the Roman Empire'] },
      },
    ],
    parent_message_id: 'aaa1625d-8249-4412-9825-004c31440000',
    model: 'text-davinci-002-render-sha',
    timezone_offset_min: -180,
    suggestions,
    history_and_training_disabled: false,
    arkose_token: k.arkose,
    conversation_mode: { kind: 'primary_assistant' },
    force_paragen: false,
    force_rate_limit: false,
  };
  const secondTurn = {
    ...firstTurn,
    messages: [
      {
        id: 'aaa292aa-2314-4541-ae51-e6358df444e1',
        author: { role: 'user' },
        content: { content_type: 'text', parts: ['How true is that?'] },
      },
    ],
    conversation_id: conv,
    parent_message_id: '14588fa1-94fd-43d1-9104-e5b108bd8d7a',
    suggestions: opts.brokenContinuation ? suggestions : [],
  };
  const latr = (rid: string, n: number) => ({
    server_request_id: rid,
    model: 'text-davinci-002-render-sha',
    preflight_time_ms: 5.3,
    count_tokens: n,
    ts_first_token_ms: 640.6,
    ts_max_token_time_ms: 124.6,
    ts_mean_token_without_first_ms: 28.3,
    ts_median_token_without_first_ms: 31,
    ts_min_token_time_ms: 0.1,
    ts_p95_token_without_first_ms: 46.7,
    ts_p99_token_without_first_ms: 99.3,
    ts_std_dev_token_ms: 18.6,
    ts_total_request_ms: 2486.9,
  });
  const ces = (event: string) =>
    json({
      batch: [
        {
          event,
          type: 'track',
          properties: { suggestions },
          anonymousId: 'b5f7d8e0-1c2a-4f6b-9e3d-7a8c9b0d1e2f',
          messageId: `ajs-next-${event.length}`,
          writeKey: 'oai',
        },
      ],
      sentAt: '2023-12-15T13:33:29.000Z',
    });
  const segment: [string, string][] = [['content-type', 'text/plain']];
  return {
    name: opts.brokenContinuation ? 'seed-broken' : 'seed',
    origin,
    pagePath: '/',
    steps: [
      {
        request: { method: 'GET', url: `${api}/prompt_library/?limit=4&offset=0`, headers: auth },
        response: ok({
          items: suggestions.map((p, i) => ({
            id: `p${i}`,
            title: p,
            description: '',
            prompt: p,
            category: 'x',
          })),
          total: 4,
          limit: 4,
          offset: 0,
        }),
      },
      {
        request: {
          method: 'POST',
          url: `${origin}/ces/v1/b`,
          headers: segment,
          body: ces('Show Starter Prompts'),
        },
        response: ok({ success: true }),
      },
      {
        request: { method: 'GET', url: `${api}/accounts/check/v4-2023-04-27`, headers: auth },
        response: ok({
          accounts: {
            default: {
              account: { account_user_role: 'account-owner', plan_type: 'free', is_deactivated: false },
              features: ['shared_websocket'],
              entitlement: { has_active_subscription: false, subscription_plan: 'chatgptfreeplan' },
            },
          },
          account_ordering: ['default'],
        }),
      },
      {
        request: { method: 'POST', url: `${api}/conversation`, headers: jsonHeaders, body: json(firstTurn) },
        response: sse(readFixture('synthetic/a_2023-12_legacy_new-conversation.sse'), '835f17ad7df40001-MBA'),
      },
      {
        request: {
          method: 'GET',
          url: `${api}/conversations?offset=0&limit=28&order=updated`,
          headers: auth,
        },
        response: ok({
          items: [
            { id: conv, title: 'New chat', create_time: '2023-12-15T13:33:30.000+00:00', mapping: null },
          ],
          total: 1,
          limit: 28,
          offset: 0,
          has_missing_conversations: false,
        }),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/lat/r`,
          headers: jsonHeaders,
          body: json(latr('835f17ad7df40001-MBA', 56)),
        },
        response: ok({ status: 'success' }),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/conversation/gen_title/${conv}`,
          headers: jsonHeaders,
          body: json({ message_id: '14588fa1-94fd-43d1-9104-e5b108bd8d7a' }),
        },
        response: ok({ title: 'Roman Empire Fun Fact' }),
      },
      {
        request: { method: 'POST', url: `${api}/conversation`, headers: jsonHeaders, body: json(secondTurn) },
        response: sse(readFixture('synthetic/b_2023-12_legacy_continuation.sse'), '835f17ad7df40002-MBA'),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/lat/r`,
          headers: jsonHeaders,
          body: json(latr('835f17ad7df40002-MBA', 80)),
        },
        response: ok({ status: 'success' }),
      },
      {
        request: { method: 'GET', url: `${origin}/api/auth/session`, headers: [] },
        response: ok({
          user: { id: 'user-x', name: 'Ada' },
          expires: '2030-01-01',
          accessToken: k.accessToken,
        }),
      },
    ],
  };
}

interface DigestEntry {
  request: {
    method: string;
    url: string;
    headers: { name: string; value: string }[];
    postData: { mimeType: string; text: string } | null;
  };
  response: {
    status: number;
    headers: { name: string; value: string }[];
    content: { mimeType: string; text: string | null };
  };
}

// Request headers the page cannot set (the browser owns them) or that only describe the HAR's transport.
const NOT_PAGE_SETTABLE =
  /^(:|accept-encoding$|accept-language$|content-length$|origin$|referer$|sec-|user-agent$|priority$|cookie$|host$|connection$)/i;
const NOT_REPLAYED_RESPONSE =
  /^(content-encoding|content-length|transfer-encoding|alt-svc|set-cookie|connection)$/i;

/** The real 2026-03-12 logged-out chatgpt.com flow, replayed from its HAR digest with canaries for secrets. */
export function realFlow2026(
  k: Canaries,
  stream: NonNullable<FakeResponse['stream']> = { chunkBytes: 400, delayMs: 20 },
): Flow {
  const digest = JSON.parse(readFixture('real/har-digest_2026-03-12_chatgpt.com_backend-anon.json')) as {
    entries: DigestEntry[];
  };
  const sseBody = readFixture(
    'real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse',
  ).replaceAll('<redacted-jwt>', k.bearer);
  const secretHeader = (name: string): string | null => {
    const n = name.toLowerCase();
    if (n === 'x-conduit-token') return k.conduit;
    if (n === 'oai-echo-logs') return k.echo;
    if (n === 'openai-sentinel-proof-token') return k.proof;
    if (n === 'openai-sentinel-turnstile-token') return k.turnstile;
    if (n === 'openai-sentinel-extra-data') return null; // not a secret; kept as captured
    if (n.startsWith('openai-sentinel-')) return k.sentinel;
    return null;
  };
  // Body secrets that the digest shows as "<redacted…>" become canaries.
  const secretBody = (text: string) =>
    text
      .replace(/("p"\s*:\s*)"[^"]*<redacted>[^"]*"/g, `$1"${k.proof}"`)
      .replace(/("(?:token|prepare_token)"\s*:\s*)"[^"]*<redacted>[^"]*"/g, `$1"${k.sentinel}"`)
      .replace(/("dx"\s*:\s*)"[^"]*<redacted>[^"]*"/g, `$1"${k.dx}"`)
      .replace(/("turnstile"\s*:\s*)"[^"]*<redacted>[^"]*"/g, `$1"${k.turnstile}"`)
      .replace(/<redacted-jwt>/g, k.bearer);
  const steps: Step[] = digest.entries.map((e, i) => {
    const headers = e.request.headers
      .filter((h) => !NOT_PAGE_SETTABLE.test(h.name))
      .map((h): [string, string] => [h.name, secretHeader(h.name) ?? h.value]);
    const isGzip = /gz=1/.test(e.request.url);
    const request: PageRequest = { method: e.request.method, url: e.request.url, headers, noWait: i > 0 };
    if (isGzip) {
      request.bodyBase64 = gzipSync(
        json({ events: [{ eventName: 'statsig::diagnostics', time: i }] }),
      ).toString('base64');
    } else if (e.request.postData?.text) request.body = secretBody(e.request.postData.text);
    const isStream = /f\/conversation$/.test(new URL(e.request.url).pathname);
    const response: FakeResponse = {
      status: e.response.status,
      headers: e.response.headers
        .filter((h) => !NOT_REPLAYED_RESPONSE.test(h.name))
        .map((h): [string, string] => [h.name, secretHeader(h.name) ?? h.value]),
      body: isStream
        ? sseBody
        : secretBody((e.response.content.text ?? '').replace(/…<truncated \d+ chars>$/, '')),
    };
    if (isStream) response.stream = stream;
    return { request, response };
  });
  // The conversation stream is the first call; it must finish before the flow is over.
  steps[0]!.request.noWait = true;
  return { name: 'real-2026', origin: 'https://chatgpt.com', pagePath: '/', steps };
}

// ---- A thinking turn and a WebSocket turn (2026; docs/protocol.md §13) -----------------------------------

/** Conversation id of `thinkingFlow2026`. */
export const THINKING_CONVERSATION = '6a2b3c4d-5e6f-8a7b-9c0d-1e2f3a4b5c6d';
/** Its answer text. */
export const THINKING_ANSWER = 'The tallest tower in Europe is the Ostankino Tower (540 m), per Wikipedia.';

/**
 * The phases `thinkingFlow2026`'s stream is paced in, in ms, each counted from the previous phase's end:
 * waiting before the first byte, thinking before the tool call, the tool's run, more thinking after the
 * result, then the answer streamed in a few pieces.
 */
export const THINKING_PACE = { waitMs: 600, thinkMs: 500, toolMs: 800, thinkAfterMs: 400, answerMs: 450 };

const sseEvent = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : json(data)}\n\n`;

/**
 * A gpt-5 thinking turn as a delta-encoding v1 stream with realistic pauses between its phases (shapes of
 * fixtures real-2026/06 and 07): thoughts, a `web.run` search, its result with a source, a second
 * thought, the "Thought for N s" recap, and the final answer. Pieces are timed by `THINKING_PACE`.
 */
export function thinkingStream(pace = THINKING_PACE): TimedPiece[] {
  const conv = THINKING_CONVERSATION;
  const msg = (id: string, over: Record<string, unknown>) => ({
    p: '',
    o: 'add',
    v: {
      message: {
        id,
        author: { role: 'assistant', name: null, metadata: {} },
        create_time: 1784000000.5,
        update_time: null,
        content: { content_type: 'text', parts: [''] },
        status: 'in_progress',
        end_turn: null,
        weight: 1,
        metadata: { model_slug: 'gpt-5-5-thinking', parent_id: 'a0000000-0000-4000-8000-000000000001' },
        recipient: 'all',
        channel: null,
        ...over,
      },
      conversation_id: conv,
      error: null,
    },
  });
  const delta = (v: unknown) => sseEvent(v, 'delta');
  const step = Math.round(pace.answerMs / 3);
  return [
    { afterMs: pace.waitMs, data: sseEvent('"v1"', 'delta_encoding') },
    {
      afterMs: 0,
      data: sseEvent({
        type: 'input_message',
        input_message: {
          id: 'a0000000-0000-4000-8000-000000000001',
          author: { role: 'user', name: null, metadata: {} },
          content: { content_type: 'text', parts: ['Which is the tallest tower in Europe?'] },
          status: 'finished_successfully',
          metadata: { request_id: 'req-thinking-1' },
        },
        conversation_id: conv,
      }),
    },
    {
      afterMs: 20,
      data: delta({
        ...msg('b0000000-0000-4000-8000-000000000002', {
          content: { content_type: 'thoughts', thoughts: [], source_analysis_msg_id: 'x' },
        }),
        c: 0,
      }),
    },
    {
      afterMs: 30,
      data: delta({
        p: '/message/content/thoughts',
        o: 'append',
        v: [{ summary: 'Looking up towers', content: '', chunks: [], finished: false }],
      }),
    },
    {
      afterMs: pace.thinkMs,
      data: delta({ p: '/message/content/thoughts/0/content', o: 'append', v: 'I should check a source.' }),
    },
    {
      afterMs: 20,
      data: delta({
        ...msg('c0000000-0000-4000-8000-000000000003', {
          content: {
            content_type: 'code',
            language: 'unknown',
            text: '{"search_query":[{"q":"tallest tower in Europe"}]}',
          },
          status: 'finished_successfully',
          recipient: 'web.run',
        }),
        c: 1,
      }),
    },
    {
      afterMs: pace.toolMs,
      data: delta({
        ...msg('d0000000-0000-4000-8000-000000000004', {
          author: { role: 'tool', name: 'web.run', metadata: {} },
          content: { content_type: 'text', parts: ['Ostankino Tower, Moscow: 540.1 m'] },
          status: 'finished_successfully',
          metadata: {
            search_result_groups: [
              {
                type: 'search_result_group',
                domain: 'en.wikipedia.org',
                entries: [
                  {
                    type: 'search_result',
                    url: 'https://en.wikipedia.org/wiki/Ostankino_Tower',
                    title: 'Ostankino Tower',
                    snippet: 'A 540.1 m television and radio tower in Moscow.',
                  },
                ],
              },
            ],
          },
        }),
        c: 2,
      }),
    },
    {
      afterMs: pace.thinkAfterMs,
      data: delta({
        ...msg('e0000000-0000-4000-8000-000000000005', {
          content: {
            content_type: 'thoughts',
            thoughts: [
              { summary: 'Reading the result', content: 'Ostankino, 540 m.', chunks: [], finished: true },
            ],
            source_analysis_msg_id: 'x',
          },
          status: 'finished_successfully',
        }),
        c: 3,
      }),
    },
    {
      afterMs: 20,
      data: delta({
        ...msg('f0000000-0000-4000-8000-000000000006', {
          content: { content_type: 'reasoning_recap', content: 'Thought for 2s' },
          status: 'finished_successfully',
          metadata: { finished_duration_sec: 2 },
        }),
        c: 4,
      }),
    },
    {
      afterMs: 30,
      data: delta({ ...msg('f1000000-0000-4000-8000-000000000007', { channel: 'final' }), c: 5 }),
    },
    {
      afterMs: 30,
      data: delta({ p: '/message/content/parts/0', o: 'append', v: 'The tallest tower in Europe ' }),
    },
    { afterMs: step, data: delta({ v: 'is the Ostankino Tower ' }) },
    { afterMs: step, data: delta({ v: '(540 m), ' }) },
    {
      afterMs: step,
      data: delta({
        p: '',
        o: 'patch',
        v: [
          { p: '/message/content/parts/0', o: 'append', v: 'per Wikipedia.' },
          { p: '/message/status', o: 'replace', v: 'finished_successfully' },
          { p: '/message/end_turn', o: 'replace', v: true },
        ],
      }),
    },
    { afterMs: 10, data: sseEvent({ type: 'message_stream_complete', conversation_id: conv }) },
    { afterMs: 0, data: sseEvent('[DONE]') },
  ];
}

/** One send on chatgpt.com answered by `thinkingStream`: a new chat with a thinking model. */
export function thinkingFlow2026(k: Canaries, pace = THINKING_PACE): Flow {
  const timed = thinkingStream(pace);
  return {
    name: 'thinking-2026',
    origin: 'https://chatgpt.com',
    pagePath: '/',
    steps: [
      {
        request: {
          method: 'POST',
          url: 'https://chatgpt.com/backend-api/f/conversation',
          headers: [
            ['authorization', `Bearer ${k.bearer}`],
            ['content-type', 'application/json'],
            ['openai-sentinel-chat-requirements-token', k.sentinel],
          ],
          body: json({
            action: 'next',
            messages: [
              {
                id: 'a0000000-0000-4000-8000-000000000001',
                author: { role: 'user' },
                content: { content_type: 'text', parts: ['Which is the tallest tower in Europe?'] },
                metadata: {},
              },
            ],
            parent_message_id: 'client-created-root',
            model: 'gpt-5-5-thinking',
            timezone_offset_min: 0,
            history_and_training_disabled: false,
            conversation_mode: { kind: 'primary_assistant' },
          }),
        },
        response: {
          status: 200,
          headers: [
            ['content-type', 'text/event-stream; charset=utf-8'],
            ['cache-control', 'no-cache'],
          ],
          body: timed.map((p) => p.data).join(''),
          timed,
        },
      },
    ],
  };
}

/** Conversation id and answer of fixture real-2026/02 (the WebSocket turn with catch-ups). */
export const WS_CONVERSATION = '6a1f2b3c-1111-8222-9333-444455556666';
export const WS_ANSWER = '**Boss,** 5 + 5 = 10.';

/**
 * A 2026 WebSocket-delivered turn (docs/protocol.md §13.4): the send's stream only hands the turn off
 * (`stream_handoff` to the topic `conversation-turn-<turn id>`); the page then subscribes on
 * ws.chatgpt.com and the server's subscribe reply carries the first items as catch-ups, the rest arrive
 * as topic messages. Frames from fixture real-2026/02; `socketFrames` are the server's frames in order.
 */
export function webSocketTurn2026(k: Canaries): { flow: Flow; socketFrames: string[]; subscribe: string } {
  const frames = JSON.parse(readFixture('real-2026/02-ws-2026-07-subscribe-reply-catchups.json')) as {
    direction: 'in' | 'out';
    data: string;
  }[];
  const turnId = 'f71803cb-d1bc-427d-94ca-10fee4d49d56';
  const handoff =
    sseEvent('"v1"', 'delta_encoding') +
    sseEvent({
      type: 'stream_handoff',
      conversation_id: WS_CONVERSATION,
      turn_exchange_id: turnId,
      options: [{ type: 'subscribe_ws_topic', topic_id: `conversation-turn-${turnId}` }],
    });
  const flow: Flow = {
    name: 'websocket-2026',
    origin: 'https://chatgpt.com',
    pagePath: '/',
    steps: [
      {
        request: {
          method: 'POST',
          url: 'https://chatgpt.com/backend-api/f/conversation',
          headers: [
            ['authorization', `Bearer ${k.bearer}`],
            ['content-type', 'application/json'],
          ],
          body: json({
            action: 'next',
            messages: [
              {
                id: 'b0b0b0b0-0000-4000-8000-00000000bbbb',
                author: { role: 'user' },
                content: { content_type: 'text', parts: ['What is 5 + 5, boss?'] },
                metadata: {},
              },
            ],
            parent_message_id: 'client-created-root',
            model: 'auto',
          }),
        },
        response: {
          status: 200,
          headers: [['content-type', 'text/event-stream; charset=utf-8']],
          body: handoff,
          stream: { chunkBytes: 4096, delayMs: 5 },
        },
      },
    ],
  };
  return {
    flow,
    socketFrames: frames
      .filter((f) => f.direction === 'in')
      .map((f) => f.data.replaceAll('<redacted-jwt>', k.bearer)),
    subscribe: frames.find((f) => f.direction === 'out')?.data ?? '',
  };
}
