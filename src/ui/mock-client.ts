/**
 * An in-memory UiClient: drives the component tests and the dev preview without a browser. Tests change
 * its content with `put` (which notifies subscribers like the background's `stored` broadcast does) and
 * read back what the UI asked for (`deleted`, `opened`, settings).
 */

import { RollupDelta } from '../insights/rollup';
import {
  ANALYSIS_VERSION,
  type CallSummary,
  summarizeCall,
  summarizeTurn,
  type TurnSummary,
} from '../insights/summary';
import { readSettings, type Settings } from '../settings';
import { dismissHealth, HEALTHY, type StoreHealth } from '../store/health';
import type { ListRows } from '../store/list-rows';
import { NO_RETENTION, planRetention, type UsageReport } from '../store/retention';
import type { RollupSnapshot } from '../store/rollups';
import type { StoredCall, StoredChunk } from '../store/schema';
import { summarizable } from '../store/summaries';
import type { HostAccess, ImportResult, StoreChange, UiClient } from './client';

export interface MockOptions {
  calls?: readonly StoredCall[];
  chunks?: readonly StoredChunk[];
  settings?: Partial<Settings>;
  hostAccess?: HostAccess;
  /** Calls in the active tab; null: not in a tab context. */
  tabCount?: number | null;
  storage?: { usage: number; quota: number } | null;
  health?: StoreHealth;
}

export class MockClient implements UiClient {
  private readonly calls = new Map<string, StoredCall>();
  private readonly chunkMap = new Map<string, StoredChunk[]>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private current: Settings;
  access: HostAccess;
  tabCount: number | null;
  storage: { usage: number; quota: number } | null;
  /** Every openInTab call, in order (undefined: the list). */
  readonly opened: (string | undefined)[] = [];
  /** Every deleteCalls call, in order. */
  readonly deleted: string[][] = [];
  /** Number of reads of the whole store (tests check that the list pages instead). */
  fullReads = 0;
  /** The store's health as the background would report it. */
  healthState: StoreHealth;
  /** The time `applyRetention` plans at (epoch ms). */
  now = Date.now();

  constructor(opts: MockOptions = {}) {
    this.current = readSettings(opts.settings ?? {});
    this.access = opts.hostAccess ?? {
      granted: true,
      origins: ['https://chatgpt.com/*', 'https://chat.openai.com/*'],
    };
    this.tabCount = opts.tabCount === undefined ? null : opts.tabCount;
    this.storage = opts.storage === undefined ? { usage: 1_234_567, quota: 10_000_000_000 } : opts.storage;
    this.healthState = opts.health ?? HEALTHY;
    this.load(opts.calls ?? [], opts.chunks ?? []);
  }

  private load(calls: readonly StoredCall[], chunks: readonly StoredChunk[]) {
    for (const c of calls) this.calls.set(c.callId, structuredClone(c));
    for (const c of chunks) {
      const list = this.chunkMap.get(c.callId) ?? [];
      const at = list.findIndex((x) => x.seq === c.seq);
      if (at >= 0) list[at] = { ...c };
      else list.push({ ...c });
      list.sort((a, b) => a.seq - b.seq);
      this.chunkMap.set(c.callId, list);
    }
  }

  /** Writes calls and chunks and tells subscribers, as the background does after a committed batch. */
  put(calls: readonly StoredCall[], chunks: readonly StoredChunk[] = [], tabId: number | null = 1) {
    this.load(calls, chunks);
    const ids = [...new Set([...calls.map((c) => c.callId), ...chunks.map((c) => c.callId)])];
    this.notify({ callIds: ids, tabId });
  }

  private notify(change: StoreChange) {
    for (const l of [...this.listeners]) l(change);
  }

  private sorted(): StoredCall[] {
    return [...this.calls.values()].sort(
      (a, b) => a.startTime - b.startTime || (a.callId < b.callId ? -1 : 1),
    );
  }

  async allCalls(): Promise<StoredCall[]> {
    this.fullReads++;
    return this.sorted().map((c) => structuredClone(c));
  }

  async callsByConversation(conversationId: string): Promise<StoredCall[]> {
    return this.sorted().filter((c) => c.conversationId === conversationId);
  }

