/**
 * Test helper (not shipped): capture sets for the export tests, built through the analysis layer's
 * `captureFlow`/`captureCall` (which produce exactly what the store holds), and an in-memory source.
 *
 * `personalFlow` is a logged-in 2026 session with personal values planted wherever ChatGPT sends them
 * (docs/protocol.md §8): session and account bodies, headers, the prompt in the send, prepare and CES, the
 * reply in the v1 stream (append and patch styles), the WebSocket copy, the title in gen_title, the
 * conversation list, the history and CES page titles, Statsig and Datadog identities, a `?q=` URL.
 * Bodies are captured raw (unredacted), as a worst case for the exporter's own redaction pass.
 */
import { gzipSync } from 'node:zlib';
import { makeCanaries, realFlow2026, seedFlow } from '../../test/flows';
import { type Captured, captureCall, captureFlow, type FlowLike } from '../analysis/test-captures';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { CaptureSource } from './export';

export const CONV = '69dd2105-6578-8326-9d1e-4f3b2a1c0d9e';
export const SEED_CONV = '86f73b54-0f51-47ba-84a3-07c1e25dce81';

/** Personal values: none may survive a share-safe export; all of them are in a normal one. */
export const P = {
  email: 'ada.lovelace@example.org',
  name: 'Ada Lovelace',
  userId: 'user-Q7xK2mP9vL4nR8tY3wZ6aB1c',
  accountId: 'a7c9e1f3-5b2d-4e6a-8c0b-9d1f2e3a4b5c',
  workspaceId: 'ws-3e8f1a2b9c7d4e6f',
  orgId: 'org-Zr4Ty7Ui9Op2As5Df8Gh1Jk3',
  subscriptionId: 'sub_1NqXyZ2eZvKYlo2C',
  deviceId: '3f1c2f7e-9a57-4b2e-8d7e-0c3b5a1d2e4f',
  sessionId: 'b27e4c1a-6d8f-4a3b-9e2c-5f7a1d3e8b90',
  anonymousId: '5e9d7c3b-1a2f-4e8d-b6c4-0f2e4a6c8d1b',
  stableId: 'c4d6e8f0-2a4b-4c6d-8e0f-1a3b5c7d9e2f',
  statsigSid: 'd8e0f2a4-6b8c-4d0e-a2f4-6b8d0e2f4a6c',
  ip: '203.0.113.77',
  intercomHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  phone: '+44 20 7946 0958',
  avatar: 'https://s.gravatar.com/avatar/5d41402abc4b2a76b9719d911017c592',
  workspaceName: 'Lovelace Analytical Engines',
  prompt: 'Does Whiskers the tabby prefer salmon on Tuesdays?',
  partial: 'Does Whiskers the tabby',
  reply: ['Salmon suits tabbies,', ' and Whiskers will purr', ' every Tuesday.'],
  title: 'Whiskers Salmon Tuesdays',
  suggestion: 'Plan a birthday party for Whiskers',
} as const;

/** Strings that must not appear in a share-safe export (words of the prompt/reply, case-insensitive). */
export const PLANTED: readonly string[] = [
  P.email,
  P.name,
  'Lovelace',
  P.userId,
  P.accountId,
  P.workspaceId,
  P.orgId,
  P.subscriptionId,
  P.deviceId,
  P.sessionId,
  P.anonymousId,
  P.stableId,
  P.statsigSid,
  P.ip,
  P.intercomHash,
  P.phone,
  P.avatar,
  '5d41402abc4b2a76b9719d911017c592',
  'Whiskers',
  'salmon',
  'tabby',
  'Tuesday',
  'birthday',
];

const json = (v: unknown) => JSON.stringify(v);
const JSONH: [string, string][] = [['content-type', 'application/json']];
const ok = (body: unknown) => ({ status: 200, headers: JSONH, body: json(body) });

/**
 * A v1 stream (docs/protocol.md §5.4) answering P.prompt: append style, then a patch, then the title frame.
 */
