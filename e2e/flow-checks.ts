/**
 * Assertions on what the extension stored, shared by the Chromium and Firefox capture specs: every step of
 * a flow matched to one stored call, with bodies, monotonic timings, consecutive chunks, the right kind,
 * and no canary secret anywhere.
 */
import { expect } from '@playwright/test';
import { classify } from '../src/protocol/classify';
import { joinBody } from '../src/store/call-facts';
import type { Canaries, Flow } from '../test/flows';
import { type StoredWithChunks, until } from './fixtures';

export function expectMonotonic(c: StoredWithChunks) {
  const marks = [c.startTime, c.headersTime, c.firstChunkTime, c.lastChunkTime, c.endTime].filter(
    (t): t is number => t !== undefined,
  );
  expect(marks.length, `${c.url} has timings`).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < marks.length; i++)
    expect(marks[i]!, `${c.url} timing ${i}`).toBeGreaterThanOrEqual(marks[i - 1]!);
  for (let i = 1; i < c.chunks.length; i++) {
    expect(c.chunks[i]!.time).toBeGreaterThanOrEqual(c.chunks[i - 1]!.time);
    expect(c.chunks[i]!.seq).toBe(c.chunks[i - 1]!.seq + 1);
  }
}

/** Polls storage until every step of the flow has a finished call (captures land after the relay's batching). */
export function storedFor(flow: Flow, stored: () => Promise<StoredWithChunks[]>) {
  return until(async () => {
    const calls = await stored();
    return calls.filter((c) => c.outcome).length >= flow.steps.length ? calls : null;
  }, `${flow.steps.length} finished calls`);
}

/** Each step's call, matched in order by method + URL. */
export function match(flow: Flow, calls: StoredWithChunks[]) {
  const left = [...calls].sort((a, b) => a.startTime - b.startTime);
  return flow.steps.map((s) => {
    const i = left.findIndex((c) => c.method === s.request.method && c.url === s.request.url);
    expect(i, `captured ${s.request.method} ${s.request.url}`).toBeGreaterThanOrEqual(0);
    return { step: s, call: left.splice(i, 1)[0]! };
  });
}

function expectNoCanary(k: Canaries, everything: StoredWithChunks[]) {
  const text = JSON.stringify(everything);
  for (const canary of k.all()) expect(text).not.toContain(canary);
  expect(text).not.toContain('CANARYcookie');
}

/** The seed flow (new chat + continuation on chat.openai.com), as stored. */
export function expectSeedFlowStored(flow: Flow, k: Canaries, calls: StoredWithChunks[]) {
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
  // Streams arrive in many chunks over time, each stamped.
  expect(first!.chunks.length).toBeGreaterThan(10);
  expect(first!.lastChunkTime! - first!.firstChunkTime!).toBeGreaterThan(100);
  expect(first!.conversationId).toBe('86f73b54-0f51-47ba-84a3-07c1e25dce81');
  expect(second!.conversationId).toBe('86f73b54-0f51-47ba-84a3-07c1e25dce81');
  expect(first!.responseHeaders).toContainEqual(['cf-ray', '835f17ad7df40001-MBA']);
  // The arkose token is redacted but the rest of the request body is intact.
  expect(JSON.parse(first!.requestBody!).arkose_token).toBe('[redacted]');
  expect(JSON.parse(first!.requestBody!).suggestions).toHaveLength(4);
  expect(first!.requestHeaders).toContainEqual(['authorization', 'Bearer [redacted]']);
  expectNoCanary(k, calls);
}

/** The real 2026 chatgpt.com flow (delta-encoding v1), as stored. */
export function expectRealFlowStored(flow: Flow, k: Canaries, calls: StoredWithChunks[]) {
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
  expectNoCanary(k, calls);
}
