import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/fixtures';
import {
  makeCanaries,
  seedFlow,
  THINKING_ANSWER,
  thinkingFlow2026,
  WS_ANSWER,
  webSocketTurn2026,
} from '../../test/flows';
import { analyzeConversation } from './analyze';
import { DecodeCache, decodeCall } from './decode';
import { summarizeConversations } from './group';
import {
  type Captured,
  captureCall,
  captureDigest,
  captureFlow,
  editBody,
  editStep,
  type FlowLike,
} from './test-captures';
import type { Conversation, FlowCheck, FlowRule } from './types';

const SEED = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
const REAL = '69b2d0ea-1970-83e8-95a6-1d5d1d85117e';
const expected = (rel: string) => JSON.parse(readFixture(rel)) as { final_text: string };
const A_TEXT = expected('synthetic/a_2023-12_legacy_new-conversation.expected.json').final_text;
const B_TEXT = expected('synthetic/b_2023-12_legacy_continuation.expected.json').final_text;

const seed = (opts: { brokenContinuation?: boolean } = {}) => seedFlow(makeCanaries('t'), opts);
function analyze(flow: FlowLike, opts: Parameters<typeof captureFlow>[1] = {}): Conversation {
  const cap = captureFlow(flow, opts);
  const conv = analyzeConversation(cap.calls, cap.chunks);
  if (!conv) throw new Error('no conversation');
  return conv;
}
const status = (conv: Conversation) => Object.fromEntries(conv.checks.map((c) => [c.id, c.status]));
const checkOf = (conv: Conversation, id: string): FlowCheck => {
  const c = conv.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}: ${conv.checks.map((x) => x.id).join(', ')}`);
  return c;
};

describe('analyzeConversation on the seed flow', () => {
  const conv = analyze(seed());

  it('decodes each turn: prompt, models, answer, message ids', () => {
    expect(conv.id).toBe(SEED);
    expect(conv.title).toBe('Roman Empire Fun Fact');
    const [t0, t1] = conv.turns;
    expect(t0).toMatchObject({
      callId: 'seed-3',
      userPrompt: 'Tell me a random fun fact about the Roman Empire',
      model: { requested: 'text-davinci-002-render-sha', resolved: 'text-davinci-002-render-sha' },
      assistantText: A_TEXT,
      messageIds: {
        user: 'aaa27fdc-adfc-4e97-8383-7be26db90000',
        parent: 'aaa1625d-8249-4412-9825-004c31440000',
        assistant: '14588fa1-94fd-43d1-9104-e5b108bd8d7a',
      },
      isContinuation: false,
      live: false,
      incomplete: false,
    });
    expect(t1).toMatchObject({
      callId: 'seed-7',
      userPrompt: 'How true is that?',
      assistantText: B_TEXT,
      isContinuation: true,
      messageIds: {
        parent: '14588fa1-94fd-43d1-9104-e5b108bd8d7a',
        user: 'aaa292aa-2314-4541-ae51-e6358df444e1',
      },
    });
  });

  it('links gen_title, lat/r (by cf-ray), the list refresh, and the calls around each send', () => {
    const [t0, t1] = conv.turns;
    expect(t0?.linkedCalls).toMatchObject({
      genTitle: { callId: 'seed-6', urlConversationId: SEED, title: 'Roman Empire Fun Fact' },
      latR: { callId: 'seed-5', guess: false },
      conversationsList: 'seed-4',
      before: ['seed-0', 'seed-1', 'seed-2'],
    });
    expect(t1?.linkedCalls).toMatchObject({ latR: { callId: 'seed-8', guess: false }, other: ['seed-9'] });
    expect(t1?.linkedCalls.genTitle).toBeUndefined();
    expect(conv.calls).toEqual(Array.from({ length: 10 }, (_, i) => `seed-${i}`));
  });

  it('puts the recorder latency next to the lat/r report', () => {
    const t0 = conv.turns[0];
    // captureFlow: headers 400 ms after start, chunks 10 ms later then every 15 ms.
    expect(t0?.latency.timeToHeadersMs).toBe(400);
    expect(t0?.reported).toMatchObject({
      serverRequestId: '835f17ad7df40001-MBA',
      tsFirstTokenMs: 640.6,
      countTokens: 56,
    });
    const rows = Object.fromEntries((t0?.comparison?.rows ?? []).map((r) => [r.metric, r]));
    expect(rows.ttft).toMatchObject({ reportedField: 'ts_first_token_ms', reported: 640.6 });
    expect(rows.ttft?.difference).toBeCloseTo((t0?.latency.ttftMs ?? 0) - 640.6, 9);
    expect(rows.contentEvents).toMatchObject({ measured: t0?.latency.contentEvents, reported: 56 });
    expect(rows.total?.difference).toBeCloseTo((t0?.latency.totalMs ?? 0) - 2486.9, 9);
    expect(t0?.comparison?.guess).toBe(false);
  });

  it('passes every applicable flow check', () => {
    expect(status(conv)).toEqual({
      'new-chat-request#0': 'pass',
      'new-chat-suggestions#0': 'pass',
      'continuation-request#1': 'pass',
      'conversation-id-stable': 'pass',
      'gen-title-id#0': 'pass',
      'parent-known#0': 'skip',
      'parent-known#1': 'pass',
      'lat-r-linked#0': 'pass',
      'lat-r-linked#1': 'pass',
      'bodies-recognized': 'pass',
    });
    expect(conv.flags).not.toContain('check-failed');
  });
});

describe('flow checks fail on broken flows', () => {
  const fails = (conv: Conversation, rule: FlowRule) =>
    conv.checks.filter((c) => c.rule === rule && c.status === 'fail');

  it('a new chat without a client-made parent', () => {
    const conv = analyze(editBody(seed(), 3, (b) => delete b.parent_message_id));
    expect(fails(conv, 'new-chat-request').map((c) => c.id)).toEqual(['new-chat-request#0']);
  });

  it('a 2023 new chat without suggestions', () => {
    const conv = analyze(editBody(seed(), 3, (b) => (b.suggestions = [])));
    expect(checkOf(conv, 'new-chat-suggestions#0')).toMatchObject({
      status: 'fail',
      evidence: 'suggestions is empty',
    });
  });

  it('a continuation carrying suggestions', () => {
    const conv = analyze(seed({ brokenContinuation: true }));
    const c = checkOf(conv, 'continuation-request#1');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain('4 suggestions');
    expect(c.callIds).toEqual(['seed-7']);
  });

  it('a stream that names another conversation id', () => {
    const other = '99999999-0f51-47ba-84a3-07c1e25dce81';
    const flow = editStep(seed(), 7, (s) => ({
      ...s,
      response: { ...s.response, body: (s.response.body ?? '').replaceAll(SEED, other) },
    }));
    const c = checkOf(analyze(flow), 'conversation-id-stable');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain(`"${other}" in stream of turn 1`);
  });

  it('a gen_title with another conversation id (found through the answer it titles)', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const flow = editStep(seed(), 6, (s) => ({
      ...s,
      request: { ...s.request, url: s.request.url.replace(SEED, other) },
    }));
    const conv = analyze(flow);
    const c = checkOf(conv, 'gen-title-id#0');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain(other);
    expect(conv.calls).toContain('seed-6');
  });

  it('a parent that no earlier message has', () => {
    const conv = analyze(
      editBody(seed(), 7, (b) => (b.parent_message_id = '00000000-dead-4bee-8000-000000000000')),
    );
    const c = checkOf(conv, 'parent-known#1');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain('not a message seen earlier');
  });

  it('a lat/r whose id matches no send is linked as a guess, and the check says so', () => {
    const conv = analyze(editBody(seed(), 5, (b) => (b.server_request_id = 'ffffffffffffffff-XXX')));
    const t0 = conv.turns[0];
    expect(t0?.linkedCalls.latR).toEqual({ callId: 'seed-5', guess: true });
    expect(t0?.comparison?.guess).toBe(true);
    expect(checkOf(conv, 'lat-r-linked#0').status).toBe('fail');
    // The second turn still finds its own by id; the guess did not steal it.
    expect(conv.turns[1]?.linkedCalls.latR).toEqual({ callId: 'seed-8', guess: false });
  });

  it('a body that does not match its schema', () => {
    const conv = analyze(editBody(seed(), 5, (b) => (b.count_tokens = '56')));
    expect(conv.bodyIssues).toEqual([
      expect.objectContaining({
        callId: 'seed-5',
        side: 'request',
        status: 'unrecognized',
        path: '/count_tokens',
      }),
    ]);
    expect(checkOf(conv, 'bodies-recognized')).toMatchObject({ status: 'fail', callIds: ['seed-5'] });
    expect(conv.flags).toEqual(expect.arrayContaining(['check-failed', 'unrecognized-body']));
  });
});

describe('analyzeConversation on the real 2026 capture', () => {
  const cap = captureDigest(
    'real/har-digest_2026-03-12_chatgpt.com_backend-anon.json',
    'real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse',
  );
  const conv = analyzeConversation(cap.calls, cap.chunks);

  it('decodes the v1 turn and sorts the calls around it', () => {
    expect(conv?.id).toBe(REAL);
    const t = conv?.turns[0];
    expect(t).toMatchObject({
      userPrompt: 'test',
      model: { requested: 'auto', resolved: 'gpt-5-3' },
      assistantText: '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a',
      messageIds: {
        user: '5cce7ee2-fca3-4677-8497-7da8e4db4c4b',
        parent: 'client-created-root',
        assistant: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216',
      },
    });
    expect(t?.linkedCalls.sentinel).toHaveLength(4);
    expect(t?.linkedCalls.telemetry).toHaveLength(16);
    expect(t?.linkedCalls.latR).toBeUndefined();
    // Five patch frames carried text (docs/protocol.md §3.6: lat/r's count_tokens would be 5).
    expect(t?.latency.contentEvents).toBe(5);
  });

  it('judges the 2026 flow by 2026 rules', () => {
    expect(status(conv as Conversation)).toMatchObject({
      'new-chat-request#0': 'pass',
      'new-chat-suggestions#0': 'skip',
      'conversation-id-stable': 'pass',
      'gen-title-id': 'skip',
      'lat-r-linked#0': 'skip',
      'bodies-recognized': 'pass',
    });
  });
});

describe('live capture', () => {
  const flow = seed();
  const upToSend = { ...flow, steps: flow.steps.slice(0, 4) };

  it('analyses a stream still in progress: partial text, live and incomplete', () => {
    const conv = analyze(upToSend, { liveAt: { step: 3, chunks: 12 } });
    const t = conv.turns[0];
    expect(conv.live).toBe(true);
    expect(conv.incomplete).toBe(true);
    expect(conv.flags).toEqual(expect.arrayContaining(['live', 'incomplete']));
    expect(t?.live).toBe(true);
    expect(t?.latency.totalMs).toBeNull();
    expect(t?.assistantText.length).toBeGreaterThan(0);
    expect(t?.assistantText.length).toBeLessThan(A_TEXT.length);
    expect(A_TEXT.startsWith(t?.assistantText ?? 'x')).toBe(true);
    expect(checkOf(conv, 'lat-r-linked#0')).toMatchObject({
      status: 'skip',
      evidence: 'the turn is still streaming',
    });
  });

  it('keeps a provisional conversation analysable before the stream names its id', () => {
    const conv = analyze(upToSend, { liveAt: { step: 3, chunks: 0 } });
    expect(conv.id).toBe('provisional:seed-3');
    expect(conv.turns[0]).toMatchObject({ assistantText: '', live: true, incomplete: true });
  });

  it('decodes a growing stream incrementally to the same result as one decode of the whole', () => {
    const full = captureFlow(upToSend);
    const call = full.calls[3];
    const chunks = full.chunks.get('seed-3') ?? [];
    if (!call) throw new Error('no send');
    const cache = new DecodeCache();
    const open = { ...call };
    delete open.endTime;
    delete open.outcome;
    const partial = cache.decode(open, chunks.slice(0, 5));
    const more = cache.decode(open, chunks.slice(0, 15));
    const done = cache.decode(call, chunks);
    expect(A_TEXT.startsWith(partial.text)).toBe(true);
    expect(more.text.length).toBeGreaterThanOrEqual(partial.text.length);
    expect(done).toEqual(decodeCall(call, chunks));
    expect(done.text).toBe(A_TEXT);
    expect(cache.decode(call, chunks)).toBe(done);
  });
});

describe('answers delivered over a WebSocket (2024, docs/protocol.md §5.6)', () => {
  it('reads the turn from the socket frames that carry the send’s response_id', () => {
    const cap: Captured = { calls: [], chunks: new Map() };
    const ctx = { pageSessionId: 'ws-page', tabId: 3, pageUrl: 'https://chat.openai.com/', prefix: 'ws' };
    const t0 = Date.parse('2024-03-12T10:00:00Z');
    const sse = readFixture('synthetic/a_2023-12_legacy_new-conversation.sse');
    const seedSend = seed().steps[3];
    if (!seedSend) throw new Error('seed changed');
    captureCall(
      ctx,
      0,
      {
        method: 'GET',
        url: 'wss://x.webpubsub.azure.com/client/hubs/conversations',
        transport: 'websocket',
        startTime: t0,
        frames: [
          { data: '{"type":"system","event":"connected"}' },
          { data: '{"type":"joinGroup","group":"g"}', direction: 'out' },
          // Another response on the same socket: must not leak into this turn.
          {
            data: JSON.stringify({
              sequenceId: 1,
              type: 'message',
              from: 'server',
              dataType: 'json',
              data: {
                type: 'http.response.body',
                body: Buffer.from('data: {"message": null}\n\n').toString('base64'),
                more_body: false,
                response_id: 'other',
                conversation_id: SEED,
              },
            }),
          },
          ...[0, 1, 2, 3].map((i) => {
            const piece = sse.slice((i * sse.length) / 4, ((i + 1) * sse.length) / 4);
            const data = {
              type: 'http.response.body',
              body: Buffer.from(piece).toString('base64'),
              more_body: i < 3,
              response_id: 'resp-1',
              conversation_id: SEED,
            };
            return {
              data: JSON.stringify({
                sequenceId: i + 2,
                type: 'message',
                from: 'server',
                dataType: 'json',
                data,
              }),
            };
          }),
        ],
        liveAfterChunks: 99,
      },
      cap,
    );
    // The frames above start 70 ms after t0; the send starts just before them.
    captureCall(
      ctx,
      1,
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/conversation',
        requestBody: seedSend.request.body ?? null,
        responseHeaders: [['content-type', 'application/json']],
        responseBody: JSON.stringify({ wss_url: 'wss://x', conversation_id: SEED, response_id: 'resp-1' }),
        startTime: t0 + 5,
        headersAfterMs: 20,
      },
      cap,
    );
    const conv = analyzeConversation(cap.calls, cap.chunks);
    const t = conv?.turns[0];
    expect(t?.answerSource).toBe('websocket');
    expect(t?.decodedResponse?.format).toBe('websocket-json');
    expect(t?.assistantText).toBe(A_TEXT);
    expect(t?.linkedCalls.sockets).toEqual(['ws-0']);
    expect(t?.latency.contentEvents).toBeGreaterThan(0);
    expect(conv?.calls).toContain('ws-0');
  });
});

describe('a send cut by a network error and continued by f/conversation/resume (docs/protocol.md §5.5)', () => {
  const FULL = '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a';
  const sse = readFixture('real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse');
  const events = sse
    .split(/\n\n+/)
    .filter((b) => b.trim() !== '')
    .map((b) => `${b}\n\n`);

  /** The real capture with its send cut after `n` events (mid-event) and a resume POST for the rest. */
  function resumed(n: number, opts: { preamble?: boolean; resumeOutcome?: 'complete' | 'aborted' } = {}) {
    const cap = captureDigest(
      'real/har-digest_2026-03-12_chatgpt.com_backend-anon.json',
      'real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse',
    );
    const send = cap.calls.find((c) => c.kind === 'conversation');
    if (!send) throw new Error('no send in the digest');
    cap.calls.splice(cap.calls.indexOf(send), 1);
    cap.chunks.delete(send.callId);
    const ctx = {
      pageSessionId: send.pageSessionId,
      tabId: send.tabId,
      pageUrl: send.pageUrl,
      prefix: 'cut',
    };
    const next = events[n] ?? '';
    const stream = { chunkChars: 300, delayMs: 60 };
    const sendEnd = captureCall(
      ctx,
      0,
      {
        method: 'POST',
        url: send.url,
        requestHeaders: send.requestHeaders,
        requestBody: send.requestBody,
        responseHeaders: send.responseHeaders ?? [],
        responseBody: events.slice(0, n).join('') + next.slice(0, 40),
        stream,
        startTime: send.startTime,
        headersAfterMs: 700,
        outcome: 'aborted',
      },
      cap,
    );
    const resumeBody =
      (opts.preamble ? 'event: delta_encoding\ndata: "v1"\n\n' : '') + events.slice(n).join('');
    captureCall(
      ctx,
      1,
      {
        method: 'POST',
        url: 'https://chatgpt.com/backend-anon/f/conversation/resume',
        requestHeaders: [
          ['content-type', 'application/json'],
          ['x-conduit-token', 'no-token'],
        ],
        requestBody: JSON.stringify({ conversation_id: REAL, offset: n }),
        responseHeaders: [['content-type', 'text/event-stream; charset=utf-8']],
        responseBody: resumeBody,
        stream,
        startTime: sendEnd + 300,
        outcome: opts.resumeOutcome ?? 'complete',
      },
      cap,
    );
    return cap;
  }

  for (const [n, preamble] of [
    [10, false],
    [10, true],
    [9, false],
    [7, true],
  ] as const) {
    it(`one turn with the whole answer (cut after ${n} events, ${preamble ? 'with' : 'no'} preamble)`, () => {
      const cap = resumed(n, { preamble });
      const conv = analyzeConversation(cap.calls, cap.chunks);
      expect(conv?.id).toBe(REAL);
      expect(conv?.turns).toHaveLength(1);
      const t = conv?.turns[0];
      expect(t).toMatchObject({
        callId: 'cut-0',
        assistantText: FULL,
        incomplete: false,
        live: false,
        decoded: { status: 'finished_successfully', terminator: '[DONE]' },
        linkedCalls: { resumes: ['cut-1'] },
      });
      expect(t?.decoded.events.filter((e) => e.flag?.includes('no operation'))).toEqual([]);
      // Five text frames in all; TTFT from the send (the first may be in the original part), total to the
      // resume's end.
      expect(t?.latency.contentEvents).toBe(5);
      const resume = cap.calls.find((c) => c.callId === 'cut-1');
      const send = cap.calls.find((c) => c.callId === 'cut-0');
      expect(t?.latency.totalMs).toBe((resume?.endTime ?? 0) - (send?.startTime ?? 0));
      expect(conv?.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(status(conv as Conversation)).toMatchObject({
        'new-chat-request#0': 'pass',
        'conversation-id-stable': 'pass',
        'bodies-recognized': 'pass',
      });
      expect(conv?.flags).not.toContain('incomplete');
      expect(conv?.flags).not.toContain('check-failed');
      expect(conv?.calls).toContain('cut-1');
    });
  }

  it('without its resume the cut send is an incomplete turn with the first part only', () => {
    const cap = resumed(10);
    const calls = cap.calls.filter((c) => c.callId !== 'cut-1');
    const conv = analyzeConversation(calls, cap.chunks);
    expect(conv?.turns[0]?.assistantText).toBe('\u2705 Test received');
    expect(conv?.turns[0]?.incomplete).toBe(true);
  });

  it('a resume recorded as aborted after its [DONE] still gives one whole turn', () => {
    const cap = resumed(10, { resumeOutcome: 'aborted' });
    const conv = analyzeConversation(cap.calls, cap.chunks);
    // The page may abort right after the last useful event (docs/protocol.md §6.3); the events decide, not
    // the outcome.
    expect(conv?.turns).toHaveLength(1);
    expect(conv?.turns[0]?.assistantText).toBe(FULL);
  });

  it('the list summary does not call the resumed conversation incomplete', () => {
    const cap = resumed(10);
    const list = summarizeConversations(cap.calls, { bodies: cap.chunks });
    const summary = list.find((c) => c.id === REAL);
    expect(summary?.turnCount).toBe(1);
    expect(summary?.flags).not.toContain('incomplete');
  });

  it('a live resume: the turn is live and shows the text so far', () => {
    const cap = resumed(10);
    const resume = cap.calls.find((c) => c.callId === 'cut-1');
    if (!resume) throw new Error('no resume');
    const { endTime: _e, outcome: _o, ...open } = resume;
    const chunks = new Map(cap.chunks);
    chunks.set('cut-1', (cap.chunks.get('cut-1') ?? []).slice(0, 1));
    const calls = cap.calls.map((c) => (c.callId === 'cut-1' ? open : c));
    const conv = analyzeConversation(calls, chunks);
    const t = conv?.turns[0];
    expect(t?.live).toBe(true);
    expect(t?.decoded.terminator).toBe('open');
    expect(FULL.startsWith(t?.assistantText ?? 'x')).toBe(true);
  });
});

describe('phases of 2026 turns (docs/protocol.md §13)', () => {
  it('a thinking turn: its phases, and the reasoning time next to "Thought for 2s" without lat/r', () => {
    const conv = analyze(thinkingFlow2026(makeCanaries('t')), { prefix: 'th' });
    const t = conv.turns[0];
    expect(t?.assistantText).toBe(THINKING_ANSWER);
    // captureFlow: headers 60 ms after the send, then each piece after its pause (THINKING_PACE).
    expect(t?.latency.phases).toMatchObject({
      ttfbMs: 660,
      reasoningAtMs: 710,
      reasoningMs: 1740,
      reportedThoughtSeconds: 2,
      tools: [{ tool: 'web.run', startMs: 1230, durationMs: 800 }],
      firstAnswerTextMs: 2510,
    });
    expect(t?.comparison).toEqual({
      guess: false,
      rows: [
        {
          metric: 'reasoning',
          reportedField: 'finished_duration_sec',
          measured: 1740,
          reported: 2000,
          difference: -260,
        },
      ],
    });
  });

  it('a WebSocket turn with catch-ups: phases from the socket frames, counted from the send', () => {
    const k = makeCanaries('t');
    const ws = webSocketTurn2026(k);
    const t0 = Date.parse('2026-07-20T10:00:00Z');
    const cap = captureFlow(ws.flow, { prefix: 'wss', pageSessionId: 'ws26', startTime: t0 });
    // The socket opens after the handoff; the subscribe goes out, then the reply with the catch-ups and
    // the remaining items, 20 ms apart from 70 ms after the socket's start.
    captureCall(
      { pageSessionId: 'ws26', tabId: 1, pageUrl: 'https://chatgpt.com/', prefix: 'sock' },
      0,
      {
        method: 'GET',
        url: 'wss://ws.chatgpt.com/ws/user/u?verify=x',
        transport: 'websocket',
        startTime: t0 + 500,
        frames: [{ data: ws.subscribe, direction: 'out' }, ...ws.socketFrames.map((data) => ({ data }))],
        liveAfterChunks: 99,
      },
      cap,
    );
    const conv = analyzeConversation(cap.calls, cap.chunks);
    const t = conv?.turns[0];
    expect(t?.answerSource).toBe('websocket');
    expect(t?.assistantText).toBe(WS_ANSWER);
    // Frames at +570 (the subscribe, sent: not a byte received), +590 (the reply with five catch-ups: the
    // first byte and the first answer text), +610, +630, +650 ([DONE]), +670 (done).
    expect(t?.latency.phases).toMatchObject({
      ttfbMs: 590,
      firstAnswerTextMs: 590,
      reasoningMs: null,
      tools: [],
    });
    const p = t?.latency.phases;
    expect(p?.answerMs).toBe((p?.endAtMs ?? 0) - 590);
    expect(p?.endAtMs).toBeGreaterThanOrEqual(650);
  });
});
