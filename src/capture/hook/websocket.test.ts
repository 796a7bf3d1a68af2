import { describe, expect, it } from 'vitest';
import { FakeWebSocket, hookedPages } from './test-page';

const install = hookedPages();

describe('WebSocket hook', () => {
  it('records open, frames both ways in order (text and binary), and a clean close', async () => {
    const { win, ended } = install();
    const ws = new win.WebSocket('wss://ws.chatgpt.com/ws?verify=SECRET', ['json.v1']);
    const fake = FakeWebSocket.all[0]!;
    expect(fake.url).toBe('wss://ws.chatgpt.com/ws?verify=SECRET');
    fake.serverOpen();
    ws.send('{"type":"hello"}');
    fake.serverSend('{"seq":1}');
    fake.serverSend(new Uint8Array([1, 2, 3]).buffer);
    ws.send(new Uint8Array([9]));
    fake.serverClose(1000, true);
    expect(fake.sent).toEqual(['{"type":"hello"}', new Uint8Array([9])]);
    const [call] = await ended(1);
    expect(call!.start).toMatchObject({
      transport: 'websocket',
      method: 'GET',
      url: 'wss://ws.chatgpt.com/ws?verify=[redacted]',
    });
    expect(call!.response).toMatchObject({
      status: 101,
      responseHeaders: [['sec-websocket-protocol', 'json.v1']],
    });
    expect(call!.chunks.map((c) => [c.seq, c.direction, c.data, c.encoding])).toEqual([
      [0, 'out', '{"type":"hello"}', undefined],
      [1, 'in', '{"seq":1}', undefined],
      [2, 'in', 'AQID', 'base64'],
      [3, 'out', 'CQ==', 'base64'],
    ]);
    expect(call!.end).toMatchObject({ outcome: 'complete', chunkCount: 4 });
  });

  it('records an unclean close as an error with its code', async () => {
    const { win, ended } = install();
    new win.WebSocket('wss://ws.chatgpt.com/ws');
    FakeWebSocket.all[0]!.serverClose(1006, false);
    const [call] = await ended(1);
    expect(call!.end).toMatchObject({ outcome: 'error', error: 'closed 1006' });
  });

  it('a frame whose send throws is not recorded as sent; the failure is noted at the end', async () => {
    const { win, ended } = install();
    const ws = new win.WebSocket('wss://ws.chatgpt.com/ws');
    const fake = FakeWebSocket.all[0]!;
    expect(() => ws.send('too early')).toThrow(/CONNECTING/);
    fake.serverOpen();
    ws.send('sent');
    fake.serverClose(1000, true);
    const [call] = await ended(1);
    expect(call!.chunks.map((c) => [c.direction, c.data])).toEqual([['out', 'sent']]);
    expect(call!.end).toMatchObject({
      outcome: 'complete',
      error: 'send threw InvalidStateError: Still in CONNECTING state. (1 frame not sent)',
    });
  });
});
