/**
 * Firefox ESR: the same flows as the Chromium capture spec, recorded by the Firefox build (MAIN-world
 * hook → relay → event page → IndexedDB), plus the host-access state the popup reports.
 * Firefox runs through puppeteer-core over WebDriver BiDi; see e2e/firefox/launch.ts for how it reaches
 * the fake ChatGPT and gets host permission.
 */
import type { HostAccess } from '../extension/permissions';
import { makeCanaries, realFlow2026, seedFlow } from '../test/flows';
import { expect, test } from './firefox/fixtures';
import { queryExtension } from './firefox/query';
import { expectRealFlowStored, expectSeedFlowStored, storedFor } from './flow-checks';

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

  await storedFor(flow, () => stored(page));
  expectSeedFlowStored(flow, k, await stored(page));
});

test('Firefox records the real 2026 chatgpt.com flow with every call, body and chunk', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  // Smaller pieces than the default (400 bytes): Firefox's CONNECT tunnel joins pieces that arrive close
  // together on a busy machine, and the check wants more than 10 chunks (it once stored 8 in CI).
  const flow = realFlow2026(k, { chunkBytes: 200, delayMs: 20 });
  const { page } = await play(flow);
  await storedFor(flow, () => stored(page));
  expectRealFlowStored(flow, k, await stored(page));
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
