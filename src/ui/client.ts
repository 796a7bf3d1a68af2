/**
 * The one interface through which the UI reads and changes captures (docs/architecture.md: the UI reads through a
 * client; a mock implementation drives component tests and the dev preview). The extension's real
 * implementation lives in extension/ (it reads IndexedDB and asks the background — the single writer —
 * for every change); src/ui never touches browser APIs.
 */
import type { CallSummary, TurnSummary } from '../insights/summary';
import type { Settings } from '../settings';
import type { StoreHealth } from '../store/health';
import type { ListRows } from '../store/list-rows';
import type { UsageReport } from '../store/retention';
import type { RollupSnapshot } from '../store/rollups';
import type { StoredCall, StoredChunk } from '../store/schema';

export interface HostAccess {
  granted: boolean;
  origins: string[];
}

export interface ImportResult {
  added: number;
  /** Calls already present (same callId): importing the same file twice creates no duplicates. */
  skipped: number;
}

export interface UiClient {
  /** Every stored call (no chunks), oldest first. */
  allCalls(): Promise<StoredCall[]>;
  /** Calls whose conversation id index matches, oldest first. */
  callsByConversation(conversationId: string): Promise<StoredCall[]>;
  callsByPageSession(pageSessionId: string): Promise<StoredCall[]>;
  /** A call's body chunks / socket frames, in order. */
  chunks(callId: string): Promise<StoredChunk[]>;
  deleteCalls(callIds: string[]): Promise<void>;
  clearAll(): Promise<void>;
  /**
   * Writes an import in one all-or-nothing step (through the background, the single writer).
   *
   * What the extension client sends: cut the import with `planImportParts(calls, chunks)` from
   * src/store/import.ts (each part stays far below Chrome's 64 MiB message cap, a call travels with its
   * chunks), then send the parts one after the other, in order, each awaited:
   *   send('store/import', { importId, part: i, final: i === parts.length - 1, calls, chunks })
   * and call onProgress(i + 1, parts.length) after each. Parts before the last are staged (reply
   * `committed: false`); the final part commits every part in one transaction and its reply carries
   * `{added, skipped}`. A part may be re-sent after an error (it overwrites itself); if any part fails,
   * stop and surface the error: nothing was written, and the staged parts expire on their own.
   * The background redacts secrets again, marks the calls with importId and drops their tabId.
   */
  importCaptures(
    importId: string,
    calls: StoredCall[],
    chunks: StoredChunk[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult>;
  storageEstimate(): Promise<{ usage: number; quota: number } | null>;
  settings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<void>;
  hostAccess(): Promise<HostAccess>;
  requestHostAccess(): Promise<boolean>;
  /** Calls recorded in the active tab (the badge number); null outside a tab context. */
  activeTabCount(): Promise<number | null>;
  /** Opens the options page (recording scope, body cap, retention, storage). */
  openOptions?(): Promise<void>;
  /** Opens the full-tab view (optionally on one conversation). */
  openInTab(conversationId?: string): Promise<void>;
  /** Listener runs (coalesced) whenever stored captures change; returns an unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): () => void;

  // Optional fast paths. The UI works without them (src/ui/data.ts falls back to the methods above), but a
  // store of 100,000 calls needs them for the popup to open quickly: paging by the time index and reading
  // many records in one transaction instead of one each.

  /**
   * The newest calls, one page: the `limit` newest calls that started strictly before `before` (default:
   * all), plus every other call that started at the same time as the oldest of them, so that the next
   * page (`before` = the oldest startTime returned) neither skips nor repeats a call. Oldest first.
   */
  recentCalls?(limit: number, before?: number): Promise<StoredCall[]>;
  /** Calls by id in one read; unknown ids are left out. */
  callsById?(callIds: readonly string[]): Promise<StoredCall[]>;
  /**
   * Chunks of many calls in one read, by call id (calls without chunks are left out). With `afterSeq`,
   * only the chunks whose seq is greater than the call's entry (a live view reads only what is new).
   */
  chunksOf?(
    callIds: readonly string[],
    afterSeq?: ReadonlyMap<string, number>,
  ): Promise<Map<string, StoredChunk[]>>;
  /** Number of stored calls. */
  callCount?(): Promise<number>;
  /**
   * The newest rows of the list as the last view left them, read synchronously: shown while the store is
   * read, so the popup is usable at once even when opening the database is slow. Replaced by fresh rows
   * within a few hundred milliseconds; `clearAll` must drop it.
   */
  listSnapshot?(): ListRows | null;
  saveListSnapshot?(rows: ListRows): void;
  /**
   * The newest rows as the background keeps them (src/store/list-rows.ts): the popup's first screen when
   * they are newer than the last view's snapshot and arrive before the store is read. Null when none are
   * kept (yet).
   */
  storedListRows?(): Promise<ListRows | null>;

  // Storage panel and health (options page, popup banner).

  /** Usage by kind and by conversation (reads every record: on demand only). */
  storageUsage?(): Promise<UsageReport>;
  /** Failing writes, dropped captures, recovery (see src/store/health.ts). */
  health?(): Promise<StoreHealth>;
  /** Forget past drops and recoveries (a failure still going on stays). */
  dismissHealth?(): Promise<void>;
  /** Applies the retention settings now, through the background; counts of calls deleted and stripped. */
  applyRetention?(): Promise<{ deleted: number; stripped: number }>;

  // Insights (src/ui/insights/): per-turn summaries, kept by the background in the `turnSummaries` store.

  /** Every stored turn summary (any version), oldest first. */
  turnSummaries?(): Promise<TurnSummary[]>;
  /** Every stored call summary, oldest first. */
  callSummaries?(): Promise<CallSummary[]>;
  /**
   * The daily rollups (a few rows per day: what Insights draws first) and whether they cover every call
   * and every ended send (src/store/rollups.ts `readRollups`).
   */
  rollups?(): Promise<RollupSnapshot>;
  /** Ids of every stored call (keys only). */
  callIds?(): Promise<string[]>;
  /** Calls of these kinds (full records, no chunks), oldest first per kind. */
  callsOfKinds?(kinds: readonly string[]): Promise<StoredCall[]>;
  /**
   * Asks the background to compute and store the summaries of these calls (a call summary each; a turn
   * summary for ended sends); resolves to the number of turn summaries written.
   */
  summarizeTurns?(callIds: string[]): Promise<number>;
  /** Opens the Insights page. */
  openInsights?(): Promise<void>;
}

export interface StoreChange {
  /** Calls written or updated by the change (empty for deletes/clears/imports: re-read everything). */
  callIds: string[];
  tabId: number | null;
}
