/**
 * The hook's outbox: capture events leave in small bundles (one postMessage per ~10 ms, not one per
 * event), and the work of building them (redaction, text decoding, JSON) runs then, not while the page
 * waits for its response. Until the relay's first settings message arrives, bundles wait in a bounded
 * buffer; then they go out on the private port.
 */
import type { SettingsMessage } from '../channel';
import type { CaptureEvent, HookSettings } from '../events';
import { offerPort } from './handshake';
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
export function createOutbox(win: PageWindow, settings: HookSettings): Outbox {
  let port: MessagePort | null = null;
  let buffer: string[] | null = [];
  const ours = offerPort(win);
  ours.onmessage = (e: MessageEvent) => {
    try {
      const msg = JSON.parse(String(e.data)) as SettingsMessage;
      if (msg.type !== 'settings') return;
      settings.recording = msg.recording === true;
      if (Number.isInteger(msg.maxBodyBytes) && msg.maxBodyBytes >= 0)
        settings.maxBodyBytes = msg.maxBodyBytes;
      if (!port) {
        port = ours;
        const pending = buffer ?? [];
        buffer = null;
        if (settings.recording) for (const m of pending) port.postMessage(m);
      }
    } catch {}
  };

  let items: OutboxItem[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (!items.length) return;
    const batch = items;
    items = [];
    const parts: string[] = [];
    for (const item of batch) {
      try {
        const e = typeof item === 'function' ? item() : item;
        if (e) parts.push(JSON.stringify(e));
      } catch {}
    }
    if (!parts.length) return;
    const bundle = `[${parts.join(',')}]`;
    if (port) port.postMessage(bundle);
    else if (buffer && buffer.length < BUFFER_LIMIT) buffer.push(bundle);
  };
  const flushNow = () => {
    try {
      flush();
    } catch {}
  };
  // What is queued when the page goes away would die with it (keepalive fetches and beacons are sent
  // exactly then): send it at once.
  win.addEventListener('pagehide', flushNow, true);
  win.addEventListener(
    'visibilitychange',
    () => win.document.visibilityState === 'hidden' && flushNow(),
    true,
  );

  return {
    settings,
    post(item) {
      if (!settings.recording) return;
      items.push(item);
      if (!flushScheduled) {
        flushScheduled = true;
        setTimeout(flush, FLUSH_DELAY_MS);
      }
    },
    flushNow,
  };
}
