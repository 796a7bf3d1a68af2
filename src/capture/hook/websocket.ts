/**
 * `WebSocket` (2024 Azure Web PubSub and 2026 ws.chatgpt.com): the constructor is proxied to watch each
 * socket's open, messages and close; `send` on the prototype records outgoing frames.
 */
import { quiet, sendThrew } from './body-reader';
import type { BodyRecorder } from './chunks';
import { like } from './native';
import type { Recorder } from './recorder';

/** Replaces `win.WebSocket` with a recording proxy and wraps `WebSocket.prototype.send`. */
export function wrapWebSocket(rec: Recorder): void {
  const win = rec.win;
  const js = rec.js;
  const OrigWS = win.WebSocket;
  /** A socket's frames, and its sends that threw (not recorded as frames): how many, and the first error. */
  interface Socket {
    chunks: BodyRecorder;
    failed: number;
    firstFailure: string;
  }
  const sockets = new js.WeakMap<WebSocket, Socket>();
  // The socket's and its events' fields through the browser's getters, taken now: a page's replacement
  // (keeping the original for its own reads) would write the record.
  const wsUrl = js.getter<WebSocket, string>(OrigWS.prototype, 'url');
  const wsProtocol = js.getter<WebSocket, string>(OrigWS.prototype, 'protocol');
  const closeCode = js.getter<Event, number>(win.CloseEvent.prototype, 'code');
  const closeClean = js.getter<Event, boolean>(win.CloseEvent.prototype, 'wasClean');
  const origWsSend = OrigWS.prototype.send;
  const frame = (chunks: BodyRecorder, data: unknown, direction: 'in' | 'out') => {
    if (typeof data === 'string') chunks.push(data, direction);
    else {
      // A copy through the browser's constructor and getters (Intrinsics.copyBytes); null: not bytes.
      const bytes = js.copyBytes(data);
      if (bytes) chunks.push(bytes, direction);
      else if (js.isBlob(data)) chunks.pushLater(js.blobArrayBuffer(data), direction);
    }
  };
  const Proxied = new js.Proxy(OrigWS, {
    construct(target, args, newTarget) {
      const ws: WebSocket = js.construct(target, args, newTarget);
      try {
        if (rec.records(() => wsUrl(ws))) {
          const callId = rec.newId();
          const chunks = rec.bodyRecorder(callId, 'frames');
          const socket: Socket = { chunks, failed: 0, firstFailure: '' };
          js.weakSet(sockets, ws, socket);
          // Frames are recorded in the order they happen; the start event is queued before any of them.
          void quiet(rec.start(callId, 'websocket', 'GET', wsUrl(ws), [], null, rec.now()));
          // Only the browser's own events (`isTrusted`, an unforgeable own property of every event): one
          // the page dispatches on its socket changes nothing on the wire, so nothing in the record.
          js.addEventListener(
            ws,
            'open',
            (e) =>
              e.isTrusted &&
              rec.response(
                callId,
                101,
                'Switching Protocols',
                [['sec-websocket-protocol', wsProtocol(ws)]],
                true,
              ),
          );
          js.addEventListener(ws, 'message', (e) => e.isTrusted && frame(chunks, js.messageData(e), 'in'));
          js.addEventListener(ws, 'close', (e) => {
            if (!e.isTrusted) return;
            const clean = closeClean(e);
            const n = socket.failed;
            const note = n ? `${socket.firstFailure} (${n} frame${n > 1 ? 's' : ''} not sent)` : '';
            const closed = `closed ${closeCode(e)}${note ? `; ${note}` : ''}`;
            chunks.end(clean ? 'complete' : 'error', clean ? note || undefined : closed);
          });
        }
      } catch {}
      return ws;
    },
  });
  // The page only ever sees the proxy: a socket's `constructor` must be it too, as with the native class.
  js.defineProperty(OrigWS.prototype, 'constructor', { value: Proxied });
  win.WebSocket = Proxied;
  OrigWS.prototype.send = like(
    {
      send(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
        const socket = js.weakGet(sockets, this);
        let out: unknown;
        try {
          // biome-ignore lint/complexity/noArguments: pass through exactly as given
          out = js.apply(origWsSend, this, arguments);
        } catch (err) {
          // Not sent (still CONNECTING, a bad argument): not a frame; noted on the socket's end instead.
          if (socket && !socket.failed++) socket.firstFailure = sendThrew(err);
          throw err;
        }
        try {
          if (socket) frame(socket.chunks, data, 'out');
        } catch {}
        return out;
      },
    }.send,
    origWsSend,
  );
}