export function v1Stream(conv = CONV): string {
  const ev = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${json(data)}\n\n`;
  const user = {
    id: 'b1c2d3e4-0000-4000-8000-000000000001',
    author: { role: 'user', name: null, metadata: {} },
    content: { content_type: 'text', parts: [P.prompt] },
    status: 'finished_successfully',
    metadata: { request_id: 'req-6a899a17', turn_trace_id: 'trace-7fbf' },
  };
  return [
    'event: delta_encoding\ndata: "v1"\n\n',
    ev({
      type: 'resume_conversation_token',
      kind: 'topic',
      token: 'RESUMETOKENPLACEHOLDER',
      conversation_id: conv,
    }),
    ev({ p: '', o: 'add', v: { message: user, conversation_id: conv }, c: 0 }, 'delta'),
    ev({ type: 'input_message', input_message: user, conversation_id: conv }),
    ev(
      {
        v: {
          message: {
            id: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216',
            author: { role: 'assistant', name: null, metadata: {} },
            content: { content_type: 'text', parts: [''] },
            status: 'in_progress',
            recipient: 'all',
            channel: 'final',
            metadata: { model_slug: 'gpt-5-3', parent_id: user.id },
          },
          conversation_id: conv,
        },
        c: 1,
      },
      'delta',
    ),
    ev({ p: '/message/content/parts/0', o: 'append', v: P.reply[0] }, 'delta'),
    ev({ v: P.reply[1] }, 'delta'),
    ev(
      {
        p: '',
        o: 'patch',
        v: [
          { p: '/message/content/parts/0', o: 'append', v: P.reply[2] },
          { p: '/message/status', o: 'replace', v: 'finished_successfully' },
          { p: '/message/end_turn', o: 'replace', v: true },
          { p: '/message/metadata', o: 'append', v: { is_complete: true, finish_details: { type: 'stop' } } },
        ],
      },
      'delta',
    ),
    ev({
      type: 'server_ste_metadata',
      metadata: { request_id: 'req-6a899a17', plan_type: 'plus' },
      conversation_id: conv,
    }),
    ev({ type: 'title_generation', title: P.title, conversation_id: conv }),
    ev({ type: 'message_stream_complete', conversation_id: conv }),
    'data: [DONE]\n\n',
  ].join('');
}

/** The logged-in 2026 flow with every personal value planted. */
export function personalFlow(): FlowLike {
  const origin = 'https://chatgpt.com';
  const api = `${origin}/backend-api`;
  const auth: [string, string][] = [
    [
      'authorization',
      'Bearer eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6ImFkYUBleGFtcGxlLm9yZyJ9.c2lnbmF0dXJlc2lnbmF0dXJl',
    ],
    ['oai-device-id', P.deviceId],
    ['oai-session-id', P.sessionId],
    ['chatgpt-account-id', P.accountId],
    ['oai-language', 'en-US'],
  ];
  const jsonAuth: [string, string][] = [...auth, ['content-type', 'application/json']];
  const user = {
    id: 'b1c2d3e4-0000-4000-8000-000000000001',
    author: { role: 'user' },
    content: { content_type: 'text', parts: [P.prompt] },
  };
  const segment = {
    batch: [
      {
        event: 'Generate Completion',
        type: 'track',
        userId: P.userId,
        anonymousId: P.anonymousId,
        properties: { suggestions: [P.suggestion], model: 'auto' },
        context: {
          page: { path: `/c/${CONV}`, title: P.title, url: `${origin}/c/${CONV}`, search: '' },
          device_id: P.deviceId,
          ip: P.ip,
          traits: { email: P.email, name: P.name },
        },
        messageId: 'ajs-next-1773326574964-81f9f70b',
        writeKey: 'oai',
      },
    ],
    sentAt: '2026-04-13T17:07:01.000Z',
  };
  const statsig = {
    events: [
      {
        eventName: 'statsig::gate_exposure',
        user: {
          userID: P.userId,
          email: P.email,
          ip: P.ip,
          customIDs: { stableID: P.stableId, WorkspaceID: P.workspaceId },
        },
        metadata: { gate: 'chatgpt_fast_path', gateValue: 'true' },
      },
    ],
    statsigMetadata: { sdkType: 'javascript-client', stableID: P.stableId, sessionID: P.statsigSid },
  };
  const datadog = [
    {
      message: `composer: ${P.prompt}`,
      usr: { id: P.userId, email: P.email, name: P.name },
      session: { id: P.sessionId },
    },
    {
      message: 'render',
      view: { url: `${origin}/c/${CONV}`, referrer: `${origin}/?q=${encodeURIComponent(P.prompt)}` },
    },
  ]
    .map(json)
    .join('\n');
  return {
    origin,
    pagePath: '/',
    steps: [
      {
        request: { method: 'GET', url: `${origin}/api/auth/session`, headers: [] },
        response: ok({
          user: {
            id: P.userId,
            name: P.name,
            email: P.email,
            image: P.avatar,
            intercom_hash: P.intercomHash,
          },
          account: { id: P.accountId, planType: 'plus' },
          expires: '2026-05-13T17:00:00.000Z',
          accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.YWNjZXNzdG9rZW5zaWc',
        }),
      },
      {
        request: { method: 'GET', url: `${api}/me`, headers: auth },
        response: ok({
          object: 'user',
          id: P.userId,
          email: P.email,
          name: P.name,
          phone_number: P.phone,
          orgs: { object: 'list', data: [{ object: 'organization', id: P.orgId, title: 'Personal' }] },
        }),
      },
      {
        request: { method: 'GET', url: `${api}/accounts/check/v4-2023-04-27`, headers: auth },
        response: ok({
          accounts: {
            [P.accountId]: {
              account: {
                account_id: P.accountId,
                account_user_id: `${P.userId}__${P.accountId}`,
                name: P.workspaceName,
                organization_id: P.orgId,
                plan_type: 'team',
              },
              entitlement: { subscription_id: P.subscriptionId, has_active_subscription: true },
            },
          },
          account_ordering: [P.accountId],
        }),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/f/conversation/prepare`,
          headers: jsonAuth,
          body: json({
            action: 'next',
            conversation_id: CONV,
            partial_query: {
              id: user.id,
              author: user.author,
              content: { content_type: 'text', parts: [P.partial] },
            },
          }),
        },
        response: ok({ status: 'ok', conduit_token: 'CONDUITPLACEHOLDERTOKEN' }),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/f/conversation`,
          headers: [...jsonAuth, ['x-oai-turn-trace-id', 'trace-7fbf']],
          body: json({
            action: 'next',
            messages: [user],
            conversation_id: CONV,
            parent_message_id: 'a0a0a0a0-0000-4000-8000-000000000000',
            model: 'auto',
            suggestions: [P.suggestion],
            supported_encodings: ['v1'],
          }),
        },
        response: {
          status: 200,
          headers: [
            ['content-type', 'text/event-stream; charset=utf-8'],
            ['x-oai-request-id', 'req-6a899a17'],
          ],
          body: v1Stream(),
          stream: { chunkBytes: 90, delayMs: 15 },
        },
      },
      {
        request: {
          method: 'POST',
          url: `${origin}/ces/v1/b`,
          headers: [['content-type', 'text/plain']],
          body: json(segment),
        },
        response: ok({ success: true }),
      },
      {
        request: {
          method: 'POST',
          url: `https://ab.chatgpt.com/v1/rgstr?k=client-nb0qtYlZuy2tCMN5s5ncnuIBCJncjRViT0IzFm7GqST&st=javascript-client&sid=${P.statsigSid}`,
          headers: JSONH,
          body: json(statsig),
        },
        response: { status: 202, headers: JSONH, body: json({ success: true }) },
      },
      {
        request: {
          method: 'POST',
          url: `https://ab.chatgpt.com/v1/rgstr?k=client-x&st=javascript-client&gz=1&sid=${P.statsigSid}`,
          headers: [],
          bodyBase64: gzipSync(json(statsig)).toString('base64'),
        },
        response: { status: 202, headers: JSONH, body: json({ success: true }) },
      },
      {
        request: {
          method: 'POST',
          url: `${origin}/ces/v1/telemetry/intake?ddforward=%2Fapi%2Fv2%2Flogs`,
          headers: [['content-type', 'text/plain;charset=UTF-8']],
          body: datadog,
        },
        response: { status: 202, headers: JSONH, body: json({ ok: true, error: null }) },
      },
      {
        request: {
          method: 'POST',
          url: `${api}/lat/r`,
          headers: jsonAuth,
          body: json({
            server_request_id: 'req-6a899a17',
            model: 'auto',
            count_tokens: 3,
            ts_first_token_ms: 600,
          }),
        },
        response: ok({ status: 'success' }),
      },
      {
        request: {
          method: 'POST',
          url: `${api}/conversation/gen_title/${CONV}`,
          headers: jsonAuth,
          body: json({ message_id: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216' }),
        },
        response: ok({ title: P.title }),
      },
      {
        request: {
          method: 'GET',
          url: `${api}/conversations?offset=0&limit=28&order=updated`,
          headers: auth,
        },
        response: ok({
          items: [{ id: CONV, title: P.title, snippet: P.prompt, workspace_id: P.workspaceId }],
          total: 1,
          limit: 28,
          offset: 0,
        }),
      },
      {
        request: { method: 'GET', url: `${api}/conversation/${CONV}`, headers: auth },
        response: ok({
          title: P.title,
          current_node: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216',
          mapping: {
            [user.id]: {
              id: user.id,
              message: user,
              parent: null,
              children: ['c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216'],
            },
            'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216': {
              id: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216',
              message: {
                author: { role: 'assistant' },
                content: { content_type: 'text', parts: [P.reply.join('')] },
                metadata: {
                  search_result_groups: [
                    { entries: [{ url: 'https://cats.example/salmon', title: 'Salmon for tabbies' }] },
                  ],
                },
              },
              parent: user.id,
              children: [],
            },
          },
          conversation_id: CONV,
        }),
      },
      {
        request: {
          method: 'GET',
          url: `${api}/prompt_library/?q=${encodeURIComponent(P.partial)}`,
          headers: auth,
        },
        response: ok({
          items: [{ id: 'p0', title: P.suggestion, prompt: P.suggestion, description: 'Whiskers party' }],
        }),
      },
    ],
  };
}

