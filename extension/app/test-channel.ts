/**
 * e2e query channel for extension pages, compiled in only in test builds (dist-test/): lets Playwright
 * read what was stored through the extension's own store code from an extension page, which, unlike the
 * service worker, survives the worker being stopped mid-test.
 */
import { allCalls, getChunks, openCaptureDb } from '../../src/store/db';

if (__TEST_BUILD__) {
  const dump = async () => {
    const d = await openCaptureDb();
    const calls = await allCalls(d);
    const chunks = await Promise.all(calls.map((c) => getChunks(d, c.callId)));
    d.close();
    return { marker: 'CFR_TEST_CHANNEL', calls: calls.map((c, i) => ({ ...c, chunks: chunks[i] ?? [] })) };
  };
  (globalThis as Record<string, unknown>).__cfrTest = { dump };
}
