import { describe, expect, it } from 'vitest';
import { readFixture, readJsonFixture } from '../../test/fixtures';
import { makeCanaries, seedFlow } from '../../test/flows';
import type { StoredCall } from '../store/schema';
import { groupCalls, summarizeConversations, summaryBodyCallIds } from './group';
import { type Captured, captureDigest, captureFlow, editStep, newChatFlow2023 } from './test-captures';

const SEED = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
const REAL = '69b2d0ea-1970-83e8-95a6-1d5d1d85117e';
const D = '5cb27e92-8fd7-460a-81af-46016a1494f1';
const seed = () => seedFlow(makeCanaries('t'));
const real = () =>
  captureDigest(
    'real/har-digest_2026-03-12_chatgpt.com_backend-anon.json',
    'real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse',
  );
const chatD = (sendOnly = false) =>
  newChatFlow2023({
    sse: readFixture('synthetic/d_2023-04_legacy_crlf-ping.sse'),
    prompt: 'What is the capital of Australia?',
    userMessageId: 'aaa0d0d0-0000-4000-8000-000000000001',
    parentMessageId: 'aaa0d0d0-0000-4000-8000-000000000000',
    cfRay: '835f17ad7df4000d-MBA',
    sendOnly,
  });
/** Two flows in one page session, the second starting after the first ended. */
function oneSession(
  first: Captured,
  second: Parameters<typeof captureFlow>[0],
  opts: { pageUrl?: string } = {},
) {
  const last = first.calls.at(-1);
  return captureFlow(
    second,
    {
      pageSessionId: first.calls[0]?.pageSessionId ?? 'seed-page',
      prefix: 'next',
      startTime: (last?.endTime ?? 0) + 1000,
      ...(opts.pageUrl ? { pageUrls: [{ fromStep: 0, url: opts.pageUrl }] } : {}),
    },
    first,
  );
}
const kindsOf = (calls: readonly StoredCall[], ids: readonly string[]) =>
  ids.map((id) => calls.find((c) => c.callId === id)?.kind);

