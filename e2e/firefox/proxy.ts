/**
 * A CONNECT-only HTTP proxy that tunnels every TLS connection to the fake ChatGPT. Firefox has no
 * `--host-resolver-rules`: `network.dns.localDomains` can point the ChatGPT hosts at 127.0.0.1 but not at
 * the fake server's random port, so Firefox is given a PAC script sending those hosts here instead. The
 * tunnel is a raw byte pipe, so the fake server's SSE chunks reach the page over time, as in Chromium.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';

export class TunnelProxy {
  port = 0;
  private server: Server;
  private sockets = new Set<Socket>();
  /** host:port of every CONNECT seen (to prove the browser went through the tunnel). */
  connects: string[] = [];

  constructor(private targetPort: () => number) {
    this.server = createServer((_req, res) => {
      // Plain-HTTP proxying is never needed: the fake only speaks HTTPS.
      res.writeHead(405).end();
    });
    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      this.connects.push(req.url ?? '');
      const upstream = connect(this.targetPort(), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** A PAC script (as a data: URL for `network.proxy.autoconfig_url`) routing `hosts` through this proxy. */
  pacUrl(hosts: readonly string[]): string {
    const pac = `function FindProxyForURL(url, host) {
  return ${JSON.stringify(hosts)}.indexOf(host) >= 0 ? "PROXY 127.0.0.1:${this.port}" : "DIRECT";
}`;
    return `data:application/x-ns-proxy-autoconfig;base64,${Buffer.from(pac).toString('base64')}`;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