/** personalFlow captured, plus a 2026 ws.chatgpt.com socket carrying the reply as v1 items. */
export function personalCapture(): Captured {
  const cap = captureFlow(personalFlow(), {
    prefix: 'me',
    pageSessionId: 'me-page',
    startTime: Date.parse('2026-04-13T17:07:00.000Z'),
    pageUrls: [{ fromStep: 5, url: `https://chatgpt.com/c/${CONV}?q=${encodeURIComponent(P.prompt)}` }],
  });
  const items = [
    `event: delta\ndata: ${json({ p: '/message/content/parts/0', o: 'append', v: P.reply[0] })}\n\n`,
    `event: delta\ndata: ${json({ v: P.reply[1] })}\n\n`,
  ];
  captureCall(
    { pageSessionId: 'me-page', tabId: 1, pageUrl: `https://chatgpt.com/c/${CONV}`, prefix: 'me-ws' },
    0,
    {
      method: 'GET',
      url: 'wss://ws.chatgpt.com/ws/user/abc?verify=VERIFYTOKENPLACEHOLDER',
      transport: 'websocket',
      startTime: Date.parse('2026-04-13T17:07:00.500Z'),
      frames: [
        {
          data: json([
            { id: 5, command: { type: 'subscribe', topic_id: `conversation-turn-${CONV}`, offset: '0' } },
          ]),
          direction: 'out',
        },
        ...items.map((item, i) => ({
          data: json({
            type: 'message',
            topic_id: `conversation-turn-${CONV}`,
            payload: {
              type: 'conversation-turn-stream',
              payload: {
                type: 'stream-item',
                conversation_id: CONV,
                encoded_item: item,
                stream_item_id: `item-${i}`,
              },
            },
          }),
        })),
      ],
    },
    cap,
  );
  return cap;
}