describe('groupCalls', () => {
  it('puts every call of the seed flow into its one conversation, the pre-send calls included', () => {
    const { calls } = captureFlow(seed());
    const g = groupCalls(calls);
    expect(g.pageSessions).toHaveLength(1);
    expect(g.conversations.map((c) => c.id)).toEqual([SEED]);
    const [conv] = g.conversations;
    expect(conv?.turnCount).toBe(2);
    expect(conv?.callIds).toEqual(calls.map((c) => c.callId));
    expect(conv?.counts.byKind).toMatchObject({ prompt_library: 1, ces: 1, conversation: 2, lat_r: 2 });
    expect(conv?.firstPrompt).toBe('Tell me a random fun fact about the Roman Empire');
    expect(conv?.host).toBe('chat.openai.com');
    expect(g.pageSessions[0]?.unassignedCallIds).toEqual([]);
    expect(g.pageSessions[0]?.conversationIds).toEqual([SEED]);
  });

  it('groups the real 2026 logged-out capture: all 21 calls follow the new chat send', () => {
    const { calls } = real();
    const [conv, ...rest] = groupCalls(calls).conversations;
    expect(rest).toEqual([]);
    expect(conv?.id).toBe(REAL);
    expect(conv?.counts).toMatchObject({
      total: 21,
      byKind: { conversation: 1, sentinel: 4, statsig: 6, ces: 10 },
    });
    expect(conv?.host).toBe('chatgpt.com');
    expect(conv?.firstPrompt).toBe('test');
  });

  it('gives a new chat the calls after "New chat" (prompt_library), not the previous conversation', () => {
    const both = oneSession(captureFlow(seed()), chatD());
    const g = groupCalls(both.calls);
    expect(g.conversations.map((c) => c.id)).toEqual([SEED, D]);
    const d = g.conversations[1];
    expect(kindsOf(both.calls, d?.callIds ?? [])).toEqual(['prompt_library', 'ces', 'conversation', 'lat_r']);
    // The seed's trailing auth/session (no new-chat sign before it) stays with the seed conversation.
    expect(g.conversationOf.get('seed-9')).toBe(SEED);
  });

  it('without a new-chat sign, telemetry after the last turn stays with the current conversation', () => {
    const both = oneSession(captureFlow(seed()), chatD(true));
    const g = groupCalls(both.calls);
    expect(g.conversations.find((c) => c.id === D)?.callIds).toEqual(['next-0', 'next-1']);
  });

  it('uses the page URL: leaving /c/{id} starts a new chat; /c/{id} names the conversation', () => {
    const first = captureFlow(seed(), {
      pageUrls: [{ fromStep: 4, url: `https://chat.openai.com/c/${SEED}` }],
    });
    // The new chat's Segment call comes first (no prompt_library): only the page URL says the user left.
    const flow = chatD();
    const noLibrary = { ...flow, steps: flow.steps.slice(1) };
    const both = oneSession(first, noLibrary, { pageUrl: 'https://chat.openai.com/' });
    const g = groupCalls(both.calls);
    expect(g.conversationOf.get('next-0')).toBe(D);
    // A call made while looking at /c/{id}, in another page session, joins that conversation.
    const other = captureFlow(
      {
        origin: 'https://chat.openai.com',
        pagePath: `/c/${SEED}`,
        steps: [
          {
            request: { method: 'GET', url: 'https://chat.openai.com/api/auth/session', headers: [] },
            response: { status: 200, headers: [], body: '{}' },
          },
        ],
      },
      { pageSessionId: 'later', prefix: 'later', startTime: 1_800_000_000_000 },
    );
    const g2 = groupCalls([...both.calls, ...other.calls]);
    const s = g2.conversations.find((c) => c.id === SEED);
    expect(s?.pageSessionIds).toEqual(['seed-page', 'later']);
    expect(s?.flags).toContain('multi-page-session');
  });

  it('joins a lat/r to its send by request id even after the user moved on to a new chat', () => {
    const s = seed();
    const first = captureFlow({ ...s, steps: s.steps.slice(0, 8) }); // up to the continuation, no lat/r yet
    const d = chatD();
    const lateLatR = s.steps[8];
    if (!lateLatR) throw new Error('seed changed');
    const both = oneSession(first, {
      ...d,
      steps: [d.steps[0], lateLatR, ...d.steps.slice(1)].filter((x) => x !== undefined),
    });
    const g = groupCalls(both.calls);
    expect(both.calls.find((c) => c.callId === 'next-1')?.kind).toBe('lat_r');
    expect(g.conversationOf.get('next-1')).toBe(SEED);
    expect(g.conversationOf.get('next-0')).toBe(D);
  });

  it('a gen_title naming another conversation joins that one (the URL wins; the checks flag it)', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const flow = editStep(seed(), 6, (st) => ({
      ...st,
      request: { ...st.request, url: st.request.url.replace(SEED, other) },
    }));
    const g = groupCalls(captureFlow(flow).calls);
    expect(g.conversationOf.get('seed-6')).toBe(other);
  });

  it('leaves calls of a page load without any send unassigned', () => {
    const flow = seed();
    const { calls } = captureFlow({ ...flow, steps: flow.steps.slice(0, 3) });
    const g = groupCalls(calls);
    expect(g.conversations).toEqual([]);
    expect(g.pageSessions[0]?.unassignedCallIds).toEqual(['seed-0', 'seed-1', 'seed-2']);
  });

  it('gives a new chat whose stream has not named its id yet a provisional id, and marks it live', () => {
    const flow = seed();
    const { calls } = captureFlow(
      { ...flow, steps: flow.steps.slice(0, 4) },
      { liveAt: { step: 3, chunks: 0 } },
    );
    const [conv] = groupCalls(calls).conversations;
    expect(conv?.id).toBe('provisional:seed-3');
    expect(conv?.idSource).toBe('provisional');
    expect(conv?.flags).toEqual(expect.arrayContaining(['live', 'provisional-id', 'incomplete']));
    expect(conv?.callIds).toHaveLength(4);
  });
});

