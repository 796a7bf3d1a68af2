/**
 * A fake ChatGPT: a real HTTPS server on 127.0.0.1 that answers the calls of the loaded flow, streaming SSE
 * bodies chunk by chunk over time (route.fulfill cannot stream). Browsers reach it for chatgpt.com,
 * chat.openai.com, ab.chatgpt.com and ws.chatgpt.com through --host-resolver-rules (Chromium) or a proxy (Firefox), with
 * certificate errors ignored. Calls are matched to the flow's steps by method + URL, in order.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { FakeResponse, Flow } from '../../test/flows';

export const FAKE_HOSTS = ['chatgpt.com', 'chat.openai.com', 'ab.chatgpt.com', 'ws.chatgpt.com'];
/** A host the extension does not match: same server, same browser, no page hook (benchmark baseline). */
export const UNHOOKED_HOST = 'unhooked.test';

function selfSignedCert() {
  const dir = mkdtempSync(join(tmpdir(), 'fake-chatgpt-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=chatgpt.com']
      .concat(['-addext', `subjectAltName=${FAKE_HOSTS.map((h) => `DNS:${h}`).join(',')}`])
      .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

const page = (
  headScript = '',
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChatGPT (fake)</title>
${headScript ? `<script>${headScript}</script>` : ''}</head>
<body><main id="app">Fake ChatGPT for end-to-end tests</main></body></html>`;

/**
 * `/?early-script`: the page's first script, run before the relay has its settings, replays the handshake
 * (as the relay, then listens for any port) — it must get nothing.
 */
const EARLY_SCRIPT = `window.__early = { ports: 0 };
window.addEventListener('chatgpt-flow-recorder:handshake', function (e) { window.__early.ports += (e.ports || []).length; }, true);
window.dispatchEvent(new MessageEvent('chatgpt-flow-recorder:handshake', { data: 'relay' }));`;

/**
 * `/?hostile`: the page's first script replaces MessagePort.prototype.postMessage and JSON.stringify with
 * spies that forward to the originals and note every call carrying a capture (a MessagePort `this`, or a
 * value with a `callId`) in `window.__hostile`. `window.__spyOn()` installs the same spies again (a later
 * script).
 */
const HOSTILE_SCRIPT = `window.__hostile = [];
window.__spyOn = function (label) {
  var post = MessagePort.prototype.postMessage, stringify = JSON.stringify;
  var captured = function (v) { return typeof v === 'string' ? v.indexOf('"callId"') >= 0 : !!(v && typeof v === 'object' && 'callId' in v); };
  MessagePort.prototype.postMessage = function (m) { window.__hostile.push(label + ' postMessage'); return post.apply(this, arguments); };
  JSON.stringify = function (v) { if (captured(v)) window.__hostile.push(label + ' stringify'); return stringify.apply(JSON, arguments); };
};
window.__spyOn('head');`;

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class FakeChatGPT {
  port = 0;
  private server: Server;
  private queues = new Map<string, FakeResponse[]>();
  /** Every request the server saw (to compare what the page sent with what was recorded). */
  received: ReceivedRequest[] = [];
  /** URLs whose response the client closed before it was complete (a cancelled body closes it). */
  closedEarly: string[] = [];
  /** Called just before each SSE chunk is written (tests use it to act mid-stream). */
  onChunk: ((index: number, total: number) => void | Promise<void>) | null = null;

  constructor() {
    this.server = createServer(selfSignedCert(), (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => void this.upgrade(req, socket));
  }

  /** Frames a WebSocket (`GET wss://…/ws…`) sends after it opens, `delayMs` apart. */
  socketFrames: string[] = [];
  socketDelayMs = 20;
  /** Text frames the page sent on its sockets. */
  socketReceived: string[] = [];

  // A minimal RFC 6455 server (text frames only): enough to replay the 2024 Azure Web PubSub and 2026
  // ws.chatgpt.com deliveries without another dependency.
  private async upgrade(req: IncomingMessage, socket: Duplex) {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const proto = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')[0]
      ?.trim();
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${
        proto ? `Sec-WebSocket-Protocol: ${proto}\r\n` : ''
      }\r\n`,
    );
    socket.on('data', (buf: Buffer) => {
      // Client frames are masked; read single-frame text messages.
      if ((buf[0]! & 0x0f) !== 1) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      }
      const mask = buf.subarray(off, off + 4);
      const data = Buffer.from(buf.subarray(off + 4, off + 4 + len).map((b, i) => b ^ mask[i % 4]!));
      this.socketReceived.push(data.toString('utf8'));
    });
    socket.on('error', () => {});
    for (const f of this.socketFrames) {
      await new Promise((r) => setTimeout(r, this.socketDelayMs));
      const payload = Buffer.from(f, 'utf8');
      const head =
        payload.length < 126
          ? Buffer.from([0x81, payload.length])
          : payload.length < 65536
            ? Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff])
            : Buffer.concat([
                Buffer.from([0x81, 127]),
                (() => {
                  const b = Buffer.alloc(8);
                  b.writeBigUInt64BE(BigInt(payload.length));
                  return b;
                })(),
              ]);
      socket.write(Buffer.concat([head, payload]));
    }
    await new Promise((r) => setTimeout(r, this.socketDelayMs));
    socket.end(Buffer.from([0x88, 2, 0x03, 0xe8]));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Answers that never run out, on any host (benchmarks repeat the same call many times). */
  routes = new Map<string, FakeResponse>();
  route(method: string, pathAndQuery: string, response: FakeResponse) {
    this.routes.set(`${method} ${pathAndQuery}`, response);
  }

  /** Loads a flow: each of its steps answers the next matching request. */
  load(flow: Flow) {
    this.queues.clear();
    this.received = [];
    for (const s of flow.steps) {
      const key = `${s.request.method} ${s.request.url}`;
      const q = this.queues.get(key) ?? [];
      q.push(s.response);
      this.queues.set(key, q);
    }
  }

  /** Chromium flag mapping the ChatGPT hosts to this server. */
  hostResolverRules(): string {
    return [...FAKE_HOSTS, UNHOOKED_HOST].map((h) => `MAP ${h} 127.0.0.1:${this.port}`).join(', ');
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const host = (req.headers.host ?? 'chatgpt.com').replace(/:\d+$/, '');
    const url = `https://${host}${req.url ?? '/'}`;
    const origin = req.headers.origin;
    const cors: [string, string][] = origin
      ? [
          ['access-control-allow-origin', origin],
          ['access-control-allow-credentials', 'true'],
          ['access-control-expose-headers', '*'],
        ]
      : [];
    if (req.method === 'OPTIONS') {
      res.writeHead(204, [
        ...cors,
        ['access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE'],
        ['access-control-allow-headers', String(req.headers['access-control-request-headers'] ?? '*')],
        ['access-control-max-age', '600'],
      ]);
      res.end();
      return;
    }
    this.received.push({
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    const path = new URL(url).pathname;
    if (req.method === 'GET' && (path === '/' || path.startsWith('/c/'))) {
      res.writeHead(200, [
        ['content-type', 'text/html; charset=utf-8'],
        ['set-cookie', '__Secure-next-auth.session-token=CANARYcookie; Path=/; Secure; HttpOnly'],
      ]);
      const q = new URL(url).searchParams;
      res.end(page(q.has('early-script') ? EARLY_SCRIPT : q.has('hostile') ? HOSTILE_SCRIPT : ''));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const u = new URL(url);
    const answer =
      this.queues.get(`${req.method} ${url}`)?.shift() ??
      this.routes.get(`${req.method} ${u.pathname}${u.search}`);
    if (!answer) {
      res.writeHead(404, [...cors, ['content-type', 'application/json']]);
      res.end('{"detail":"Not found"}');
      return;
    }
    const headers = answer.headers.filter(([n]) => !/^access-control-/i.test(n)).concat(cors);
    if (answer.gzip) {
      const gz = gzipSync(Buffer.from(answer.body ?? '', 'utf8'));
      res.writeHead(answer.status, [
        ...headers,
        ['content-encoding', 'gzip'],
        ...(answer.gzip === 'chunked' ? [] : [['content-length', String(gz.length)] as [string, string]]),
      ]);
      res.end(gz);
      return;
    }
    res.writeHead(answer.status, headers);
    if (answer.timed) {
      // Each piece after its own pause: a turn whose phases take measurable time.
      res.flushHeaders();
      for (const piece of answer.timed) {
        if (piece.afterMs) await new Promise((r) => setTimeout(r, piece.afterMs));
        if (res.destroyed) return;
        res.write(piece.data);
      }
      res.end();
      return;
    }
    const body = Buffer.from(answer.body ?? '', 'utf8');
    if (!answer.stream) {
      res.end(body);
      return;
    }
    const { chunkBytes, delayMs, firstDelayMs = 0, dropAfterChunks } = answer.stream;
    const total = Math.ceil(body.length / chunkBytes);
    res.on('close', () => {
      if (!res.writableFinished) this.closedEarly.push(url);
    });
    res.flushHeaders();
    if (firstDelayMs) await new Promise((r) => setTimeout(r, firstDelayMs));
    for (let i = 0; i < total; i++) {
      if (res.destroyed) return;
      if (i === dropAfterChunks) {
        res.socket?.destroy();
        return;
      }
      await this.onChunk?.(i, total);
      res.write(body.subarray(i * chunkBytes, (i + 1) * chunkBytes));
      await new Promise((r) => setTimeout(r, delayMs));
    }
    res.end();
  }
}
