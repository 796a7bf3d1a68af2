/**
 * The page hook: runs in the page's MAIN world at document_start and records every fetch, XHR,
 * sendBeacon and WebSocket the page makes. Rules (DESIGN.md "Page hook"):
 * - the original is called first and its result returned untouched (same Response);
 * - bodies are read from clones, eagerly and chunk by chunk, each chunk stamped on arrival;
 * - secrets are redacted here, before anything leaves the page world;
 * - every error inside the hook is swallowed: the page must behave exactly as without the extension.
 * Work that is not needed to keep timings right happens after the original call has been made.
 *
 * One module per wrapped API (fetch.ts, xhr.ts, beacon.ts, websocket.ts), all reporting to one Recorder,
 * which queues events in the Outbox that feeds the private channel to the relay. Built into one
 * self-contained IIFE (extension/content/page-hook.iife.ts).
 */
import { DEFAULT_MAX_BODY_BYTES } from '../limits';
import { wrapBeacon } from './beacon';
import { wrapFetch } from './fetch';
import { captureIntrinsics } from './intrinsics';
import { createOutbox } from './outbox';
import { Recorder } from './recorder';
import type { PageWindow } from './types';
import { wrapWebSocket } from './websocket';
import { wrapXhr } from './xhr';

export type { PageWindow } from './types';

/** What `installHook` returns to its caller. */
export interface HookHandle {
  /** The id every call recorded in this page load carries. */
  pageSessionId: string;
}

/**
 * Installs the hook into `win` (the page's window, or a test's stand-in with the same globals): opens the
 * channel to the relay and wraps fetch, XMLHttpRequest, sendBeacon and WebSocket. Idempotent per window:
 * returns undefined when a hook is already installed there. Throws only if the channel cannot be made;
 * a wrapper that cannot be installed is skipped.
 */
export function installHook(win: PageWindow): HookHandle | undefined {
  const marker = Symbol.for('chatgpt-flow-recorder.hook');
  const w = win as unknown as Record<symbol, unknown>;
  if (w[marker]) return undefined;
  w[marker] = true;

  // First, before anything else: what the hook needs from the page's world (see intrinsics.ts).
  const js = captureIntrinsics(win);
  const outbox = createOutbox(win, js, {
    recording: true,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    scope: 'all',
  });
  const rec = new Recorder(win, js, outbox);
  for (const wrap of [wrapFetch, wrapXhr, wrapBeacon, wrapWebSocket]) {
    try {
      wrap(rec);
    } catch {}
  }
  return { pageSessionId: rec.pageSessionId };
}
