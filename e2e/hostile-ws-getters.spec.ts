/**
 * An attack run (Chromium): the WebSocket hook read the socket's `url` and `protocol`, the message's
 * `data` and the close event's `code`/`wasClean` through the prototypes' getters as they were when it read
 * them (src/capture/hook/websocket.ts); it now takes those getters at install, as XHR and fetch do. A page
 * that replaced them (keeping the originals for its own reads) wrote the record: another URL, another
 * subprotocol, other inbound frames, another outcome. The page itself sees the real values.
 */
import { expect, test, until } from './fixtures';

test('attack: page-replaced WebSocket/MessageEvent/CloseEvent getters do not change the record (before: the forged url, protocol, frames and outcome were stored)', async ({
  context,
  fake,
  stored,
}) => {
  fake.socketFrames = ['real-1', 'real-2'];
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  const seen = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const get = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
        const realData = get(MessageEvent.prototype, 'data');
        const realClean = get(CloseEvent.prototype, 'wasClean');
        const forge = (proto: object, name: string, value: unknown) =>
          Object.defineProperty(proto, name, { configurable: true, get: () => value });
        forge(WebSocket.prototype, 'url', 'wss://chatgpt.com/ws/forged-url');
        forge(WebSocket.prototype, 'protocol', 'forged-protocol');
        forge(MessageEvent.prototype, 'data', 'forged frame');
        forge(CloseEvent.prototype, 'wasClean', false);
        forge(CloseEvent.prototype, 'code', 4999);
        const ws = new WebSocket('wss://chatgpt.com/ws/a8real', ['json.reliable.webpubsub.azure.v1']);
        const frames: string[] = [];
        ws.onmessage = (e) => frames.push(realData.call(e) as string);
        ws.onclose = (e) => resolve({ frames, clean: realClean.call(e) });
      }),
  );
  expect(seen).toEqual({ frames: ['real-1', 'real-2'], clean: true });
  const calls = await until(async () => {
    const c = (await stored()).filter((x) => x.transport === 'websocket');
    return c.length && c.every((x) => x.outcome) ? c : null;
  }, 'the socket ended');
  const socket = calls[0]!;
  expect({
    url: socket.url,
    protocol: socket.responseHeaders?.find(([n]) => n === 'sec-websocket-protocol')?.[1],
    inbound: socket.chunks.filter((c) => c.direction === 'in').map((c) => c.data),
    outcome: socket.outcome,
  }).toEqual({
    url: 'wss://chatgpt.com/ws/a8real',
    protocol: 'json.reliable.webpubsub.azure.v1',
    inbound: ['real-1', 'real-2'],
    outcome: 'complete',
  });
});
