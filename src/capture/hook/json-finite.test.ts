/**
 * toJson tells finite numbers without `Number.isFinite`, a global the page may replace: a non-finite number
 * is written as `null` and the bundle stays JSON (found in review).
 */
import { afterEach, expect, it } from 'vitest';
import { toJson } from './json';

const js = { stringify: JSON.stringify, keys: Object.keys, isArray: Array.isArray };
const orig = Number.isFinite;
afterEach(() => {
  Number.isFinite = orig;
});

it('writes valid JSON after the page replaces Number.isFinite', () => {
  // e.g. a Response whose `status` getter the page replaced returns NaN.
  Number.isFinite = () => true;
  const bundle = `[${toJson(js, { type: 'response', callId: 'a', status: Number.NaN })},${toJson(js, { type: 'end', callId: 'b', bytes: 3 })}]`;
  expect(() => JSON.parse(bundle)).not.toThrow();
});
