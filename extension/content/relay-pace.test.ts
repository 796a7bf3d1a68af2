/**
 * The relay's pacing, with a stand-in `browser` and document: while no extension view is open and the page
 * is visible, bundles that keep coming wait (up to 1 s, NO_VIEW_MAX_DELAY_MS); once the page is hidden, or
 * a view opens, what has waited goes at the queue's next check though the calls go on. Margins both
 * ways: nothing is expected within 200 ms of a 1 s bound, and what the next check (40 ms) sends is given
 * 200 ms, where the long bound would wait for the calls' pause 300 ms on.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HANDSHAKE_EVENT, HOOK_HELLO, VIEW_OPEN_KEY } from '../../src/capture/channel';
import { posted, stand } from './relay-stand-in';

vi.mock('../browser', () => import('./relay-stand-in'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const win = new EventTarget();
const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
Object.assign(globalThis, { window: win, document: doc });
const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

/** Bundles every 10 ms for `ms`: when the first was posted, and how many batches went meanwhile. */
async function burst(ms: number, tag: string) {
  const before = posted.length;
  const first = Date.now();
  const end = first + ms;
  for (let i = 0; Date.now() < end; i++) {
    channel.port2.postMessage(`[${tag}${i}]`);
    await sleep(10);
  }
  return { first, sent: posted.length - before };
}

/** When batch `n` is posted (ms since the epoch); throws after 2 s. */
async function postedAt(n: number) {
  const end = Date.now() + 2000;
  while (posted.length <= n) {
    if (Date.now() > end) throw new Error(`batch ${n} never came`);
    await sleep(5);
  }
  return Date.now();
}

describe('relay pacing', () => {
  it('waits while a burst goes on with no view open; sends at once when the page is hidden or a view opens', async () => {
    await import('./relay.iife');
    const hello = Object.assign(new Event(HANDSHAKE_EVENT, { cancelable: true }), {
      data: HOOK_HELLO,
      ports: [channel.port1],
    });
    win.dispatchEvent(hello);
    await sleep(20);

    // Visible, no view open: 200 ms of calls and nothing sent yet.
    const a = await burst(200, 'a');
    expect(a.sent).toBe(0);
    // Hidden: what waited goes at the next check (40 ms) though the calls go on; with the 1 s bound it
    // would wait for their pause, 300 ms on.
    const hidden = burst(300, 'b');
    const hiddenAt = Date.now();
    doc.visibilityState = 'hidden';
    win.dispatchEvent(new Event('visibilitychange'));
    const sent = await postedAt(0);
    await hidden;
    expect(posted[0]!.events[0]).toBe('[a0]');
    expect(sent - hiddenAt).toBeLessThan(200);

    // Visible again, and the queue empty: the long bound again…
    doc.visibilityState = 'visible';
    win.dispatchEvent(new Event('visibilitychange'));
    await sleep(200);
    const settled = posted.length;
    const c = await burst(200, 'c');
    expect(c.sent).toBe(0);
    // …until a view opens, while the calls go on.
    const more = burst(300, 'd');
    const openAt = Date.now();
    stand.storageChanged!({ [VIEW_OPEN_KEY]: { newValue: true } }, 'local');
    const opened = await postedAt(settled);
    await more;
    expect(posted[settled]!.events[0]).toBe('[c0]');
    expect(opened - openAt).toBeLessThan(200);
  });
});