/** The e2e seed flow (2023, two turns) and the real 2026 logged-out flow, with canaries, unredacted. */
export function seedAndReal(seed = 'x'): Captured & { canaries: string[] } {
  const k = makeCanaries(seed);
  const cap = captureFlow(seedFlow(k), { prefix: 'seed', pageSessionId: 'seed-page' });
  captureFlow(
    realFlow2026(k),
    { prefix: 'real', pageSessionId: 'real-page', startTime: Date.parse('2026-03-12T14:42:54.000Z') },
    cap,
  );
  return { ...cap, canaries: k.all() };
}

export function memorySource(cap: Captured): CaptureSource & { reads: number } {
  const calls = [...cap.calls];
  const source = {
    reads: 0,
    async allCalls(): Promise<StoredCall[]> {
      return calls.map((c) => ({ ...c }));
    },
    async chunks(callId: string): Promise<StoredChunk[]> {
      source.reads++;
      return (cap.chunks.get(callId) ?? []).map((c) => ({ ...c }));
    },
  };
  return source;
}

export function merge(...caps: Captured[]): Captured {
  const out: Captured = { calls: [], chunks: new Map() };
  for (const c of caps) {
    out.calls.push(...c.calls);
    for (const [k, v] of c.chunks) out.chunks.set(k, v);
  }
  return out;
}

