/**
 * The relay, with a stand-in `browser`: each dropped bundle is reported to the background once, no batch
 * carries a negative count, and a `pagehide` the page dispatches itself does not re-send the queue (found
 * in review).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CAPTURE_PORT, HANDSHAKE_EVENT, HOOK_HELLO } from '../../src/capture/channel';
import { RELAY_MAX_ITEM_CHARS } from '../../src/capture/limits';
import { requests } from '../../src/messages';

interface Posted {
  batchId: string;
  events: string[];
  dropped?: number;
}
const posted: Posted[] = [];
let ackListener: ((m: unknown) => void) | null = null;
let autoAck = false;

vi.mock('../browser', () => ({
  browser: {
    runtime: {
      id: 'ext',
      connect: ({ name }: { name: string }) => {
        expect(name).toBe(CAPTURE_PORT);
        return {
          postMessage: (m: Posted) => {
            posted.push(m);
            if (autoAck) setTimeout(() => ackListener?.({ batchId: m.batchId, ok: true }), 0);
          },
          onMessage: { addListener: (f: (m: unknown) => void) => (ackListener = f) },
          onDisconnect: { addListener: () => {} },
          disconnect: () => {},
        };
      },
    },
    storage: {
      local: { get: async () => ({}) },
      onChanged: { addListener: () => {} },
    },
  },
}));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(
        `timed out: ${JSON.stringify(posted.map((p) => [p.events.map((e) => e.slice(0, 5)), p.dropped]))}`,
      );
    await sleep(10);
  }
}
const ack = (batchId: string) => ackListener!({ batchId, ok: true });

const win = new EventTarget();
(globalThis as unknown as { window: EventTarget }).window = win;
(globalThis as unknown as { document: EventTarget }).document = Object.assign(new EventTarget(), {
  visibilityState: 'visible',
});
const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

describe('relay: flushNow while a batch is in flight ', () => {
  it('reports each dropped bundle once and never sends a negative dropped count', async () => {
    await import('./relay.iife');
    const hello = new Event(HANDSHAKE_EVENT, { cancelable: true }) as Event & {
      data: unknown;
      ports: unknown;
    };
    Object.assign(hello, { data: HOOK_HELLO, ports: [channel.port1] });
    win.dispatchEvent(hello);
    const hook = channel.port2;

    // One bundle the relay must drop (larger than any message may be), then a normal one.
    hook.postMessage('x'.repeat(RELAY_MAX_ITEM_CHARS + 1));
    hook.postMessage('[1]');
    await waitFor(() => posted.length >= 1);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.dropped).toBe(1);

    // The batch is in flight (not acknowledged yet); another bundle comes, then the page goes away (or the
    // page dispatches a synthetic pagehide).
    hook.postMessage('[2]');
    await sleep(20);
    win.dispatchEvent(new Event('pagehide'));
    for (const p of [...posted]) ack(p.batchId);
    autoAck = true;
    await sleep(80);

    // The page lives on (back/forward cache, or a synthetic pagehide): the next batch.
    hook.postMessage('[3]');
    await waitFor(() => posted.some((p) => p.events.includes('[3]')));
    autoAck = false;
    const reported = posted.filter((p) => p.events.length > 0);
    const totalReported = reported.reduce((n, p) => n + (p.dropped ?? 0), 0);
    for (const p of posted) {
      // Every batch must pass the background's schema, else it is refused and re-sent forever.
      expect(
        requests['capture/batch'].safeParse(p).success,
        JSON.stringify({ ...p, events: p.events.length }),
      ).toBe(true);
    }
    // One bundle was dropped: the background must be told once (the health banner's count).
    expect(totalReported).toBe(1);
  });

  it('does not re-post the queue on every pagehide the page itself dispatches', async () => {
    // A batch is in flight (never acknowledged); a bundle waits behind it.
    channel.port2.postMessage('[4]');
    await waitFor(() => posted.some((p) => p.events.includes('[4]')));
    channel.port2.postMessage('[5]');
    await sleep(20);
    const before = posted.length;
    for (let i = 0; i < 5; i++) win.dispatchEvent(new Event('pagehide')); // untrusted, from the page
    const copies = posted.slice(before).filter((p) => p.events.includes('[5]')).length;
    expect(copies).toBeLessThanOrEqual(1);
  });
});
