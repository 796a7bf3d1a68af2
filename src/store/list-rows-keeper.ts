/**
 * Builds the list's newest rows in the background and keeps them current (src/store/list-rows.ts says
 * what they are for). Only the background and the bench's seeding load this module: it decodes streams.
 */
import { decodeCall } from '../analysis/decode';
import { summarizeConversations } from '../analysis/group';
import type { ConversationSummary } from '../analysis/types';
import { FIRST_PAGE, keptRow, LIST_ROWS, type RowsArea, titleBodyIds } from './list-rows';
import { type CaptureDb, chunksOfCalls, recentCalls } from './reader';
import type { StoredCall } from './schema';

/**
 * Stream titles already decoded, by the send's call id, with the call's `lastChunkTime` then: a stream is
 * decoded again only when it has grown since (a send kept open, or imported without an end, would
 * otherwise be decoded, up to the body cap, at every build).
 */
export type StreamTitleCache = Map<string, { title: string | null; lastChunkTime: number }>;

/**
 * The list's newest rows built from the store as the list builds its first screen: the FIRST_PAGE newest
 * calls, their title bodies, `summarizeConversations`, the newest LIST_ROWS conversations, each cut as
 * kept rows are (`keptRow`). A row with no title but its stream's (2026's title_generation frame, which is
 * how ChatGPT titles a new chat today) gets it as the list's own snapshot has it: `titleSource: 'stream'`,
 * decoded from its first turn.
 */
export async function buildListRows(
  db: CaptureDb,
  streamTitles: StreamTitleCache = new Map(),
): Promise<ConversationSummary[]> {
  const calls = await recentCalls(db, FIRST_PAGE);
  const bodies = await chunksOfCalls(db, titleBodyIds(calls));
  const rows = summarizeConversations(calls, { bodies }).slice(0, LIST_ROWS);
  const byId = new Map(calls.map((c) => [c.callId, c]));
  const untitled = (s: ConversationSummary) => s.title === null || s.titleSource === 'conversations_list';
  const firstTurn = (s: ConversationSummary) => byId.get(s.turnCallIds[0] ?? '');
  const decode = rows
    .filter(untitled)
    .map(firstTurn)
    .filter(
      (c): c is StoredCall =>
        c !== undefined && streamTitles.get(c.callId)?.lastChunkTime !== (c.lastChunkTime ?? -1),
    );
  if (decode.length > 0) {
    const streams = await chunksOfCalls(
      db,
      decode.map((c) => c.callId),
    );
    for (const call of decode) {
      const title = decodeCall(call, streams.get(call.callId)).title ?? null;
      streamTitles.set(call.callId, { title, lastChunkTime: call.lastChunkTime ?? -1 });
    }
  }
  return rows.map((s) => {
    const call = untitled(s) ? firstTurn(s) : undefined;
    const title = call ? streamTitles.get(call.callId)?.title : undefined;
    return keptRow(title ? { ...s, title, titleSource: 'stream' } : s);
  });
}

export interface KeeperOptions {
  /**
   * Build once no change has arrived for this long, ms. Longer than the gaps between ChatGPT's telemetry
   * calls while someone uses it (a few seconds), so that an open ChatGPT tab does not cause a build every
   * few seconds: each build reads the newest 1,000 calls (tens of ms of CPU in the worker and the browser
   * process) on the cores the recorded page uses, and the rows only serve a popup's first tenth of a second.
   */
  quietMs?: number;
  /** …but at least this often while changes keep arriving, ms. */
  maxWaitMs?: number;
  /** The clock, epoch ms. */
  now?: () => number;
}

/**
 * Rebuilds the kept rows after the store changes: once the changes pause (`quietMs`), at the latest
 * `maxWaitMs` after the first unbuilt change, or at once for a change the user made (delete, clear,
 * import: the popup that asked is open), whose rows are removed first, so that a deleted conversation's
 * title and prompt are not kept even if the build fails. One build at a time; a change during a build
 * schedules another. Never throws: a failed build removes the rows (the popup then reads the store).
 */
export class ListRowsKeeper {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstChangeAt: number | null = null;
  /** The pending build is one a user's change asked for at once: later changes do not delay it. */
  private immediate = false;
  /** Counts the user's changes: a build that read the store before one does not write what it read. */
  private userChanges = 0;
  /** The write in flight, if any: a user's change removes the rows after it, so they cannot come back. */
  private writing: Promise<unknown> = Promise.resolve();
  private running: Promise<void> | null = null;
  private again = false;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly streamTitles: StreamTitleCache = new Map();

  constructor(
    private readonly db: () => Promise<CaptureDb>,
    private readonly area: RowsArea,
    opts: KeeperOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 5_000;
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The store changed; `atOnce` for a change the user just made (delete, clear, import). */
  changed(atOnce = false): void {
    if (atOnce) {
      this.userChanges++;
      void this.writing.then(() => this.area.remove()).catch(() => {});
    }
    // A build asked for at once is pending: nothing delays it.
    if (this.immediate && this.timer !== null) return;
    if (atOnce) this.immediate = true;
    const now = this.now();
    this.firstChangeAt ??= now;
    const wait = this.immediate
      ? 0
      : Math.min(this.quietMs, Math.max(0, this.firstChangeAt + this.maxWaitMs - now));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.immediate = false;
      void this.build();
    }, wait);
  }

  /**
   * Builds the rows when the worker starts: none are kept after a browser restart, and a build that was
   * waiting when the worker stopped would otherwise wait for the next change.
   */
  async ensure(): Promise<void> {
    await this.build();
  }

  /** Builds now (after a build already running); resolves when the rows are kept or the build failed. */
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
        const seen = this.userChanges;
        const rows = await buildListRows(db, this.streamTitles);
        // A delete or clear since the read: its rows were removed and its own build follows.
        if (seen === this.userChanges) {
          const write = this.area.write({ savedAt, rows });
          this.writing = write.catch(() => {});
          await write;
        }
      } catch {
        // Derived data: without rows the popup reads the store itself; stale ones must not outlive a change.
        await this.area.remove().catch(() => {});
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
