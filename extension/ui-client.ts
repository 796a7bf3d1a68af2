/**
 * The extension's UiClient: reads IndexedDB directly (extension pages share the background's origin, so
 * reading needs no round trip), and asks the background — the single writer — for every change.
 * Settings live in storage.local; live updates come from the background's `stored` broadcast.
 *
 * The popup's first screen loads this module: what only later work needs (the message schemas, which bring
 * zod; imports, storage reports, Insights' summaries) is imported on first use.
 */

import type { Runtime } from 'webextension-polyfill';
import { LIVE_PORT } from '../src/capture/channel';
import type { CallSummary, TurnSummary } from '../src/insights/summary';
import type { Send, StoredBroadcast } from '../src/messages';
import { readSettings, SETTINGS_KEY, type Settings, settingsSchema } from '../src/settings';
import { HEALTH_KEY, readHealth, type StoreHealth } from '../src/store/health';
import { asListRows, type ListRows } from '../src/store/list-rows';
import {
  type CaptureDb,
  callsByConversation,
  callsByPageSession,
  chunksOfCalls,
  allCalls as dbAllCalls,
  getChunks,
  openForReading,
  recentCalls,
} from '../src/store/reader';
import type { UsageReport } from '../src/store/retention';
import type { RollupSnapshot } from '../src/store/rollups';
import type { StoredCall, StoredChunk } from '../src/store/schema';
import type { HostAccess, ImportResult, StoreChange, UiClient } from '../src/ui/client';
import { browser } from './browser';
import { sessionRows } from './list-rows-area';
import { hostAccess, requestHostAccess } from './permissions';

/** extension/send.ts `send`, loaded with the message schemas on the first message sent. */
const send: Send = async (name, body) => (await import('./send')).send(name, body);

const APP_PAGE = 'extension/app/index.html';
const INSIGHTS_PAGE = 'extension/insights/index.html';
/**
 * localStorage of the extension's origin (the same origin, and the same device, as the captures in
 * IndexedDB): the list's newest rows for the next popup. "Clear everything" removes it.
 */
const SNAPSHOT_KEY = 'cfr:list-snapshot:v2';
/** The snapshot's earlier key (rows without their time): removed when the first v2 snapshot is saved. */
const OLD_SNAPSHOT_KEY = 'cfr:list-snapshot:v1';

export class ExtensionClient implements UiClient {
  private dbPromise: Promise<CaptureDb> | null = null;

  constructor() {
    // Opening the database takes tens of milliseconds: start while the page is still rendering.
    this.db().catch(() => {});
  }

  private db(): Promise<CaptureDb> {
    this.dbPromise ??= openForReading().then(
      (db) => {
        // A newer version (an extension update) must not wait for this page to close.
        db.addEventListener('versionchange', () => {
          db.close();
          this.dbPromise = null;
        });
        return db;
      },
      (err: unknown) => {
        this.dbPromise = null;
        throw err;
      },
    );
    return this.dbPromise;
  }

  async allCalls(): Promise<StoredCall[]> {
    return dbAllCalls(await this.db());
  }

  async callsByConversation(conversationId: string): Promise<StoredCall[]> {
    return callsByConversation(await this.db(), conversationId);
  }

  async callsByPageSession(pageSessionId: string): Promise<StoredCall[]> {
    return callsByPageSession(await this.db(), pageSessionId);
  }

  async chunks(callId: string): Promise<StoredChunk[]> {
    return getChunks(await this.db(), callId);
  }

  async recentCalls(limit: number, before?: number): Promise<StoredCall[]> {
    return recentCalls(await this.db(), limit, before);
  }

  async callsById(callIds: readonly string[]): Promise<StoredCall[]> {
    const db = await this.db();
    const tx = db.transaction('calls', 'readonly');
    const found = await Promise.all(callIds.map((id) => tx.store.get(id)));
    await tx.done;
    return found.filter((c): c is StoredCall => c !== undefined);
  }

