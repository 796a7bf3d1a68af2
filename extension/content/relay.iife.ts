// ISOLATED world, document_start: takes the hook's private port and forwards its events to the background.

import type { Runtime } from 'webextension-polyfill';
import {
  CAPTURE_PORT,
  HANDSHAKE_EVENT,
  HOOK_HELLO,
  isCaptureAck,
  RELAY_HELLO,
  type SettingsMessage,
  VIEW_OPEN_KEY,
} from '../../src/capture/channel';
import { NO_VIEW_MAX_DELAY_MS, RelayQueue, VIEW_OPEN_MAX_DELAY_MS } from '../../src/capture/relay-queue';
// Type only: the relay must not bundle zod (see src/capture/channel.ts).
import type { Request } from '../../src/messages';
import { readSettings, SETTINGS_KEY } from '../../src/settings';
import { browser } from '../browser';
import { installTestQuery } from './test-query';

let hookPort: MessagePort | null = null;
/** Whether an extension view is open (VIEW_OPEN_KEY, written by the background): see `pace`. */
let viewOpen = false;

// One long-lived port to the background: far cheaper per batch than a sendMessage each time. When the
// worker stops (idle, killed, updated) the port disconnects; unacknowledged batches are then re-sent on a
// new port, which wakes the worker.
let bg: Runtime.Port | null = null;
const acks = new Map<string, (ok: boolean) => void>();
const ACK_TIMEOUT_MS = 10_000;

function backgroundPort(): Runtime.Port {
  if (bg) return bg;
  const port = browser.runtime.connect({ name: CAPTURE_PORT });
  port.onMessage.addListener((ack: unknown) => {
    if (!isCaptureAck(ack)) return;
    acks.get(ack.batchId)?.(ack.ok);
    acks.delete(ack.batchId);
  });
  port.onDisconnect.addListener(() => {
    bg = null;
    for (const settle of acks.values()) settle(false);
    acks.clear();
  });
  bg = port;
  return port;
}

// Bundles the queue dropped that the background has been told of (its count reaches the health banner).
let droppedReported = 0;

const queue = new RelayQueue({
  // Until storage says a view is open (`pace`): most page loads happen with none open.
  maxDelayMs: NO_VIEW_MAX_DELAY_MS,
  deliverNow,
  deliver: (batchId, events) =>
    new Promise<boolean | 'unsendable'>((resolve) => {
      const dropped = queue.dropped - droppedReported;
      try {
        const port = backgroundPort();
        const timer = setTimeout(() => {
          acks.delete(batchId);
          resolve(false);
        }, ACK_TIMEOUT_MS);
        acks.set(batchId, (ok) => {
          clearTimeout(timer);
          if (ok) droppedReported += dropped;
          resolve(ok);
        });
        port.postMessage({ batchId, events, dropped } satisfies Request<'capture/batch'>);
      } catch (err) {
        acks.delete(batchId);
        // Chrome refuses a message over 64 MiB ("Message length exceeded maximum allowed length"): the
        // port is fine, the batch is not; the queue splits it (or drops the one bundle that is too large).
        if (browser.runtime?.id && /length|too large|exceed/i.test(String((err as Error)?.message ?? err))) {
          resolve('unsendable');
          return;
        }
        // A dead port: drop it, so the retry opens a fresh one.
        try {
          bg?.disconnect();
        } catch {}
        bg = null;
        acks.delete(batchId);
        // The extension was reloaded, updated or removed while this tab stayed open: this relay is
        // orphaned for good. Tell the hook to stop recording so the page does no work for nothing.
        if (!browser.runtime?.id) stopHook();
        resolve(false);
      }
    }),
});

/**
 * The page is going away: a batch sent without waiting for its acknowledgement. It reports no dropped
 * bundles (those go with acknowledged batches only, so each is counted once).
 */
function deliverNow(batchId: string, events: string[]) {
  try {
    backgroundPort().postMessage({ batchId, events, dropped: 0 } satisfies Request<'capture/batch'>);
  } catch {}
}

function stopHook() {
  queue.close();
  const msg: SettingsMessage = { type: 'settings', recording: false, maxBodyBytes: 0, scope: 'all' };
  hookPort?.postMessage(JSON.stringify(msg));
}

function onHello(e: Event) {
  const m = e as MessageEvent;
  const port = m.ports?.[0];
  if (m.data !== HOOK_HELLO || !port) return;
  // Cancelling tells the hook the port was taken: it stops offering it (see src/capture/channel.ts).
  m.preventDefault();
  window.removeEventListener(HANDSHAKE_EVENT, onHello, true);
  connect(port);
}
window.addEventListener(HANDSHAKE_EVENT, onHello, true);
window.dispatchEvent(new MessageEvent(HANDSHAKE_EVENT, { data: RELAY_HELLO }));

function connect(port: MessagePort) {
  hookPort = port;
  port.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') queue.push(e.data);
  };
  const push = (raw: unknown) => {
    const s = readSettings(raw);
    const msg: SettingsMessage = {
      type: 'settings',
      recording: s.recording,
      maxBodyBytes: s.maxBodyBytes,
      scope: s.scope,
    };
    port.postMessage(JSON.stringify(msg));
  };
  // A change reported before the first read answers is newer than that answer: the read keeps away.
  let viewChanged = false;
  browser.storage.local.get([SETTINGS_KEY, VIEW_OPEN_KEY]).then(
    (r) => {
      push(r[SETTINGS_KEY]);
      if (!viewChanged) viewOpen = r[VIEW_OPEN_KEY] === true;
      pace();
    },
    () => push(undefined),
  );
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    if (changes[SETTINGS_KEY]) push(changes[SETTINGS_KEY].newValue);
    if (changes[VIEW_OPEN_KEY]) {
      viewChanged = true;
      viewOpen = changes[VIEW_OPEN_KEY].newValue === true;
      pace();
    }
  });
}

/**
 * How long bundles may wait for a pause in the page's calls: briefly while an extension view is open (it
 * shows them live; what waits longer than that bound goes at the queue's next check) or while this page
 * is hidden (nothing on screen to keep smooth, and its timers may be throttled and the tab discarded),
 * else long enough for a burst of calls to end before the background's writes compete with the page for
 * the cores.
 */
function pace() {
  const short = viewOpen || document.visibilityState === 'hidden';
  queue.setMaxDelay(short ? VIEW_OPEN_MAX_DELAY_MS : NO_VIEW_MAX_DELAY_MS);
}
// Any visibilitychange, even one the page dispatches: pace() reads the real state (the isolated world's).
// On window, capturing, like pagehide below: registered at document_start, before any page script, so it
// runs first; on document, a page's capturing window listener could stop the event before it (attack run).
window.addEventListener('visibilitychange', pace, true);

// The page is going away: send what is queued now rather than after the batching delay.
// Only the browser's own event: a page dispatching `pagehide` must not make the relay re-send its queue.
window.addEventListener('pagehide', (e) => e.isTrusted && queue.flushNow(), true);
// Frozen (a background tab the browser may discard next): no timer runs until it resumes.
window.addEventListener('freeze', (e) => e.isTrusted && queue.flushNow(), true);

if (__TEST_BUILD__) installTestQuery();