/**
 * `count` small synthetic calls in page sessions of 20, each with one streamed conversation turn: the
 * 100,000-call stores of the export tests and the export bench.
 */
export function syntheticCaptures(count: number): { source: CaptureSource; calls: StoredCall[] } {
  const calls: StoredCall[] = [];
  const chunks = new Map<string, StoredChunk[]>();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const session = Math.floor(i / 20);
    const conv = `${session.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    const send = i % 20 === 5;
    const callId = `c${i}`;
    const startTime = t0 + i * 10;
    calls.push({
      callId,
      pageSessionId: `p${session}`,
      tabId: 1,
      transport: 'fetch',
      method: 'POST',
      url: send ? 'https://chatgpt.com/backend-api/f/conversation' : 'https://chatgpt.com/ces/v1/t',
      pageUrl: 'https://chatgpt.com/',
      kind: send ? 'conversation' : 'ces',
      conversationId: send ? conv : null,
      requestHeaders: [['content-type', 'application/json']],
      requestBody: send
        ? JSON.stringify({ action: 'next', conversation_id: conv, messages: [] })
        : '{"event":"x"}',
      requestBodyEncoding: 'text',
      requestTruncated: false,
      startTime,
      status: 200,
      statusText: 'OK',
      responseHeaders: [['content-type', send ? 'text/event-stream' : 'application/json']],
      responseBodyEncoding: 'text',
      headersTime: startTime + 2,
      endTime: startTime + 8,
      outcome: 'complete',
      bodyBytes: 20,
      chunkCount: 1,
    });
    chunks.set(callId, [
      {
        callId,
        seq: 0,
        time: startTime + 5,
        bytes: 20,
        data: send ? `data: {"conversation_id": "${conv}"}\n\ndata: [DONE]\n\n` : '{"success":true}',
      },
    ]);
  }
  const source: CaptureSource = {
    allCalls: async () => calls,
    chunks: async (id) => chunks.get(id) ?? [],
    // The extension's client reads many calls' chunks in one transaction.
    chunksOf: async (ids) => new Map(ids.map((id) => [id, chunks.get(id) ?? []])),
  };
  return { source, calls };
}
