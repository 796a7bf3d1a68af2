/**
 * Firefox ESR: the same flows as the Chromium capture spec, recorded by the Firefox build (MAIN-world
 * hook → relay → event page → IndexedDB), plus the host-access state the popup reports.
 * Firefox runs through puppeteer-core over WebDriver BiDi; see e2e/firefox/launch.ts for how it reaches
 * the fake ChatGPT and gets host permission.
 */
import type { HostAccess } from '../extension/permissions';
import { classify } from '../src/protocol/classify';
import { joinBody } from '../src/store/db';
import { makeCanaries, realFlow2026, seedFlow } from './fake-chatgpt/flows';
import { expectMonotonic, match, storedFor } from './firefox/checks';
import { expect, test } from './firefox/fixtures';
import { queryExtension } from './firefox/query';

const isHooked = () =>
  !!(window as unknown as Record<symbol, unknown>)[Symbol.for('chatgpt-flow-recorder.hook')];

test('Firefox records the seed flow on chat.openai.com, streamed, with secrets redacted', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  const flow = seedFlow(k);
  const { page, results } = await play(flow);
  expect(results.map((r) => r.status)).toEqual(flow.steps.map(() => 200));
  // The page saw the fake's answers untouched.
  expect(results[0]!.body).toBe(flow.steps[0]!.response.body);

  const calls = await storedFor(flow, () => stored(page));
  const pairs = match(flow, calls);
  expect(pairs.map((p) => p.call.kind)).toEqual([
    'prompt_library',
    'ces',
    'accounts_check',
    'conversation',
    'conversations_list',
    'lat_r',
    'gen_title',
    'conversation',
    'lat_r',
    'auth_session',
  ]);
  for (const { step, call } of pairs) {
    expect(call.status).toBe(200);
    expect(call.outcome).toBe('complete');
    expect(call.transport).toBe('fetch');
    expectMonotonic(call);
    if (step.request.body && !step.request.body.includes(k.arkose))
      expect(call.requestBody).toBe(step.request.body);
    if (!step.response.body!.includes('CANARY')) expect(joinBody(call.chunks)).toBe(step.response.body);
  }
  const [first, second] = pairs.filter((p) => p.call.kind === 'conversation').map((p) => p.call);
  // Streams arrive in many chunks over time through the tunnel, each stamped.
  expect(first!.chunks.length).toBeGreaterThan(10);
  expect(first!.lastChunkTime! - first!.firstChunkTime!).toBeGreaterThan(100);
  expect(first!.conversationId).toBe('86f73b54-0f51-47ba-84a3-07c1e25dce81');
  expect(second!.conversationId).toBe('86f73b54-0f51-47ba-84a3-07c1e25dce81');
  expect(first!.responseHeaders).toContainEqual(['cf-ray', '835f17ad7df40001-MBA']);
  expect(JSON.parse(first!.requestBody!).arkose_token).toBe('[redacted]');
  expect(JSON.parse(first!.requestBody!).suggestions).toHaveLength(4);
  expect(first!.requestHeaders).toContainEqual(['authorization', 'Bearer [redacted]']);

  const everything = JSON.stringify(await stored(page));
  for (const canary of k.all()) expect(everything).not.toContain(canary);
  expect(everything).not.toContain('CANARYcookie');
});

test('Firefox records the real 2026 chatgpt.com flow with every call, body and chunk', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  const flow = realFlow2026(k);
  const { page } = await play(flow);
  const calls = await storedFor(flow, () => stored(page));
  const pairs = match(flow, calls);
  for (const { step, call } of pairs) {
    expect(call.kind).toBe(classify(step.request.method, step.request.url));
    expect(call.status).toBe(step.response.status);
    expect(call.outcome).toBe('complete');
    expectMonotonic(call);
    if (step.request.bodyBase64) {
      expect(call.requestBodyEncoding).toBe('base64');
      expect(call.requestBody).toBe(step.request.bodyBase64);
    }
  }
  const kinds = new Set(pairs.map((p) => p.call.kind));
  expect([...kinds].sort()).toEqual(['ces', 'conversation', 'sentinel', 'statsig']);
  const conv = pairs.find((p) => p.call.kind === 'conversation')!.call;
  expect(conv.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
  expect(conv.responseHeaders).toContainEqual(['x-oai-request-id', '6a899a17-ffbb-4a0d-baa9-909b9f6ba538']);
  expect(conv.chunks.length).toBeGreaterThan(10);
  expect(conv.lastChunkTime! - conv.firstChunkTime!).toBeGreaterThan(100);
  const body = joinBody(conv.chunks);
  expect(body).toContain('"type": "resume_conversation_token"');
  expect(body).toContain('data: [DONE]');
  expect(body).toBe(flow.steps[0]!.response.body!.replace(k.bearer, '[redacted]'));
  expect(conv.requestHeaders).toContainEqual(['x-conduit-token', '[redacted]']);
  expect(conv.requestHeaders.find(([n]) => n === 'openai-sentinel-proof-token')?.[1]).toBe('[redacted]');

  const everything = JSON.stringify(await stored(page));
  for (const canary of k.all()) expect(everything).not.toContain(canary);
});

test('Firefox: hostAccess() reports the granted hosts, and a revoked grant stops the recording', async ({
  firefox,
  play,
}) => {
  const flow = seedFlow(makeCanaries());
  const { page } = await play({ ...flow, steps: [] });
  expect(await page.evaluate(isHooked)).toBe(true);
  const origins = ['https://chatgpt.com/*', 'https://chat.openai.com/*'];
  expect(await queryExtension<HostAccess>(page, 'hostAccess')).toEqual({
    granted: true,
    origins,
    missing: [],
  });

  // What the user does in about:addons → Permissions; the popup then shows "not granted".
  await queryExtension(page, 'revokeHostAccess');
  expect(await queryExtension<HostAccess>(page, 'hostAccess')).toEqual({
    granted: false,
    origins,
    missing: origins,
  });
  const after = await firefox.newPage();
  await after.goto(flow.origin + flow.pagePath);
  // Content scripts run at document_start, before the load event goto waits for: no hook means none ran.
  expect(await after.evaluate(isHooked)).toBe(false);
});
