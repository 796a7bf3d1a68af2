/** The wrappers behave like the functions and classes they replace, in every way a page can observe. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHook } from './index';
import { type TestPage, TestServer, testPage } from './test-page';

let server: TestServer;
const pages: TestPage[] = [];
beforeAll(async () => {
  server = await new TestServer().start();
  server.stream('/s', ['a']);
});
afterAll(async () => {
  for (const p of pages) p.close();
  await server.close();
});

/** A bare page and a hooked one, made alike. */
function pair() {
  const bare = testPage();
  const hooked = testPage();
  installHook(hooked.win);
  pages.push(bare, hooked);
  return [bare.win, hooked.win] as const;
}

type Callable = (...a: unknown[]) => unknown;
/** What a page can learn about a function without calling it for real. */
function shape(f: unknown) {
  const fn = f as Callable;
  let constructs: string;
  try {
    Reflect.construct(fn, []);
    constructs = 'constructs';
  } catch (err) {
    constructs = (err as Error).constructor.name;
  }
  return { type: typeof fn, name: fn.name, length: fn.length, hasPrototype: 'prototype' in fn, constructs };
}
const descriptor = (o: object, k: string) => {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return d && { writable: d.writable, enumerable: d.enumerable, configurable: d.configurable, own: true };
};

describe('native-like wrappers', () => {
  it('fetch: same name, length, no prototype, not a constructor, same property flags', () => {
    const [bare, hooked] = pair();
    // The stand-in's fetch is an arrow function, as native fetch is not a constructor either.
    expect(shape(hooked.fetch)).toEqual(shape(bare.fetch));
    expect(() => new (hooked.fetch as unknown as new () => unknown)()).toThrow(TypeError);
    expect(descriptor(hooked, 'fetch')).toEqual(descriptor(bare, 'fetch'));
  });

  it("fetch returns the realm's own Promise even after the page replaces window.Promise", async () => {
    const [, hooked] = pair();
    const Original = hooked.Promise;
    hooked.Promise = class extends Original<unknown> {} as PromiseConstructor;
    const p = hooked.fetch(`${server.origin}/s`);
    expect(p.constructor).toBe(Original);
    expect(Object.getPrototypeOf(p)).toBe(Original.prototype);
    expect(await (await p).text()).toBe('a');
  });

  it('XMLHttpRequest methods and sendBeacon: same shapes, and sendBeacon stays where it was', () => {
    const [bare, hooked] = pair();
    for (const k of ['open', 'send', 'setRequestHeader'] as const) {
      expect(shape(hooked.XMLHttpRequest.prototype[k])).toEqual(shape(bare.XMLHttpRequest.prototype[k]));
    }
    expect(shape(hooked.navigator.sendBeacon)).toEqual(shape(bare.navigator.sendBeacon));
    expect(Object.hasOwn(hooked.navigator, 'sendBeacon')).toBe(Object.hasOwn(bare.navigator, 'sendBeacon'));
    const proto = Object.getPrototypeOf(hooked.navigator) as object;
    expect(descriptor(proto, 'sendBeacon')).toEqual(
      descriptor(Object.getPrototypeOf(bare.navigator), 'sendBeacon'),
    );
  });

  it('WebSocket: new-only, instanceof, constants, prototype.constructor, send', () => {
    const [bare, hooked] = pair();
    const WS = hooked.WebSocket;
    expect([WS.name, WS.length, WS.CONNECTING, WS.OPEN, WS.CLOSING, WS.CLOSED]).toEqual([
      bare.WebSocket.name,
      bare.WebSocket.length,
      0,
      1,
      2,
      3,
    ]);
    expect(() => (WS as unknown as Callable)('wss://x/')).toThrow(TypeError);
    const ws = new WS('wss://ws.chatgpt.com/');
    expect(ws).toBeInstanceOf(WS);
    expect(ws.constructor).toBe(WS);
    expect(WS.prototype.constructor).toBe(WS);
    expect(Object.getPrototypeOf(ws)).toBe(WS.prototype);
    expect(shape(WS.prototype.send)).toEqual(shape(bare.WebSocket.prototype.send));
    class Sub extends WS {}
    expect(new Sub('wss://ws.chatgpt.com/')).toBeInstanceOf(Sub);
  });
});
