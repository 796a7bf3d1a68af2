/**
 * How long the relays let the hook's bundles wait for a pause (src/capture/relay-queue.ts): briefly while
 * an extension view is open, longer while none is, so that a burst of calls ends before the background's
 * writes compete with the page. The background says which, in storage.local (VIEW_OPEN_KEY); a recording
 * made while no view is open is stored whole all the same. (The bound itself is unit-tested: timing it in
 * a browser would be a race. The live view's 250 ms budget, with a view open, is e2e/live.spec.ts.)
 */
import { VIEW_OPEN_KEY } from '../src/capture/channel';
import { makeCanaries, realFlow2026 } from '../test/flows';
import { expect, test } from './fixtures';
import { PopupPage } from './pages/popup';

test('the background tells the relays whether a view is open; a recording with none open is stored whole', async ({
  context,
  extensionId,
  serviceWorker,
  play,
  stored,
}) => {
  const worker = await serviceWorker();
  const viewOpen = () =>
    worker.evaluate(async (key) => {
      const ext = globalThis as unknown as {
        chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } };
      };
      return (await ext.chrome.storage.local.get(key))[key] ?? null;
    }, VIEW_OPEN_KEY);
  // Nothing open yet (on a new profile the key is not even written).
  expect(await viewOpen()).not.toBe(true);

  // Recorded while no view is open.
  const flow = realFlow2026(makeCanaries());
  const { results } = await play(flow);
  expect(results.length).toBeGreaterThan(2);
  expect(await viewOpen()).not.toBe(true);

  // A popup opens: the relays are told…
  const popup = await PopupPage.open(context, extensionId);
  await expect.poll(viewOpen).toBe(true);
  // …and every call of the recording is stored, with its end.
  await expect
    .poll(async () => (await stored()).filter((c) => c.endTime !== undefined).length, { timeout: 15_000 })
    .toBe(results.length);

  // Every view closed (the popup, and the page `stored` reads through): the long bound again.
  await popup.page.close();
  for (const page of context.pages()) if (page.url().startsWith('chrome-extension://')) await page.close();
  await expect.poll(viewOpen).toBe(false);
});
