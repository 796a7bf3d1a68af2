/**
 * The list's newest rows the background keeps (src/store/list-rows.ts): built after a recording, kept in
 * the extension's session storage, free of secrets, following later recordings and a clear. (Which rows a popup shows first, the last view's
 * snapshot, these or its own read, is src/ui/list-model.test.ts: in a browser it is a race by design.)
 */
import { makeCanaries, realFlow2026, seedFlow } from '../test/flows';
import { expect, test } from './fixtures';
import { ExportPanel } from './pages/export';

/** The rows the background keeps, read from an extension page. */
type Kept = { savedAt: number; rows: { id: string; title: string | null }[] } | undefined;

test("after a recording the background keeps the list's newest rows, without the secrets the page sent", async ({
  play,
  context,
  extensionId,
}) => {
  const canaries = makeCanaries();
  await play(seedFlow(canaries));
  const page = await context.newPage();
  // The full-tab view: an extension page with the footer's "Clear everything".
  await page.goto(`chrome-extension://${extensionId}/extension/app/index.html`);
  const kept = () =>
    page.evaluate(async () => {
      const ext = globalThis as unknown as {
        chrome: { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
      };
      return (await ext.chrome.storage.session.get('cfr:list-rows'))['cfr:list-rows'];
    }) as Promise<Kept>;
  // Built once the writes pause (5 s after the last one).
  await expect
    .poll(async () => (await kept())?.rows.map((r) => r.title), { timeout: 20_000 })
    .toEqual(['Roman Empire Fun Fact']);
  // Built from the stored (redacted) calls: no secret the page sent is in them.
  const json = JSON.stringify(await kept());
  for (const [name, value] of Object.entries(canaries)) {
    if (name !== 'seed' && typeof value === 'string') expect(json).not.toContain(value);
  }
  expect(json).not.toContain(`CANARY${canaries.seed}`);

  // A second recording is added to them once the writes pause…
  await play(realFlow2026(makeCanaries()));
  await expect.poll(async () => (await kept())?.rows.length, { timeout: 20_000 }).toBe(2);
  // …and "Clear everything" leaves none of them behind.
  await new ExportPanel(page).clearAll();
  await expect.poll(async () => (await kept())?.rows ?? [], { timeout: 20_000 }).toEqual([]);
});