  async chunksOf(
    callIds: readonly string[],
    afterSeq?: ReadonlyMap<string, number>,
  ): Promise<Map<string, StoredChunk[]>> {
    return chunksOfCalls(await this.db(), callIds, afterSeq);
  }

  async callCount(): Promise<number> {
    return (await this.db()).count('calls');
  }

  async deleteCalls(callIds: string[]): Promise<void> {
    await send('store/delete', { callIds });
  }

  async clearAll(): Promise<void> {
    localStorage.removeItem(SNAPSHOT_KEY);
    localStorage.removeItem(OLD_SNAPSHOT_KEY);
    await sessionRows.remove().catch(() => {});
    await send('store/clear', {});
  }

  listSnapshot(): ListRows | null {
    try {
      // Our own page wrote it; still, a half-written or older shape is dropped rather than shown.
      return asListRows(JSON.parse(localStorage.getItem(SNAPSHOT_KEY) ?? 'null'));
    } catch {
      return null;
    }
  }

  saveListSnapshot(rows: ListRows): void {
    try {
      localStorage.setItem(SNAPSHOT_KEY, JSON.stringify(rows));
      localStorage.removeItem(OLD_SNAPSHOT_KEY);
    } catch {
      // Full or unavailable: the list just opens without a snapshot.
    }
  }

  async storedListRows(): Promise<ListRows | null> {
    return asListRows(await sessionRows.read());
  }

