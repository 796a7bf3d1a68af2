/**
 * The one interface through which the UI reads and changes captures (DESIGN.md: the UI reads through a
 * client; a mock implementation drives component tests and the dev preview). The extension's real
 * implementation lives in extension/ (it reads IndexedDB and asks the background — the single writer —
 * for every change); src/ui never touches browser APIs.
 */
import type { Settings } from '../settings';
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
  /** Writes an import in one all-or-nothing step (through the background). */
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
  /** Opens the full-tab view (optionally on one conversation). */
  openInTab(conversationId?: string): Promise<void>;
  /** Listener runs (coalesced) whenever stored captures change; returns an unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): () => void;
}

export interface StoreChange {
  /** Calls written or updated by the change (empty for deletes/clears/imports: re-read everything). */
  callIds: string[];
  tabId: number | null;
}
