/**
 * e2e query channel, compiled in only when __TEST_BUILD__ is true (dist-test/); release builds drop it as
 * dead code, and e2e/release-build.spec.ts proves its marker is absent from dist/.
 * Tests read what the extension stored through the extension's own store code, not a re-implementation.
 */
import { allCalls, type CaptureDb, getChunks } from '../../src/store/db';

export function installTestChannel(db: () => Promise<CaptureDb>) {
  if (!__TEST_BUILD__) return;
  const dump = async () => {
    const d = await db();
    const calls = await allCalls(d);
    const chunks = await Promise.all(calls.map((c) => getChunks(d, c.callId)));
    return { marker: 'CFR_TEST_CHANNEL', calls: calls.map((c, i) => ({ ...c, chunks: chunks[i] ?? [] })) };
  };
  (globalThis as Record<string, unknown>).__cfrTest = { dump };
}