  async callsByPageSession(pageSessionId: string): Promise<StoredCall[]> {
    return this.sorted().filter((c) => c.pageSessionId === pageSessionId);
  }

  async chunks(callId: string): Promise<StoredChunk[]> {
    return (this.chunkMap.get(callId) ?? []).map((c) => ({ ...c }));
  }

  async recentCalls(limit: number, before?: number): Promise<StoredCall[]> {
    const all = this.sorted().filter((c) => before === undefined || c.startTime < before);
    if (all.length <= limit) return all;
    const boundary = all[all.length - limit]!.startTime;
    return all.filter((c) => c.startTime >= boundary);
  }

  async callsById(callIds: readonly string[]): Promise<StoredCall[]> {
    return callIds.map((id) => this.calls.get(id)).filter((c): c is StoredCall => c !== undefined);
  }

  async chunksOf(
    callIds: readonly string[],
    afterSeq?: ReadonlyMap<string, number>,
  ): Promise<Map<string, StoredChunk[]>> {
    const out = new Map<string, StoredChunk[]>();
    for (const id of callIds) {
      const after = afterSeq?.get(id) ?? -1;
      const list = (this.chunkMap.get(id) ?? []).filter((c) => c.seq > after).map((c) => ({ ...c }));
      if (list.length > 0) out.set(id, list);
    }
    return out;
  }

  async callCount(): Promise<number> {
    return this.calls.size;
  }

  async deleteCalls(callIds: string[]): Promise<void> {
    this.deleted.push([...callIds]);
    for (const id of callIds) {
      this.calls.delete(id);
      this.chunkMap.delete(id);
    }
    this.notify({ callIds: [], tabId: null });
  }

  /** What the list last saved for the next open. */
  snapshot: ListRows | null = null;
  /** The rows the background keeps (src/store/list-rows.ts); tests set them. */
  stored: ListRows | null = null;

  listSnapshot(): ListRows | null {
    return this.snapshot ? structuredClone(this.snapshot) : null;
  }

  saveListSnapshot(rows: ListRows): void {
    this.snapshot = structuredClone(rows);
  }

  async storedListRows(): Promise<ListRows | null> {
    return this.stored ? structuredClone(this.stored) : null;
  }

  async clearAll(): Promise<void> {
    this.snapshot = null;
    this.stored = null;
    this.calls.clear();
    this.chunkMap.clear();
    this.notify({ callIds: [], tabId: null });
  }

