/**
 * The conversation list's newest rows, kept by the background so that the popup's first screen reads a
 * few dozen rows instead of a thousand calls.
 *
 * The list (src/ui/list-model.ts) builds its rows from the newest page of calls: FIRST_PAGE calls, their
 * title bodies, `summarizeConversations`. Reading and summarizing that page is most of the popup's wait on
 * a large store (≈ 1 MB of records at 100,000 calls), and opening the database alone takes a large store
 * 100 ms or more when its files were closed. The background, the single writer, builds the same rows from
 * the same page after its writes settle (src/store/list-rows-keeper.ts) and keeps the newest LIST_ROWS of
 * them outside
 * the database, in the extension's session storage (extension/list-rows-area.ts: in memory, readable by
 * the extension's pages only, not by content scripts or pages); the popup shows them at once and replaces
 * them with the rows it reads itself, as it does with the snapshot its last view left
 * (extension/ui-client.ts). Derived data: a failure to build or read them only costs the popup its head
 * start.
 *
 * This module is what the popup's first screen needs (no decoders); the builder is in list-rows-keeper.ts.
 */
import type { ConversationSummary } from '../analysis/types';
import type { Kind } from '../protocol/classify';
import type { StoredCall } from './schema';

/** Calls in the list's first page (what its first rows are built from). */
export const FIRST_PAGE = 1000;
/** Rows kept for a popup's first screen: about two popups' worth. */
export const LIST_ROWS = 40;

/** A list's newest rows and when they were built. */
export interface ListRows {
  /** When the rows were built from the store (or saved by a view), epoch ms: the newer of two wins. */
  savedAt: number;
  /** Newest conversation first; at most LIST_ROWS. */
  rows: ConversationSummary[];
}

/** Where the rows are kept: the background's session storage (extension/list-rows-area.ts), memory in tests. */
export interface RowsArea {
  /** The stored value as it is (check it with `asListRows`); undefined when none. */
  read(): Promise<unknown>;
  write(rows: ListRows): Promise<void>;
  /** Forgets the rows (a user's delete or clear: no title or prompt of it may stay behind). */
  remove(): Promise<void>;
}

const TITLE_KINDS: ReadonlySet<Kind> = new Set(['gen_title', 'conversation_get']);

/** Bodies the list reads for titles: every gen_title and conversation/{id}, and each page's latest list. */
export function titleBodyIds(calls: Iterable<StoredCall>): string[] {
  const ids: string[] = [];
  const latestList = new Map<string, StoredCall>();
  for (const c of calls) {
    if (TITLE_KINDS.has(c.kind)) ids.push(c.callId);
    else if (c.kind === 'conversations_list') {
      const prev = latestList.get(c.pageSessionId);
      if (!prev || prev.startTime < c.startTime) latestList.set(c.pageSessionId, c);
    }
  }
  for (const c of latestList.values()) ids.push(c.callId);
  return ids;
}

/** Whether a call's body can carry a title the list shows (see `titleBodyIds`). */
export function hasTitleBody(c: StoredCall): boolean {
  return TITLE_KINDS.has(c.kind) || c.kind === 'conversations_list';
}

/**
 * Whether `v` has the ConversationSummary fields the list reads (rows from storage: another version, or a
 * corrupted value, may have left them).
 */
export function isSummaryShaped(v: unknown): v is ConversationSummary {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<ConversationSummary>;
  return (
    typeof s.id === 'string' &&
    typeof s.searchText === 'string' &&
    (s.title === null || typeof s.title === 'string') &&
    Array.isArray(s.callIds) &&
    Array.isArray(s.turnCallIds) &&
    Array.isArray(s.flags) &&
    typeof s.counts === 'object' &&
    s.counts !== null &&
    typeof s.counts.byKind === 'object' &&
    s.counts.byKind !== null
  );
}

/** `v` as ListRows (at most LIST_ROWS of them) when it has their shape, else null. */
export function asListRows(v: unknown): ListRows | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Partial<ListRows>;
  if (!Number.isFinite(r.savedAt) || !Array.isArray(r.rows)) return null;
  const rows = r.rows.slice(0, LIST_ROWS);
  if (!rows.every(isSummaryShaped)) return null;
  return { savedAt: r.savedAt as number, rows };
}

/** Characters of a kept row's first prompt and search text (see `keptRow`). */
export const KEPT_PROMPT_CHARS = 300;
export const KEPT_SEARCH_CHARS = 4096;

/**
 * A row as it is kept for a first screen (the background's rows, the view's snapshot): its first prompt
 * and search text cut, so that pasted documents (a prompt may be megabytes) do not make the rows large
 * enough to fill storage.session's 10 MiB or localStorage's 5 MB. The list replaces them with whole rows
 * once it has read the store.
 */
export function keptRow(s: ConversationSummary): ConversationSummary {
  const firstPrompt = s.firstPrompt?.slice(0, KEPT_PROMPT_CHARS) ?? null;
  const searchText = s.searchText.slice(0, KEPT_SEARCH_CHARS);
  return firstPrompt === s.firstPrompt && searchText === s.searchText ? s : { ...s, firstPrompt, searchText };
}
