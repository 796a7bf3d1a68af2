/**
 * The page's clone() of a tapped Response (fetch.ts, the `clone` accessor). Made before the tap opens (in
 * the continuation of the page's `await fetch(…)`), it is the network Response's own clone and the tap
 * reads the network body's other branch; made later, it is a clone of the page's stream. Either way both
 * copies read whole, the call is recorded once with its body once, and a read body cannot be cloned.
 * (That the early clone's cancel settles at once, as natively, is checked in browsers: Node's own clone
 * waits for the other branch, e2e/hostile-checks.ts `earlyClonesActAsNative`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

const LONG = Array.from({ length: 20 }, (_, i) => `data: ${i}\n\n`);
let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server.stream('/long', LONG, 10).stream('/unsized', ['{"a":1,', '"b":2}'], 5, 'application/json');
});
afterAll(() => server.close());

const install = hookedPages();

describe("the page's clone() of a tapped Response", () => {
  it('cloned at once, both read: the same text and head, one call, complete, with the body once', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/unsized?early`);
    const copy = res.clone();
    const again = copy.clone();
    const look = (r: Response) => [r.url, r.redirected, r.type, r.status, r.statusText];
    expect(look(copy)).toEqual(look(res));
    expect(look(again)).toEqual(look(res));
    expect(copy).toBeInstanceOf(win.Response);
    expect(await Promise.all([res.text(), copy.text(), again.text()])).toEqual(
      Array(3).fill('{"a":1,"b":2}'),
    );
    const calls = await ended(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.end?.outcome).toBe('complete');
    expect(calls[0]!.body).toBe('{"a":1,"b":2}');
  });

  it('cloned at once, the clone cancelled: the original still streams whole and is recorded whole', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?early-cancel`);
    void res.clone().body!.cancel();
    expect(await res.text()).toBe(LONG.join(''));
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
    expect(call!.body).toBe(LONG.join(''));
  });

  it('cloned after the tap opened: a clone of the page stream, both whole, the body recorded once', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?late`);
    await sleep(30);
    const copy = res.clone();
    expect(await Promise.all([res.text(), copy.text()])).toEqual([LONG.join(''), LONG.join('')]);
    const calls = await ended(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toBe(LONG.join(''));
  });

  it('a body the page has read from, or holds a reader of, cannot be cloned (TypeError, as natively)', async () => {
    const { win } = install();
    const read = await win.fetch(`${server.origin}/long?read`);
    const reader = read.body!.getReader();
    expect(() => read.clone()).toThrow(TypeError);
    await reader.read();
    reader.releaseLock();
    expect(() => read.clone()).toThrow(TypeError);
    const held = await win.fetch(`${server.origin}/unsized?held`);
    held.body!.getReader();
    expect(() => held.clone()).toThrow(TypeError);
  });
});
