/**
 * The conversation list's newest rows, kept by the background so that the popup's first screen reads a
 * few dozen rows instead of a thousand calls.
 *
 * The list (src/ui/list-model.ts) builds its rows from the newest page of calls: FIRST_PAGE calls, their
 * title bodies, `summarizeConversations`. Reading and summarizing that page is most of the popup's wait on
 * a large store (≈ 1 MB of records at 100,000 calls), and opening the database alone takes a large store
 * 100 ms or more when its files were closed. The background, the single writer, builds the same rows from
 * the same page after its writes settle (`ListRowsKeeper`) and keeps the newest LIST_ROWS of them outside
 * the database, in the extension's session storage (extension/list-rows-area.ts: in memory, readable by
 * the extension's pages only, not by content scripts or pages); the popup shows them at once and replaces
 * them with the rows it reads itself, as it does with the snapshot its last view left
 * (extension/ui-client.ts). Derived data: a failure to build or read them only costs the popup its head
 * start.
 */
import { summarizeConversations } from '../analysis/group';
import type { ConversationSummary } from '../analysis/types';
import type { Kind } from '../protocol/classify';
import { type CaptureDb, chunksOfCalls, recentCalls } from './reader';
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

/** Whether `v` has a ConversationSummary's shape (rows from storage: another version may have left them). */
export function isSummaryShaped(v: unknown): v is ConversationSummary {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<ConversationSummary>;
  return (
    typeof s.id === 'string' &&
    typeof s.searchText === 'string' &&
    Array.isArray(s.callIds) &&
    Array.isArray(s.turnCallIds) &&
    typeof s.counts === 'object' &&
    s.counts !== null
  );
}

/** `v` as ListRows when it has their shape, else null. */
export function asListRows(v: unknown): ListRows | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Partial<ListRows>;
  if (typeof r.savedAt !== 'number' || !Array.isArray(r.rows) || !r.rows.every(isSummaryShaped)) return null;
  return { savedAt: r.savedAt, rows: r.rows };
}

/**
 * The list's newest rows built from the store as the list builds its first screen: the FIRST_PAGE newest
 * calls, their title bodies, `summarizeConversations`, the newest LIST_ROWS conversations.
 */
export async function buildListRows(db: CaptureDb): Promise<ConversationSummary[]> {
  const calls = await recentCalls(db, FIRST_PAGE);
  const bodies = await chunksOfCalls(db, titleBodyIds(calls));
  return summarizeConversations(calls, { bodies }).slice(0, LIST_ROWS);
}

export interface KeeperOptions {
  /** Build once no change has arrived for this long, ms (a stream's chunks arrive every ~50 ms). */
  quietMs?: number;
  /** …but at least this often while changes keep arriving, ms. */
  maxWaitMs?: number;
  /** The clock, epoch ms. */
  now?: () => number;
}

/**
 * Rebuilds the stored rows after the store changes: once the changes pause (`quietMs`), at the latest
 * `maxWaitMs` after the first unbuilt change, or at once for a change the user made (delete, clear,
 * import: the popup that asked is open). One build at a time; a change during a build schedules another.
 * Never throws: a failed build leaves the previous rows, which the popup replaces once it has read the store.
 */
export class ListRowsKeeper {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstChangeAt: number | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: () => Promise<CaptureDb>,
    private readonly area: RowsArea,
    opts: KeeperOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 1_000;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The store changed; `atOnce` for a change the user just made. */
  changed(atOnce = false): void {
    const now = this.now();
    this.firstChangeAt ??= now;
    const wait = atOnce ? 0 : Math.min(this.quietMs, Math.max(0, this.firstChangeAt + this.maxWaitMs - now));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.build();
    }, wait);
  }

  /** Builds unless the stored rows exist (a database created or upgraded before the rows were kept). */
  async ensure(): Promise<void> {
    try {
      if (!asListRows(await this.area.read())) this.changed(true);
    } catch {}
  }

  /** Builds now (after a build already running); resolves when the rows are stored or the build failed. */
  build(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.firstChangeAt = null;
    this.running = (async () => {
      try {
        const db = await this.db();
        const savedAt = this.now();
        await this.area.write({ savedAt, rows: await buildListRows(db) });
      } catch {
        // Derived data: the popup reads the store itself.
      }
    })().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.build();
      }
    });
    return this.running;
  }
}
