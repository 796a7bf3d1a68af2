import { describe, expect, it } from 'vitest';
import { toJson } from './json';

const js = { stringify: JSON.stringify, keys: Object.keys, isArray: Array.isArray };

describe('toJson (the hook’s own-keys JSON)', () => {
  it('writes what JSON.stringify writes for event-shaped data', () => {
    const event = {
      type: 'start',
      callId: 'c"1',
      requestHeaders: [['a', 'b\n']],
      requestBody: null,
      keepalive: false,
      startTime: 1.5,
      nested: { x: [1, 'é', { y: true }] },
      skipped: undefined,
    };
    expect(toJson(js, event)).toBe(JSON.stringify(event));
    expect(JSON.parse(toJson(js, [event, event]))).toEqual(JSON.parse(JSON.stringify([event, event])));
    expect(toJson(js, { n: Number.NaN, i: Number.POSITIVE_INFINITY })).toBe('{"n":null,"i":null}');
  });

  it('never calls a toJSON a page put on the prototypes, and reads no inherited key', () => {
    const seen: unknown[] = [];
    const proto = { toJSON: () => seen.push('toJSON'), inherited: 'secret-of-the-page' };
    const e = Object.assign(Object.create(proto) as object, { callId: 'c', data: 'x' });
    expect(toJson(js, e)).toBe('{"callId":"c","data":"x"}');
    expect(seen).toEqual([]);
  });

  it('after the page replaces Number.isFinite, a non-finite number is still null (found in review)', () => {
    const orig = Number.isFinite;
    // e.g. a Response whose `status` getter the page replaced returns NaN.
    Number.isFinite = () => true;
    try {
      const bundle = `[${toJson(js, { type: 'response', callId: 'a', status: Number.NaN })},${toJson(js, { type: 'end', callId: 'b', bytes: 3 })}]`;
      expect(JSON.parse(bundle)[0].status).toBeNull();
    } finally {
      Number.isFinite = orig;
    }
  });

  it('uses no RegExp method the page could replace to stop it (found by an attack run)', () => {
    const { test, exec } = RegExp.prototype;
    RegExp.prototype.test = () => {
      throw new Error('page');
    };
    RegExp.prototype.exec = () => {
      throw new Error('page');
    };
    try {
      expect(JSON.parse(toJson(js, { type: 'chunk', callId: 'a.1', seq: 0, data: 'x' }))).toEqual({
        type: 'chunk',
        callId: 'a.1',
        seq: 0,
        data: 'x',
      });
    } finally {
      Object.assign(RegExp.prototype, { test, exec });
    }
  });
});
