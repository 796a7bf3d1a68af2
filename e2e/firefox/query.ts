/**
 * The page side of the test-build query channel (extension/content/test-query.ts): asks the relay in a
 * ChatGPT page, which asks the background. Only works against dist-test/ builds.
 */
import type { Page } from 'puppeteer-core';
import {
  TEST_ANSWER,
  TEST_QUERY,
  type TestAnswer,
  type TestQuery,
} from '../../extension/test-query-protocol';

export async function queryExtension<T = unknown>(
  page: Page,
  query: TestQuery,
  timeoutMs = 10_000,
): Promise<T> {
  // The answer travels as a JSON string (parsed here, not serialized again by BiDi).
  const raw = await page.evaluate(
    (q, QUERY, ANSWER, ms) =>
      new Promise<string>((resolve, reject) => {
        const id = Math.random().toString(36).slice(2);
        const timer = setTimeout(() => {
          removeEventListener('message', onAnswer);
          reject(new Error(`no answer to ${q} within ${ms} ms (is the test build's relay running here?)`));
        }, ms);
        function onAnswer(e: MessageEvent) {
          if (typeof e.data !== 'string' || !e.data.includes(ANSWER)) return;
          if ((JSON.parse(e.data) as Record<string, unknown>)[ANSWER] !== id) return;
          removeEventListener('message', onAnswer);
          clearTimeout(timer);
          resolve(e.data);
        }
        addEventListener('message', onAnswer);
        postMessage(JSON.stringify({ [QUERY]: id, query: q }), '*');
      }),
    query,
    TEST_QUERY,
    TEST_ANSWER,
    timeoutMs,
  );
  const answer = JSON.parse(raw) as TestAnswer;
  if (!answer.ok) throw new Error(`${query}: ${answer.error}`);
  return answer.value as T;
}