  async importCaptures(
    importId: string,
    calls: StoredCall[],
    chunks: StoredChunk[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    // One runtime message may carry at most ~64 MiB (Chrome): send the import in parts of ~8 MB, in order.
    // The background stages them and commits everything in one transaction with the final part, so a
    // failure at any point leaves the database unchanged.
    const { planImportParts } = await import('../src/store/import');
    const parts = planImportParts(calls, chunks);
    onProgress?.(0, parts.length);
    let result: ImportResult = { added: 0, skipped: 0 };
    for (const [i, part] of parts.entries()) {
      const final = i === parts.length - 1;
      const r = await send('store/import', {
        importId,
        part: i,
        final,
        calls: part.calls,
        chunks: part.chunks,
      });
      if (final) result = { added: r.added, skipped: r.skipped };
      onProgress?.(i + 1, parts.length);
    }
    return result;
  }

  async storageEstimate(): Promise<{ usage: number; quota: number } | null> {
    if (!navigator.storage?.estimate) return null;
    const e = await navigator.storage.estimate();
    return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
  }

  async storageUsage(): Promise<UsageReport> {
    const { storageUsage } = await import('../src/store/retention');
    return storageUsage(await this.db());
  }

  async health(): Promise<StoreHealth> {
    return readHealth((await browser.storage.local.get(HEALTH_KEY))[HEALTH_KEY]);
  }

  async dismissHealth(): Promise<void> {
    await send('health/dismiss', {});
  }

  async applyRetention(): Promise<{ deleted: number; stripped: number }> {
    return send('store/retention', {});
  }

  async turnSummaries(): Promise<TurnSummary[]> {
    const { allTurnSummaries } = await import('../src/store/summaries');
    return allTurnSummaries(await this.db());
  }

  async callSummaries(): Promise<CallSummary[]> {
    const { allCallSummaries } = await import('../src/store/summaries');
    return allCallSummaries(await this.db());
  }

  async rollups(): Promise<RollupSnapshot> {
    const { readRollups } = await import('../src/store/rollups');
    return readRollups(await this.db());
  }

  async callIds(): Promise<string[]> {
    return (await this.db()).getAllKeys('calls');
  }

  async callsOfKinds(kinds: readonly string[]): Promise<StoredCall[]> {
    const db = await this.db();
    const lists = await Promise.all(
      kinds.map((k) =>
        db.getAllFromIndex('calls', 'byKind', IDBKeyRange.bound([k, 0], [k, Number.MAX_VALUE])),
      ),
    );
    return lists.flat();
  }

  async summarizeTurns(callIds: string[]): Promise<number> {
    return (await send('insights/summarize', { callIds })).written;
  }

  async openInsights(): Promise<void> {
    await browser.tabs.create({ url: browser.runtime.getURL(INSIGHTS_PAGE) });
  }

  async settings(): Promise<Settings> {
    const got = await browser.storage.local.get(SETTINGS_KEY);
    return readSettings(got[SETTINGS_KEY]);
  }

  async setSettings(patch: Partial<Settings>): Promise<void> {
    const next = settingsSchema.parse({ ...(await this.settings()), ...patch });
    // The relay listens to storage changes and tells the page hook (recording on/off).
    await browser.storage.local.set({ [SETTINGS_KEY]: next });
  }

  hostAccess(): Promise<HostAccess> {
    return hostAccess();
  }

  requestHostAccess(): Promise<boolean> {
    // Called straight from the click handler: Firefox requires the user gesture (permissions.ts).
    return requestHostAccess();
  }

  async activeTabCount(): Promise<number | null> {
    // In the full-tab view the active tab is this page: there is no ChatGPT tab to count.
    if (await browser.tabs.getCurrent()) return null;
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    if (tab?.id === undefined) return null;
    return (await send('tab/count', { tabId: tab.id })).count;
  }

  async openOptions(): Promise<void> {
    await browser.runtime.openOptionsPage();
  }

  async openInTab(conversationId?: string): Promise<void> {
    // tabs.create needs no permission for the extension's own pages.
    const hash = conversationId ? `#/c/${encodeURIComponent(conversationId)}` : '';
    await browser.tabs.create({ url: browser.runtime.getURL(APP_PAGE) + hash });
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    let pending: StoreChange | null = null;
    // The broadcast's schema comes with zod: loaded with the first broadcast. Messages wait for it in order.
    let schema: Promise<typeof import('../src/messages').storedBroadcast> | null = null;
    const onBroadcast = (raw: unknown) => {
      schema ??= import('../src/messages').then((m) => m.storedBroadcast);
      void schema.then((s) => {
        const parsed = s.safeParse(raw);
        if (!parsed.success) return;
        const msg = parsed.data;
        // Coalesce broadcasts that arrive together into one change; an empty id list means "everything".
        if (!pending) {
          pending = { callIds: [...msg.callIds], tabId: msg.tabId };
          queueMicrotask(() => {
            const change = pending;
            pending = null;
            if (change) listener(change);
          });
        } else if (pending.callIds.length > 0 && msg.callIds.length > 0) {
          pending.callIds.push(...msg.callIds);
        } else pending.callIds = [];
      });
    };
    const onMessage = (raw: unknown): undefined => {
      onBroadcast(raw);
      // Returning undefined (not a promise) leaves the reply to the background's own listeners.
      return undefined;
    };
    // A port, not runtime.onMessage: the background only broadcasts to views that are open. When the
    // worker stops, the port disconnects; reconnecting restarts it, and a full re-read covers the gap.
    let port: Runtime.Port | null = null;
    let closed = false;
    // The store's health changes without a write (a failing one): tell the view as a change of nothing.
    const onStorage = (changes: Record<string, unknown>, area: string) => {
      if (area === 'local' && HEALTH_KEY in changes) listener({ callIds: [], tabId: null });
    };
    browser.storage.onChanged.addListener(onStorage);
    const connect = () => {
      if (closed) return;
      port = browser.runtime.connect({ name: LIVE_PORT });
      port.onMessage.addListener(onMessage);
      port.onDisconnect.addListener(() => {
        port = null;
        if (closed) return;
        setTimeout(() => {
          connect();
          onMessage({ event: 'stored', callIds: [], tabId: null } satisfies StoredBroadcast);
        }, 250);
      });
    };
    connect();
    return () => {
      closed = true;
      browser.storage.onChanged.removeListener(onStorage);
      port?.disconnect();
    };
  }
}
