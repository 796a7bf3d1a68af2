import { makeCanaries, realFlow2026, seedFlow } from '../test/flows';
import { expect, test } from './fixtures';
import { expectRealFlowStored, expectSeedFlowStored, storedFor } from './flow-checks';

test('records the seed flow of a new chat and its continuation on chat.openai.com', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  const flow = seedFlow(k);
  const { results } = await play(flow);
  expect(results.every((r) => r.status === 200)).toBe(true);
  await storedFor(flow, stored);
  // Read again once everything has landed: canaries are checked across the whole store.
  expectSeedFlowStored(flow, k, await stored());
});

test('records the real 2026 chatgpt.com flow (delta-encoding v1) with every call, body and chunk', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  const flow = realFlow2026(k);
  await play(flow);
  await storedFor(flow, stored);
  expectRealFlowStored(flow, k, await stored());
});
