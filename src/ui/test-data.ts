/**
 * Test data for the component tests (Node only: reads test/fixtures): the e2e seed flow and the
 * real 2026 flow, captured into the stored shape by the analysis layer's own helper.
 */
import { makeCanaries, realFlow2026, seedFlow, thinkingFlow2026 } from '../../test/flows';
import { type Captured, captureFlow, type FlowCaptureOptions } from '../analysis/test-captures';
import type { StoredChunk } from '../store/schema';
import { MockClient, type MockOptions } from './mock-client';

export const SEED_ID = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
export const REAL_ID = '69b2d0ea-1970-83e8-95a6-1d5d1d85117e';
export { THINKING_CONVERSATION as THINKING_ID } from '../../test/flows';

export function flatChunks(c: Captured): StoredChunk[] {
  return [...c.chunks.values()].flat();
}

export function seedCapture(opts: { brokenContinuation?: boolean } & FlowCaptureOptions = {}): Captured {
  const { brokenContinuation, ...capture } = opts;
  const flow = seedFlow(makeCanaries('t'), brokenContinuation ? { brokenContinuation } : {});
  return captureFlow(flow, { prefix: 'seed', ...capture });
}

export function realCapture(opts: FlowCaptureOptions = {}): Captured {
  const flow = realFlow2026(makeCanaries('t'));
  // Give each step its own start (the real flow fires them in parallel; captureFlow serializes them).
  return captureFlow(flow, {
    prefix: 'real',
    pageSessionId: 'real-page',
    startTime: Date.parse('2026-03-12T14:42:54.971Z'),
    ...opts,
  });
}

export function clientWith(captures: Captured[], opts: MockOptions = {}): MockClient {
  return new MockClient({
    calls: captures.flatMap((c) => c.calls),
    chunks: captures.flatMap(flatChunks),
    ...opts,
  });
}

/**
 * A thinking turn (test/flows.ts thinkingFlow2026): headers 60 ms after the send, then the pieces paced by
 * THINKING_PACE — first byte at +660 ms, reasoning 1.74 s from +710, web.run 800 ms from +1230, first
 * answer text at +2510, answer 460 ms.
 */
export function thinkingCapture(opts: FlowCaptureOptions = {}): Captured {
  return captureFlow(thinkingFlow2026(makeCanaries('t')), {
    prefix: 'think',
    pageSessionId: 'think-page',
    startTime: Date.parse('2026-07-01T09:00:00.000Z'),
    ...opts,
  });
}
