/**
 * e2e query channel for extension pages, compiled in only in test builds (dist-test/): lets Playwright
 * read what was stored through the extension's own store code from an extension page, which, unlike the
 * service worker, survives the worker being stopped mid-test.
 */
import { openCaptureDb } from '../../src/store/db';
import { dumpStore } from '../background/test-channel';

if (__TEST_BUILD__) {
  const dump = async () => {
    const d = await openCaptureDb();
    try {
      return await dumpStore(d);
    } finally {
      d.close();
    }
  };
  (globalThis as Record<string, unknown>).__cfrTest = { dump };
}
