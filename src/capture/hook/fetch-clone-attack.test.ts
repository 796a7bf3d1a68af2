/**
 * Attack 6 on the page's clone() of a tapped Response (fetch.ts `tap`, `branch`, `fork`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server.stream('/unsized', ['{"a":1,', '"b":2}'], 5, 'application/json');
});
afterAll(() => server.close());

const install = hookedPages();

const fromHook = (): boolean => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  try {
    return /hook[\\/]fetch\.ts/.test(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
};

describe('clone branches reached through the page’s prototypes', () => {
  it("a setter the page puts on Object.prototype never receives a branch's controller or Response", async () => {
    const { win, ended } = install();
    const got: unknown[] = [];
    for (const name of ['c', 'res'])
      Object.defineProperty(Object.prototype, name, {
        configurable: true,
        set(v: unknown) {
          if (fromHook()) got[got.length] = v;
          Object.defineProperty(this, name, { value: v, writable: true, configurable: true, enumerable: true });
        },
      });
    let res: Response;
    let copy: Response;
    try {
      res = await win.fetch(`${server.origin}/unsized?setter`);
      copy = res.clone();
    } finally {
      delete (Object.prototype as { c?: unknown }).c;
      delete (Object.prototype as { res?: unknown }).res;
    }
    // With the controller, a page can enqueue forged bytes into (or close, or error) the hook's stream.
    expect(got).toEqual([]);
    expect(await Promise.all([res.text(), copy.text()])).toEqual(['{"a":1,"b":2}', '{"a":1,"b":2}']);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('complete');
  });
});
