/**
 * `WebSocket` (2024 Azure Web PubSub and 2026 ws.chatgpt.com): the constructor is proxied to watch each
 * socket's open, messages and close; `send` on the prototype records outgoing frames.
 */
import type { BodyRecorder } from './chunks';
import { like } from './native';
import type { Recorder } from './recorder';

/** Replaces `win.WebSocket` with a recording proxy and wraps `WebSocket.prototype.send`. */
export function wrapWebSocket(rec: Recorder): void {
  const win = rec.win;
  const OrigWS = win.WebSocket;
  const sockets = new WeakMap<WebSocket, BodyRecorder>();
  const origWsSend = OrigWS.prototype.send;
  const frame = (chunks: BodyRecorder, data: unknown, direction: 'in' | 'out') => {
    if (typeof data === 'string') chunks.push(data, direction);
    else if (data instanceof ArrayBuffer) chunks.push(new Uint8Array(data.slice(0)), direction);
    else if (ArrayBuffer.isView(data))
      chunks.push(
        new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
        direction,
      );
    else if (data instanceof win.Blob) chunks.pushLater(data.arrayBuffer(), direction);
  };
  win.WebSocket = new Proxy(OrigWS, {
    construct(target, args, newTarget) {
      const ws: WebSocket = Reflect.construct(target, args, newTarget);
      try {
        if (rec.recording) {
          const callId = rec.newId();
          const chunks = rec.bodyRecorder(callId, 'frames');
          sockets.set(ws, chunks);
          // Frames are recorded in the order they happen; the start event is queued before any of them.
          void rec.start(callId, 'websocket', 'GET', ws.url, [], null, rec.now());
          ws.addEventListener('open', () =>
            rec.response(callId, 101, 'Switching Protocols', [['sec-websocket-protocol', ws.protocol]], true),
          );
          ws.addEventListener('message', (e) => frame(chunks, e.data, 'in'));
          ws.addEventListener('close', (e) =>
            chunks.end(e.wasClean ? 'complete' : 'error', e.wasClean ? undefined : `closed ${e.code}`),
          );
        }
      } catch {}
      return ws;
    },
  });
  OrigWS.prototype.send = like(function (
    this: WebSocket,
    data: string | ArrayBufferLike | Blob | ArrayBufferView,
  ) {
    try {
      const chunks = sockets.get(this);
      if (chunks) frame(chunks, data, 'out');
    } catch {}
    return origWsSend.call(this, data);
  }, origWsSend);
}