  async importCaptures(
    _importId: string,
    calls: StoredCall[],
    chunks: StoredChunk[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    const fresh = calls.filter((c) => !this.calls.has(c.callId));
    const ids = new Set(fresh.map((c) => c.callId));
    this.load(
      fresh,
      chunks.filter((c) => ids.has(c.callId)),
    );
    onProgress?.(calls.length, calls.length);
    this.notify({ callIds: [], tabId: null });
    return { added: fresh.length, skipped: calls.length - fresh.length };
  }

  async storageEstimate() {
    return this.storage;
  }

  async settings(): Promise<Settings> {
    return { ...this.current };
  }

  async setSettings(patch: Partial<Settings>): Promise<void> {
    this.current = readSettings({ ...this.current, ...patch });
  }

  async hostAccess(): Promise<HostAccess> {
    return this.access;
  }

  async requestHostAccess(): Promise<boolean> {
    this.access = { ...this.access, granted: true };
    return true;
  }

  async activeTabCount(): Promise<number | null> {
    return this.tabCount;
  }

  async openInTab(conversationId?: string): Promise<void> {
    this.opened.push(conversationId);
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stored size of each call: the JSON length of its record and chunks (close enough for a mock). */
  private sizes(): Map<string, number> {
    const bytes = new Map<string, number>();
    for (const c of this.calls.values()) {
      const chunks = this.chunkMap.get(c.callId) ?? [];
      bytes.set(c.callId, JSON.stringify(c).length + chunks.reduce((n, ch) => n + ch.data.length, 0));
    }
    return bytes;
  }

  async storageUsage(): Promise<UsageReport> {
    const bytes = this.sizes();
    const report: UsageReport = { total: { calls: 0, bytes: 0 }, byKind: {}, byConversation: [] };
    const conv = new Map<string | null, { calls: number; bytes: number }>();
    for (const c of this.calls.values()) {
      const b = bytes.get(c.callId) ?? 0;
      report.total.calls++;
      report.total.bytes += b;
      const k = report.byKind[c.kind] ?? { calls: 0, bytes: 0 };
      report.byKind[c.kind] = { calls: k.calls + 1, bytes: k.bytes + b };
      const row = conv.get(c.conversationId) ?? { calls: 0, bytes: 0 };
      conv.set(c.conversationId, { calls: row.calls + 1, bytes: row.bytes + b });
    }
    report.byConversation = [...conv]
      .map(([conversationId, row]) => ({ conversationId, ...row }))
      .sort((a, b) => b.bytes - a.bytes);
    return report;
  }

  async health(): Promise<StoreHealth> {
    return this.healthState;
  }

  async dismissHealth(): Promise<void> {
    this.healthState = dismissHealth(this.healthState);
  }

  async applyRetention(): Promise<{ deleted: number; stripped: number }> {
    const plan = planRetention(
      [...this.calls.values()],
      this.sizes(),
      this.current.retention ?? NO_RETENTION,
      this.now,
    );
    for (const id of plan.deleted) {
      this.calls.delete(id);
      this.chunkMap.delete(id);
    }
    for (const id of plan.stripped) {
      const c = this.calls.get(id);
      if (c) this.calls.set(id, { ...c, requestBody: null, bodiesDropped: 'retention' });
      this.chunkMap.delete(id);
    }
    this.notify({ callIds: [], tabId: null });
    return { deleted: plan.deleted.length, stripped: plan.stripped.length };
  }

  /** Turn summaries as the background would keep them (only those whose call still exists are read). */
  readonly summaries = new Map<string, TurnSummary>();
  /** Every summarizeTurns call, in order. */
  readonly summarizeRequests: string[][] = [];
  /** Number of openInsights calls. */
  insightsOpened = 0;

  async turnSummaries(): Promise<TurnSummary[]> {
    return [...this.summaries.values()]
      .filter((s) => this.calls.has(s.callId))
      .sort((a, b) => a.startTime - b.startTime)
      .map((s) => structuredClone(s));
  }

  /** Call summaries as the background would keep them (written with each call; here: on request). */
  readonly callSummaryMap = new Map<string, CallSummary>();

  async callSummaries(): Promise<CallSummary[]> {
    return [...this.callSummaryMap.values()]
      .filter((s) => this.calls.has(s.callId))
      .sort((a, b) => a.startTime - b.startTime);
  }

  /** Rollups as the store would keep them: computed from the summaries held (complete when none is missing). */
  async rollups(): Promise<RollupSnapshot> {
    const delta = new RollupDelta();
    const calls = await this.callSummaries();
    const turns = (await this.turnSummaries()).filter((t) => t.version === ANALYSIS_VERSION);
    for (const c of calls) delta.call(undefined, c);
    for (const t of turns) delta.turn(undefined, t);
    const rows = [...delta.rows.values()];
    const sends = rows.reduce((n, r) => n + r.sends, 0);
    return { rows, complete: calls.length === this.calls.size && sends === turns.length };
  }

  async callIds(): Promise<string[]> {
    return [...this.calls.keys()];
  }

  async callsOfKinds(kinds: readonly string[]): Promise<StoredCall[]> {
    return [...this.calls.values()].filter((c) => kinds.includes(c.kind)).map((c) => structuredClone(c));
  }

  async summarizeTurns(callIds: string[]): Promise<number> {
    this.summarizeRequests.push([...callIds]);
    let written = 0;
    for (const id of callIds) {
      const call = this.calls.get(id);
      if (call) this.callSummaryMap.set(id, summarizeCall(call));
      if (!call || !summarizable(call)) continue;
      this.summaries.set(id, summarizeTurn(call, this.chunkMap.get(id) ?? []));
      written++;
    }
    return written;
  }

  async openInsights(): Promise<void> {
    this.insightsOpened++;
  }
}
