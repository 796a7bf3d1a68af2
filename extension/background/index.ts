// Background (service worker in Chrome, event page in Firefox): the single writer to IndexedDB.
// No state lives only in memory: a killed worker restarts from the database.

import type { Runtime } from 'webextension-polyfill';
import {
  CAPTURE_PORT,
  type CaptureAck,
  captureBatchId,
  LIVE_PORT,
  type StoredBroadcast,
  VIEW_OPEN_KEY,
} from '../../src/messages';
import { readSettings, SETTINGS_KEY } from '../../src/settings';
import { interruptOpenCalls, interruptOpenCallsBetween, openCaptureDb } from '../../src/store/db';
import { HEALTH_KEY, readHealth, type StoreHealth } from '../../src/store/health';
import { ListRowsKeeper } from '../../src/store/list-rows-keeper';
import { ensureRollups } from '../../src/store/rollups';
import { createService } from '../../src/store/service';
import { browser } from '../browser';
import { sessionRows } from '../list-rows-area';
import { installTestChannel, isBrokenForTest } from './test-channel';

let dbPromise: ReturnType<typeof openCaptureDb> | null = null;
const db = () => {
  if (isBrokenForTest()) return Promise.reject(new Error('store broken on purpose (test build)'));
  // Rollups built by another ROLLUP_VERSION are rebuilt once, by the single writer.
  dbPromise ??= openCaptureDb()
    .then(async (d) => {
      await ensureRollups(d).catch(() => undefined); // derived data: never fails the store
      return d;
    })
    .catch((err) => {
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

/** After a delete or clear every tab's count may have dropped (tabs.query needs no permission for ids). */
async function refreshAllBadges() {
  try {
    for (const tab of await browser.tabs.query({})) if (tab.id !== undefined) refreshBadge(tab.id);
  } catch {}
}

// The popup's first screen: the list's newest rows, rebuilt after the store changes (src/store/list-rows.ts).
const listRows = new ListRowsKeeper(db, sessionRows);
// When the worker starts (none kept after a browser restart; one may have been pending when it stopped),
// once it has settled in.
setTimeout(() => void listRows.ensure(), 5_000);

// Live views: tell open extension pages what changed, at most every 50 ms, on the ports they opened
// (none open: nothing is sent).
const livePorts = new Set<Runtime.Port>();
browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  if (port.name !== LIVE_PORT || port.sender?.id !== browser.runtime.id) return;
  if (!(port.sender.url ?? '').startsWith(browser.runtime.getURL(''))) return;
  livePorts.add(port);
  port.onDisconnect.addListener(() => {
    livePorts.delete(port);
    noteViews();
  });
  noteViews();
});

// Whether a view is open, for the relays' batching (VIEW_OPEN_KEY, src/capture/relay-queue.ts): written
// when it changes, one write at a time, each with the state at the moment it runs. Checked at start too:
// a worker that stopped with a view open left `true` behind, and that view's port closed with it (a view
// that reconnects sets it again, 250 ms after its port closed: the check waits a second for that, so a
// restart with a view open does not flip the relays to the long bound and back). The stored value is
// read first, so a start changes nothing when it matches.
let viewOpenWritten: boolean | null = null;
let viewOpenWrites: Promise<void> = Promise.resolve();
function noteViews() {
  viewOpenWrites = viewOpenWrites.then(async () => {
    try {
      viewOpenWritten ??= (await browser.storage.local.get(VIEW_OPEN_KEY))[VIEW_OPEN_KEY] === true;
    } catch {}
    const open = livePorts.size > 0;
    if (open === viewOpenWritten) return;
    viewOpenWritten = open;
    try {
      await browser.storage.local.set({ [VIEW_OPEN_KEY]: open });
    } catch {
      viewOpenWritten = null;
    }
  });
}
setTimeout(noteViews, 1000);
const changed = {
  callIds: new Set<string>(),
  tabId: null as number | null,
  /** A delete, clear, import or retention happened in this window: views must re-read everything. */
  everything: false,
  timer: null as ReturnType<typeof setTimeout> | null,
};
function broadcast(tabId: number | null, callIds: string[]) {
  // The list's stored rows follow every change; at once for a delete, clear or import (the popup is open).
  listRows.changed(tabId === null && callIds.length === 0);
  if (tabId === null && callIds.length === 0) {
    changed.everything = true;
    void refreshAllBadges();
  } else refreshBadge(tabId);
  for (const id of callIds) changed.callIds.add(id);
  changed.tabId = tabId;
  changed.timer ??= setTimeout(() => {
    const callIds = changed.everything ? [] : [...changed.callIds];
    const msg: StoredBroadcast = {
      event: 'stored',
      callIds,
      tabId: changed.everything ? null : changed.tabId,
    };
    changed.callIds.clear();
    changed.everything = false;
    changed.timer = null;
    for (const port of livePorts) {
      try {
        port.postMessage(msg);
      } catch {
        livePorts.delete(port);
        noteViews();
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

// The store's health (src/store/health.ts) lives in storage.local, where the UI reads it; kept in memory
// too, so a healthy batch costs no storage call. One change at a time.
let healthCache: StoreHealth | null = null;
let healthChain: Promise<void> = Promise.resolve();
const health = {
  update(change: (h: StoreHealth) => StoreHealth): Promise<void> {
    healthChain = healthChain
      .then(async () => {
        healthCache ??= readHealth((await browser.storage.local.get(HEALTH_KEY))[HEALTH_KEY]);
        const next = change(healthCache);
        if (next === healthCache) return;
        healthCache = next;
        await browser.storage.local.set({ [HEALTH_KEY]: next });
      })
      .catch(() => {});
    return healthChain;
  },
};

const readUserSettings = async () =>
  readSettings((await browser.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY]);

const service = createService(db, broadcast, {
  sessionStart,
  health,
  retention: async () => (await readUserSettings()).retention,
});

// Retention runs when the worker starts and at most hourly while captures arrive.
const RETENTION_EVERY_MS = 60 * 60 * 1000;
let retentionCheckedAt = 0;
async function maybeApplyRetention() {
  const now = Date.now();
  if (now - retentionCheckedAt < 60_000) return;
  retentionCheckedAt = now;
  try {
    const got = await browser.storage.local.get('retentionRanAt');
    const last = typeof got.retentionRanAt === 'number' ? got.retentionRanAt : 0;
    if (now - last < RETENTION_EVERY_MS) return;
    await browser.storage.local.set({ retentionRanAt: now });
    await service.handleBody('store/retention', {}, { tabId: null, fromExtensionPage: true });
  } catch {}
}
setTimeout(() => void maybeApplyRetention(), 5_000);

// Every call ends. A page that went away (tab closed, navigated, reloaded) disconnects its relay's port:
// once no batch of that page session has arrived for a few seconds, its open calls end as interrupted.
const INTERRUPT_GRACE_MS = 5_000;
const pendingInterrupts = new Map<string, { tabId: number; timer: ReturnType<typeof setTimeout> }>();
function interruptLater(pageSessionId: string, tabId: number) {
  clearTimeout(pendingInterrupts.get(pageSessionId)?.timer);
  const timer = setTimeout(async () => {
    pendingInterrupts.delete(pageSessionId);
    try {
      const reason = 'the page was closed or left before the call ended';
      const ended = await interruptOpenCalls(await db(), [pageSessionId], reason);
      if (ended.length) broadcast(tabId, ended);
    } catch {}
  }, INTERRUPT_GRACE_MS);
  pendingInterrupts.set(pageSessionId, { tabId, timer });
}
/**
 * A batch arrived from `tabId`: its page may be one whose port just disconnected (the relay reconnects
 * after a worker restart or a failed post). Hold that tab's pending interrupts from the moment the batch
 * arrives, not when it is written; the returned function, called once the port's page session is known,
 * re-arms those of other page sessions (the tab navigated to a new page: the old one is gone).
 */
function holdInterrupts(tabId: number): (current: string | null) => void {
  const held: string[] = [];
  for (const [id, p] of pendingInterrupts) {
    if (p.tabId !== tabId) continue;
    clearTimeout(p.timer);
    pendingInterrupts.delete(id);
    held.push(id);
  }
  return (current) => {
    for (const id of held) if (id !== current) interruptLater(id, tabId);
  };
}

// A browser restart leaves no page of the previous session: its open calls were interrupted.
browser.runtime.onStartup.addListener(async () => {
  try {
    const before = await sessionStart();
    const reason = 'the browser was closed before the call ended';
    const ended = await interruptOpenCallsBetween(await db(), before - 7 * 86_400_000, before, reason);
    if (ended.length) broadcast(null, []);
  } catch {}
});

// Pausing drops the hook's events from then on: calls open at that moment can no longer end on their own.
browser.storage.onChanged.addListener(async (changes, area) => {
  if (area !== 'local' || !changes[SETTINGS_KEY]) return;
  const was = readSettings(changes[SETTINGS_KEY].oldValue).recording;
  if (!was || readSettings(changes[SETTINGS_KEY].newValue).recording) return;
  try {
    const now = Date.now();
    const reason = 'recording was paused before the call ended';
    const ended = await interruptOpenCallsBetween(await db(), now - 86_400_000, now, reason);
    if (ended.length) broadcast(null, []);
  } catch {}
});

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
  // One relay, one page: the first page session this port names is the only one it may change.
  const binding = { pageSessionId: null as string | null };
  // The port may close while a batch is still being written: decide once it is (its binding is known then).
  let inFlight: Promise<unknown> = Promise.resolve();
  port.onDisconnect.addListener(() => {
    void inFlight.finally(() => {
      if (binding.pageSessionId) interruptLater(binding.pageSessionId, tabId);
    });
  });
  port.onMessage.addListener(async (body: unknown) => {
    const batchId = captureBatchId(body);
    const rearm = holdInterrupts(tabId);
    const handled = service.handleBody('capture/batch', body, { tabId, fromExtensionPage: false, binding });
    inFlight = handled;
    const r = await handled;
    rearm(binding.pageSessionId);
    void maybeApplyRetention();
    const ack: CaptureAck = r.ok ? { batchId, ok: true } : { batchId, ok: false, error: r.error };
    try {
      port.postMessage(ack);
    } catch {
      // The tab went away; nothing to acknowledge.
    }
  });
});

installTestChannel(db);
