// Background (service worker in Chrome, event page in Firefox): the single writer to IndexedDB.
// No state lives only in memory: a killed worker restarts from the database.

import type { Runtime } from 'webextension-polyfill';
import {
  CAPTURE_PORT,
  type CaptureAck,
  captureBatchId,
  LIVE_PORT,
  type StoredBroadcast,
} from '../../src/messages';
import { openCaptureDb } from '../../src/store/db';
import { createService } from '../../src/store/service';
import { browser } from '../browser';
import { installTestChannel, isBrokenForTest } from './test-channel';

let dbPromise: ReturnType<typeof openCaptureDb> | null = null;
const db = () => {
  if (isBrokenForTest()) return Promise.reject(new Error('store broken on purpose (test build)'));
  dbPromise ??= openCaptureDb().catch((err) => {
    dbPromise = null;
    throw err;
  });
  return dbPromise;
};

const badgeTimers = new Map<number, ReturnType<typeof setTimeout>>();
function refreshBadge(tabId: number | null) {
  if (tabId === null) return;
  if (badgeTimers.has(tabId)) return;
  badgeTimers.set(
    tabId,
    setTimeout(async () => {
      badgeTimers.delete(tabId);
      try {
        const r = await service.handleBody('tab/count', { tabId }, { tabId, fromExtensionPage: false });
        if (!r.ok) return;
        const n = r.value.count;
        await browser.action.setBadgeText({ tabId, text: n ? (n > 999 ? '999+' : String(n)) : '' });
        await browser.action.setBadgeBackgroundColor({ tabId, color: '#10a37f' });
      } catch {}
    }, 1000),
  );
}

// Live views: tell open extension pages what changed, at most every 50 ms, on the ports they opened
// (none open: nothing is sent).
const livePorts = new Set<Runtime.Port>();
browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  if (port.name !== LIVE_PORT || port.sender?.id !== browser.runtime.id) return;
  if (!(port.sender.url ?? '').startsWith(browser.runtime.getURL(''))) return;
  livePorts.add(port);
  port.onDisconnect.addListener(() => livePorts.delete(port));
});
const changed = {
  callIds: new Set<string>(),
  tabId: null as number | null,
  timer: null as ReturnType<typeof setTimeout> | null,
};
function broadcast(tabId: number | null, callIds: string[]) {
  refreshBadge(tabId);
  for (const id of callIds) changed.callIds.add(id);
  changed.tabId = tabId;
  changed.timer ??= setTimeout(() => {
    const msg: StoredBroadcast = { event: 'stored', callIds: [...changed.callIds], tabId: changed.tabId };
    changed.callIds.clear();
    changed.timer = null;
    for (const port of livePorts) {
      try {
        port.postMessage(msg);
      } catch {
        livePorts.delete(port);
      }
    }
  }, 50);
}

// Tab ids start over when the browser restarts: the badge counts only this browser session's calls.
// storage.session outlives worker restarts and is cleared with the browser session.
let sessionStartPromise: Promise<number> | null = null;
const sessionStart = () => {
  sessionStartPromise ??= (async () => {
    const got = await browser.storage.session.get('sessionStart');
    if (typeof got.sessionStart === 'number') return got.sessionStart;
    // A minute of margin: the first calls of the session are stamped by the page just before the
    // worker starts to store them.
    const t = Date.now() - 60_000;
    await browser.storage.session.set({ sessionStart: t });
    return t;
  })().catch(() => 0);
  return sessionStartPromise;
};

const service = createService(db, broadcast, { sessionStart });

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id) return undefined;
  const fromExtensionPage = (sender.url ?? '').startsWith(browser.runtime.getURL(''));
  const tabId = fromExtensionPage ? null : (sender.tab?.id ?? null);
  return service.handle(raw, { tabId, fromExtensionPage });
});

// Capture batches arrive on one port per tab (see relay): answer each with an ack once committed.
browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  const sender = port.sender;
  if (port.name !== CAPTURE_PORT || sender?.id !== browser.runtime.id || sender.tab?.id === undefined) return;
  const tabId = sender.tab.id;
  port.onMessage.addListener(async (body: unknown) => {
    const batchId = captureBatchId(body);
    const r = await service.handleBody('capture/batch', body, { tabId, fromExtensionPage: false });
    const ack: CaptureAck = r.ok ? { batchId, ok: true } : { batchId, ok: false, error: r.error };
    try {
      port.postMessage(ack);
    } catch {
      // The tab went away; nothing to acknowledge.
    }
  });
});

installTestChannel(db);