describe('summarizeConversations', () => {
  it('lists newest first, with titles from loaded bodies and search text', () => {
    const a = captureFlow(seed());
    const b = real();
    const calls = [...b.calls, ...a.calls];
    const bare = summarizeConversations(calls);
    expect(bare.map((c) => c.id)).toEqual([REAL, SEED]);
    expect(bare[1]?.title).toBeNull();

    const bodies = new Map([...a.chunks, ...b.chunks]);
    const wanted = new Set(summaryBodyCallIds(calls));
    const some = new Map([...bodies].filter(([id]) => wanted.has(id)));
    const rich = summarizeConversations(calls, { bodies: some });
    // gen_title's answer wins over the conversations list's "New chat".
    expect(rich[1]).toMatchObject({ title: 'Roman Empire Fun Fact', titleSource: 'gen_title' });
    expect(rich[1]?.searchText).toContain('how true is that?');
    expect(rich[1]?.searchText).toContain('roman empire fun fact');
    expect(rich[0]?.searchText).toContain('backend-anon/f/conversation');
    expect(rich[0]?.searchText).not.toContain('loud and clear');
    const withReplies = summarizeConversations(calls, { replies: new Map([['real-0', 'Loud and clear']]) });
    expect(withReplies[0]?.searchText).toContain('loud and clear');
  });

  it("a rename (PATCH conversation/{id} with a title, fixture real-2026/03) is the conversation's new title", () => {
    const a = captureFlow(seed());
    const rename = readJsonFixture('real-2026/03-url-patch-conversation-rename-hide.json') as {
      calls: { method: string; url: string; request: string; status: number }[];
    };
    const r = rename.calls[0]!;
    const last = Math.max(...a.calls.map((c) => c.startTime));
    const renameCall = {
      ...a.calls[0]!,
      callId: 'rename-1',
      method: r.method,
      url: r.url.replace('86f73b54-0f51-47ba-84a3-07c1e25dce81', SEED),
      kind: 'conversation_update' as const,
      conversationId: SEED,
      requestBody: r.request,
      requestBodyEncoding: 'text' as const,
      status: r.status,
      startTime: last + 1000,
      endTime: last + 1100,
    };
    const calls = [...a.calls, renameCall];
    const bodies = new Map(a.chunks);
    const [conv] = summarizeConversations(calls, { bodies });
    expect(conv).toMatchObject({ id: SEED, title: 'Roman Empire facts', titleSource: 'conversation_update' });
    // A rename the server refused changes nothing.
    const refused = summarizeConversations([...a.calls, { ...renameCall, status: 404 }], { bodies });
    expect(refused[0]).toMatchObject({ title: 'Roman Empire Fun Fact', titleSource: 'gen_title' });
  });

  it('takes a v1 title from the stream without decoding it', () => {
    const body = readFixture('synthetic/c_2026-02_v1_append-and-patch_no-done.sse');
    const flow = newChatFlow2023({
      sse: body,
      prompt: 'houseplants',
      userMessageId: 'ff9e7b13-e250-48dd-aae2-9765f942a134',
      parentMessageId: 'client-created-root',
      cfRay: 'x',
      sendOnly: true,
    });
    const cap = captureFlow(flow, { prefix: 'c' });
    const [conv] = summarizeConversations(cap.calls, { bodies: cap.chunks });
    expect(conv).toMatchObject({ title: 'Houseplant Care Tips', titleSource: 'stream' });
  });

  // Size, not time: a quadratic step would take minutes and hit the test timeout; `npm run bench` measures speed.
  it('summarizes 100,000 calls', () => {
    const calls: StoredCall[] = [];
    const base = captureFlow(seed()).calls;
    const real26 = real().calls;
    let t = 1_700_000_000_000;
    for (let s = 0; calls.length < 100_000; s++) {
      const template = s % 2 === 0 ? base : real26;
      const conv = `${s.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      for (const c of template) {
        t += 10;
        calls.push({
          ...c,
          callId: `${s}-${c.callId}`,
          pageSessionId: `page-${s}`,
          startTime: t,
          endTime: t + 5,
          conversationId: c.conversationId ? conv : null,
          requestBody: c.requestBody?.replaceAll(SEED, conv) ?? null,
        });
      }
    }
    const started = performance.now();
    const list = summarizeConversations(calls);
    const ms = performance.now() - started;
    console.info(
      `summarizeConversations: ${calls.length} calls, ${list.length} conversations in ${ms.toFixed(0)} ms`,
    );
    expect(list.length).toBeGreaterThan(5_000);
  });
});
