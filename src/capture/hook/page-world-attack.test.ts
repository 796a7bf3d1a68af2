/**
 * An attack run on the page hook (Node stand-in page): a page script that runs after the hook patches
 * prototypes the hook still looks up at call time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server.on('/echo', (_req, res, body) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`got ${body.length}`);
  });
});
afterAll(() => server.close());

const install = hookedPages();
type Obj = Record<string | symbol, unknown>;
const hasCapture = (v: unknown) =>
  typeof v === 'function' ||
  (typeof v === 'string' && v.includes('"callId"')) ||
  (typeof v === 'object' && v !== null && 'callId' in (v as object));

describe.each([
  ['Array.prototype', Array.prototype],
  ['Object.prototype', Object.prototype],
] as const)('attack: index setters on %s', (name, proto) => {
  it(`an index setter on ${name} never receives the hook's queued capture events`, async () => {
    const page = install();
    await sleep(20);
    const seen = new Set<unknown>();
    // A setter for index 0: every `arr[arr.length] = x` on an empty array reaches it. It stores the value
    // as an own property, so every array (the page's, the hook's) still works as natively.
    Object.defineProperty(proto, '0', {
      configurable: true,
      set(this: unknown[], v: unknown) {
        // (The test relay's own event list is not the hook's.)
        if (this !== page.events && hasCapture(v)) seen.add(v);
        Object.defineProperty(this, '0', { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
    try {
      const res = await page.win.fetch(`${server.origin}/echo?a`, { method: 'POST', body: 'hello' });
      await res.text();
      // The harness builds its calls with arrays of its own: wait for the end event, then let the setter go.
      while (!page.events.some((e) => e.type === 'end')) await sleep(5);
    } finally {
      delete (proto as unknown as Obj)['0'];
    }
    // Failed before: the outbox's `items[items.length] = item` hands the setter each event (and each thunk).
    expect(seen.size).toBe(0);
  });

  it(`an index setter on ${name} cannot forge the recorded URL of a call`, async () => {
    const page = install();
    await sleep(20);
    Object.defineProperty(proto, '0', {
      configurable: true,
      set(this: unknown[], v: unknown) {
        let value = v;
        // (The test relay's own event list is not the hook's.)
        if (this === page.events) value = v;
        else if (typeof v === 'function')
          value = () => {
            const e = (v as () => unknown)();
            if (e && typeof e === 'object' && (e as { type?: string }).type === 'start')
              (e as { url: string }).url = 'https://forged.example/';
            return e;
          };
        else if (v && typeof v === 'object' && (v as { type?: string }).type === 'start')
          value = { ...(v as object), url: 'https://forged.example/' };
        Object.defineProperty(this, '0', { value, writable: true, enumerable: true, configurable: true });
      },
    });
    try {
      const res = await page.win.fetch(`${server.origin}/echo?b`);
      await res.text();
      // The harness builds its calls with arrays of its own: wait for the end event, then let the setter go.
      while (!page.events.some((e) => e.type === 'end')) await sleep(5);
    } finally {
      delete (proto as unknown as Obj)['0'];
    }
    const [call] = await page.ended(1);
    expect(call!.start.url).toBe(`${server.origin}/echo?b`);
  });
});

describe('attack: detached request bodies', () => {
  it('an XHR sent with a detached typed array is still recorded', async () => {
    const page = install();
    await sleep(20);
    const { FakeXhr } = await import('./test-page');
    FakeXhr.scripts.set('/x', { parts: ['ok'] });
    const view = new Uint8Array([1, 2, 3]);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    const xhr = new page.win.XMLHttpRequest();
    xhr.open('POST', '/x');
    xhr.send(view);
    const [call] = await page.ended(1);
    expect(call!.body).toBe('ok');
  });

  it('a WebSocket frame sent from a detached buffer is still recorded as a frame', async () => {
    const page = install();
    await sleep(20);
    const { FakeWebSocket } = await import('./test-page');
    const ws = new page.win.WebSocket('wss://chatgpt.com/ws');
    const fake = FakeWebSocket.all[0]!;
    fake.serverOpen();
    const ab = new ArrayBuffer(4);
    structuredClone(ab, { transfer: [ab] });
    ws.send(ab);
    ws.send('after');
    fake.serverClose(1000, true);
    const [call] = await page.ended(1);
    // Two frames went out (natively, the first is an empty binary frame); the hook drops the first.
    expect(call!.chunks.length).toBe(2);
  });
});

describe('attack: the channel to the relay', () => {
  it("a page that replaces MessageEvent's data getter before the relay's settings arrive does not stop recording", async () => {
    // The relay's settings arrive after an async storage read, while page scripts already run; the hook
    // read them (and the relay's hello) through the page's getter, so a forged `data` kept every capture
    // in the page (found by a flaky e2e test that forged it for a socket).
    const page = install();
    const protos = [MessageEvent.prototype, page.win.MessageEvent.prototype];
    const originals = protos.map((p) => Object.getOwnPropertyDescriptor(p, 'data')!);
    for (const p of protos) Object.defineProperty(p, 'data', { configurable: true, get: () => 'forged' });
    try {
      const res = await page.win.fetch(`${server.origin}/echo?settings`);
      await res.text();
      // The harness's relay reads through the getters as they were, as the isolated world would.
      while (!page.events.some((e) => e.type === 'end')) await sleep(5);
    } finally {
      for (let i = 0; i < protos.length; i++) Object.defineProperty(protos[i], 'data', originals[i]!);
    }
    const [call] = await page.ended(1);
    expect(call!.start.url).toBe(`${server.origin}/echo?settings`);
  });
});
