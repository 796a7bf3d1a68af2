/**
 * The hook's outbox: capture events leave in small bundles (one postMessage per ~10 ms, not one per
 * event), and the work of building them (redaction, text decoding, JSON) runs then, not while the page
 * waits for its response. Until the relay's first settings message arrives, bundles wait in a bounded
 * buffer; then they go out on the private port.
 */
import { readSettingsMessage } from '../channel';
import type { CaptureEvent, HookSettings } from '../events';
import { offerPort } from './handshake';
import type { Intrinsics } from './intrinsics';
import { toJson } from './json';
import type { PageWindow } from './types';

/** Bundles kept while the relay has not connected yet (beyond this, new bundles are dropped). */
const BUFFER_LIMIT = 20_000;
/** How long events wait to be bundled, in milliseconds. */
const FLUSH_DELAY_MS = 10;

/** An event, or a thunk that builds one at flush time (null: nothing to send). Run in order. */
export type OutboxItem = CaptureEvent | (() => CaptureEvent | null);

export interface Outbox {
  /** Current settings, updated in place by the relay's messages. */
  readonly settings: HookSettings;
  /** Queues an item (dropped when recording is off); a flush follows within ~10 ms. */
  post(item: OutboxItem): void;
  /** Sends what is queued now (the page is going away); never throws. */
  flushNow(): void;
}

/**
 * Opens the channel to the relay and returns the outbox that feeds it. `settings` is the initial state
 * (recording on, default cap) and is updated in place by the relay.
 */
export function createOutbox(win: PageWindow, js: Intrinsics, settings: HookSettings): Outbox {
  let port: MessagePort | null = null;
  let buffer: string[] | null = [];
  const ours = offerPort(win, js);
  ours.onmessage = (e: MessageEvent) => {
    try {
      const msg = readSettingsMessage(js.messageData(e), js.parse);
      if (!msg) return;
      settings.recording = msg.recording;
      settings.maxBodyBytes = msg.maxBodyBytes;
      settings.scope = msg.scope;
      if (!port) {
        port = ours;
        const pending = buffer ?? [];
        buffer = null;
        if (settings.recording) for (let i = 0; i < pending.length; i++) js.postMessage(port, pending[i]);
      }
    } catch {}
  };

  /**
   * The queue: an object of no prototype, indexed 0 to `queued` - 1. Storing into it reaches no setter a
   * page could put on Array.prototype or Object.prototype (an array's `a[a.length] = x` would), and costs
   * less than `Intrinsics.append`'s defineProperty (0.04 ms per call in a burst, profiled).
   */
  const queue = (): Record<number, OutboxItem> => ({ __proto__: null }) as Record<number, OutboxItem>;
  let items = queue();
  let queued = 0;
  let flushScheduled = false;
  let flushing = false;
  const flush = () => {
    if (flushing) return;
    flushScheduled = false;
    if (!queued) return;
    // Indexed loops and string concatenation: no Array.prototype method (push, join, the iterator) that a
    // page could replace ever sees an event. A thunk may queue more items (a body's events are built at
    // flush time): they join this bundle, in order.
    let bundle = '';
    flushing = true;
    try {
      for (let i = 0; i < queued; i++) {
        try {
          const item = items[i]!;
          const e = typeof item === 'function' ? item() : item;
          if (e) bundle += (bundle ? ',' : '') + toJson(js, e);
        } catch {}
      }
    } finally {
      items = queue();
      queued = 0;
      flushing = false;
    }
    if (!bundle) return;
    bundle = `[${bundle}]`;
    if (port) js.postMessage(port, bundle);
    else if (buffer && buffer.length < BUFFER_LIMIT) js.append(buffer, bundle);
  };
  const flushNow = () => {
    try {
      flush();
    } catch {}
  };
  // What is queued when the page goes away would die with it (keepalive fetches and beacons are sent
  // exactly then): send it at once.
  js.addEventListener(win, 'pagehide', flushNow, true);
  js.addEventListener(
    win,
    'visibilitychange',
    () => win.document.visibilityState === 'hidden' && flushNow(),
    true,
  );

  return {
    settings,
    post(item) {
      // During a flush, a thunk of an item accepted while recording was on adds that call's rest (a whole
      // body's chunk and end): kept even if recording was switched off since.
      if (!settings.recording && !flushing) return;
      items[queued++] = item;
      if (!flushScheduled && !flushing) {
        flushScheduled = true;
        js.setTimeout(flush, FLUSH_DELAY_MS);
      }
    },
    flushNow,
  };
}
