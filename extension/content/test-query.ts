/**
 * Test builds only (dist-test/): lets the e2e page ask the background what it stored. Firefox's WebDriver
 * BiDi cannot open moz-extension:// pages or evaluate in the background, so the Firefox e2e test talks to
 * the relay through window messages and the relay forwards the question on a runtime port. In release
 * builds `__TEST_BUILD__` is false, the body is dead code and the bundler drops it with its strings.
 *
 * Messages are JSON strings both ways: Firefox hands content scripts page objects behind Xray wrappers,
 * while strings cross worlds unchanged.
 */
import { browser } from '../browser';
import {
  TEST_ANSWER,
  TEST_PORT,
  TEST_QUERIES,
  TEST_QUERY,
  type TestAnswer,
  type TestQuery,
} from '../test-query-protocol';

export function installTestQuery() {
  if (!__TEST_BUILD__) return;
  window.addEventListener('message', (e: MessageEvent) => {
    if (e.source !== window || typeof e.data !== 'string' || !e.data.includes(TEST_QUERY)) return;
    let id: unknown;
    let query: unknown;
    try {
      ({ [TEST_QUERY]: id, query } = JSON.parse(e.data) as Record<string, unknown>);
    } catch {
      return;
    }
    if (typeof id !== 'string' || !TEST_QUERIES.includes(query as TestQuery)) return;
    ask(query as TestQuery).then((answer) =>
      window.postMessage(JSON.stringify({ [TEST_ANSWER]: id, ...answer }), '*'),
    );
  });
}

function ask(query: TestQuery): Promise<TestAnswer> {
  return new Promise((resolve) => {
    const port = browser.runtime.connect({ name: TEST_PORT });
    port.onMessage.addListener((answer) => {
      resolve(answer as TestAnswer);
      port.disconnect();
    });
    port.onDisconnect.addListener(() => resolve({ ok: false, error: 'background closed the port' }));
    port.postMessage(query);
  });
}
