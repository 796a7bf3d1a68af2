/**
 * e2e seams, compiled in only when __TEST_BUILD__ is true (dist-test/); release builds drop them as dead
 * code, and e2e/release-build.spec.ts proves their markers are absent from dist/.
 * - `dump()`: what was stored, read through the extension's own store code;
 * - `setBroken(true)`: every write fails, to prove the page is unaffected when the background is broken.
 * Chromium tests call `globalThis.__cfrTest` in the service worker. Firefox's WebDriver BiDi cannot reach
 * extension contexts, so the Firefox tests ask through a ChatGPT page: its relay opens a runtime port named
 * TEST_PORT (extension/content/test-query.ts) and `answerTestQueries` answers there.
 */
import type { Runtime } from 'webextension-polyfill';
import { allCalls, type CaptureDb, getChunks } from '../../src/store/db';
import { browser } from '../browser';
import { hostAccess, hostOrigins } from '../permissions';
import { TEST_PORT, type TestAnswer, type TestQuery } from '../test-query-protocol';

let broken = false;

export function isBrokenForTest(): boolean {
  return __TEST_BUILD__ && broken;
}

/** Every stored call with its chunks (test builds: what the e2e tests assert on). */
export async function dumpStore(d: CaptureDb) {
  const calls = await allCalls(d);
  const chunks = await Promise.all(calls.map((c) => getChunks(d, c.callId)));
  return { marker: 'CFR_TEST_CHANNEL', calls: calls.map((c, i) => ({ ...c, chunks: chunks[i] ?? [] })) };
}

export function installTestChannel(db: () => Promise<CaptureDb>) {
  if (!__TEST_BUILD__) return;
  const dump = async () => dumpStore(await db());
  const setBroken = (value: boolean) => {
    broken = value;
  };
  (globalThis as Record<string, unknown>).__cfrTest = { dump, setBroken };
  answerTestQueries({
    dump,
    hostAccess,
    // Lets a test see the "not granted" state the popup reports (granting again needs a user gesture).
    revokeHostAccess: () => browser.permissions.remove({ origins: hostOrigins() }),
  });
}

function answerTestQueries(answer: Record<TestQuery, () => Promise<unknown>>) {
  browser.runtime.onConnect.addListener((port: Runtime.Port) => {
    if (port.name !== TEST_PORT || port.sender?.id !== browser.runtime.id) return;
    port.onMessage.addListener(async (query: unknown) => {
      const run =
        typeof query === 'string' && Object.hasOwn(answer, query) ? answer[query as TestQuery] : null;
      let reply: TestAnswer;
      try {
        if (!run) throw new Error(`unknown test query ${String(query)}`);
        reply = { ok: true, value: await run() };
      } catch (err) {
        reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      try {
        port.postMessage(reply);
      } catch {}
    });
  });
}
