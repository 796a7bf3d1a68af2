// @vitest-environment happy-dom
/**
 * Attack: the page (MAIN world) registers a capturing `visibilitychange` / `freeze` listener on window
 * and stops propagation. Window's capture listeners run before those of the event's target (document),
 * so a relay listening on document never saw the browser's own event: a hidden page kept the 1 s bound
 * (and a frozen page's queue was not sent). The relay now listens on window, capturing, registered at
 * document_start before any page script: its listener runs first.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HANDSHAKE_EVENT, HOOK_HELLO } from '../../src/capture/channel';
import { posted } from './relay-stand-in';

vi.mock('../browser', () => import('./relay-stand-in'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

let hidden = false;
Object.defineProperty(document, 'visibilityState', {
  configurable: true,
  get: () => (hidden ? 'hidden' : 'visible'),
});

async function burst(ms: number, tag: string) {
  const before = posted.length;
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end; i++) {
    channel.port2.postMessage(`[${tag}${i}]`);
    await sleep(10);
  }
  return posted.length - before;
}

describe('relay pacing vs a hostile page', () => {
  it('sanity: document events reach window capture listeners first in this DOM', () => {
    const order: string[] = [];
    window.addEventListener('x-probe', () => order.push('window'), true);
    document.addEventListener('x-probe', () => order.push('document'), true);
    document.dispatchEvent(new Event('x-probe', { bubbles: true }));
    expect(order).toEqual(['window', 'document']);
  });

  it('a page that stops visibilitychange at window cannot keep a hidden page at the 1 s bound', async () => {
    await import('./relay.iife');
    const hello = Object.assign(new Event(HANDSHAKE_EVENT, { cancelable: true }), {
      data: HOOK_HELLO,
      ports: [channel.port1],
    });
    window.dispatchEvent(hello);
    await sleep(20);

    // The hostile page, after the relay was installed (any page script runs after document_start).
    if (!process.env.NO_ATTACK)
      window.addEventListener('visibilitychange', (e) => e.stopImmediatePropagation(), true);

    // The browser hides the page: its own (trusted-equivalent) visibilitychange at document.
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));

    // Calls go on for 500 ms: with the short bound (120 ms) the first batch goes within ~160 ms.
    const sent = await burst(500, 'h');
    expect(sent, 'hidden page: batches within 500 ms of continuous calls').toBeGreaterThan(0);
  });
});
