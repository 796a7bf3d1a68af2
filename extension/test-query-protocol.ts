/**
 * The e2e query channel's wire format, shared by the page side (e2e/firefox/), the relay
 * (extension/content/test-query.ts) and the background (extension/background/test-channel.ts). Only test
 * builds reference these strings; e2e/release-build.spec.ts proves release builds do not contain them.
 */
/** Window message from the page asking the relay a question: JSON `{ [TEST_QUERY]: id, query }`. */
export const TEST_QUERY = 'CFR_TEST_QUERY';
/** Window message from the relay with the answer: JSON `{ [TEST_ANSWER]: id, ok, value | error }`. */
export const TEST_ANSWER = 'CFR_TEST_ANSWER';
/** Name of the runtime port the relay opens to the background for one query. */
export const TEST_PORT = 'CFR_TEST_PORT';

export type TestQuery = 'dump' | 'hostAccess' | 'revokeHostAccess';
export const TEST_QUERIES: readonly TestQuery[] = ['dump', 'hostAccess', 'revokeHostAccess'];

export type TestAnswer = { ok: true; value: unknown } | { ok: false; error: string };
