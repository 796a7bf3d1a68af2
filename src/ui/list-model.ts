/**
 * The conversation list's data: summaries of every stored conversation, built so the popup becomes
 * interactive quickly with 100,000 stored calls.
 *
 * - The newest page of calls (by the time index) is read and summarized first; older pages follow in the
 *   background and the summaries are redone when they arrive. A conversation cut by the page boundary
 *   shows fewer calls for that moment; nothing else depends on it.
 * - No stream is decoded to build the list (`summarizeConversations` without replies). Titles come from
 *   the small bodies (gen_title, conversation/{id}, the newest sidebar list of each page); a conversation
 *   titled only in its stream (2026's title_generation frame) gets its title when its row is on screen.
 * - Reply text is searched through an index built on demand, the first time someone types a query.
 * - The stream decoders (and the zod schemas they validate with) are imported the first time a stream is
 *   read, after the first screen: the list's first rows need none of them.
 */
import { summarizeConversations } from '../analysis/group';
import type { ConversationSummary } from '../analysis/types';
import type { Kind } from '../protocol/classify';
import { isOpen } from '../store/call-facts';
import {
  FIRST_PAGE,
  hasTitleBody,
  keptRow,
  LIST_ROWS,
  type ListRows,
  titleBodyIds,
} from '../store/list-rows';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { StoreChange, UiClient } from './client';
import { mergeChunks, readCallsById, readChunks } from './data';

export interface ListOptions {
  /** Calls in the first page (what the first paint is built from). */
  firstPage?: number;
  /** Calls per background page. */
  page?: number;
}

export interface ListState {
  conversations: readonly ConversationSummary[];
  loadedCalls: number;
  totalCalls: number | null;
  /** Every page has been read. */
  complete: boolean;
  /** Reply-text index progress while it is being built. */
  replies: { done: number; total: number } | null;
  /** The rows are the last view's snapshot (shown while the store is read). */
  fromSnapshot: boolean;
  /** Bumps on every change, so views can memoize on it. */
  version: number;
}

/** Whether a conversation matches a search (already lower-cased and trimmed) and a kind filter. */
export function matches(
  s: ConversationSummary,
  query: string,
  kind: Kind | null,
  extra?: { title?: string | undefined; replies?: readonly (string | undefined)[] },
): boolean {
  if (kind && !s.counts.byKind[kind]) return false;
  if (!query) return true;
  if (s.searchText.includes(query)) return true;
  if (extra?.title?.toLowerCase().includes(query)) return true;
  return extra?.replies?.some((r) => r?.includes(query)) ?? false;
}

export class ConversationIndex {
  private calls = new Map<string, StoredCall>();
  private bodies = new Map<string, StoredChunk[]>();
  private summaries: ConversationSummary[] = [];
  private total: number | null = null;
  private complete = false;
  private generation = 0;
  private version = 0;
  private dirty = false;
  private replyProgress: { done: number; total: number } | null = null;
  private replyJob: Promise<void> | null = null;
  /**
   * When the snapshot on screen (the last view's, or the background's kept rows) was saved, epoch ms; null
   * when the rows on screen were read from the store by this view, or none are shown yet.
   */
  private snapshotSavedAt: number | null = null;
  /** Conversation id → title read from its stream (title_generation), for conversations without another. */
  readonly streamTitles = new Map<string, string>();
  private titleTried = new Set<string>();
  /** Turn call id → lower-cased answer text (finished turns only). */
  readonly replies = new Map<string, string>();
  private readonly firstPage: number;
  private readonly page: number;
  /** How long the last summarize took: big stores re-summarize less often while live. */
  lastSummarizeMs = 0;
  /** Older pages wait while the list is hidden (a conversation is open over it): see `setVisible`. */
  private visible = true;
  private shown: (() => void) | null = null;

  constructor(
    private readonly client: UiClient,
    private readonly onUpdate: () => void,
    opts: ListOptions = {},
  ) {
    this.firstPage = opts.firstPage ?? FIRST_PAGE;
    this.page = opts.page ?? 25_000;
  }

  state(): ListState {
    return {
      conversations: this.summaries,
      loadedCalls: this.calls.size,
      totalCalls: this.total,
      complete: this.complete,
      replies: this.replyProgress,
      fromSnapshot: this.snapshotSavedAt !== null,
      version: this.version,
    };
  }

  /** Title to show: the summary's, else the stream's. */
  titleOf(s: ConversationSummary): string | null {
    // The sidebar list is the weakest source (it says "New chat" until the title arrives): the stream's wins.
    if (s.title !== null && s.titleSource !== 'conversations_list') return s.title;
    return this.streamTitles.get(s.id) ?? s.title;
  }

  /** Every call id of the loaded store of one kind (export scopes). */
  callIdsOfKind(callIds: readonly string[], kind: Kind): string[] {
    return callIds.filter((id) => this.calls.get(id)?.kind === kind);
  }

  filter(query: string, kind: Kind | null): ConversationSummary[] {
    const q = query.trim().toLowerCase();
    if (!q && !kind) return this.summaries;
    return this.summaries.filter((s) =>
      matches(s, q, kind, {
        title: this.streamTitles.get(s.id),
        replies: s.turnCallIds.map((id) => this.replies.get(id)),
      }),
    );
  }

  /** First page, then the rest in the background. Resolves after the first page is summarized. */
  async start(): Promise<void> {
    const gen = ++this.generation;
    this.calls = new Map();
    this.bodies = new Map();
    this.complete = false;
    // The first time only: after a change the rows on screen are newer than any snapshot.
    if (gen === 1) {
      // The last view's snapshot (synchronous), then the background's rows if they are newer and arrive
      // before this view has read the store.
      this.showSnapshot(this.client.listSnapshot?.() ?? null);
      this.client.storedListRows?.().then(
        (rows) => {
          if (gen === this.generation) this.showSnapshot(rows);
        },
        () => {},
      );
    }
    if (!this.client.recentCalls) {
      await this.add(await this.client.allCalls(), gen);
      this.complete = true;
      this.summarize();
      return;
    }
    const first = await this.client.recentCalls(this.firstPage);
    if (gen !== this.generation) return;
    await this.add(first, gen);
    this.complete = first.length < this.firstPage;
    this.summarize();
    if (this.complete) return;
    // Counting 100,000 records takes longer than reading the first page: only for the progress line,
    // so it waits until the first page is shown.
    this.client.callCount?.().then(
      (n) => {
        if (gen !== this.generation) return;
        this.total = n;
        this.bump();
      },
      () => {},
    );
    void this.loadOlder(gen, first[0]?.startTime);
  }

  /** Shows snapshot rows, unless this view has read the store already or shows a newer snapshot. */
  private showSnapshot(snapshot: ListRows | null) {
    if (!snapshot || snapshot.rows.length === 0) return;
    const fresh = this.version > 0 && this.snapshotSavedAt === null;
    if (fresh || (this.snapshotSavedAt !== null && this.snapshotSavedAt >= snapshot.savedAt)) return;
    this.summaries = snapshot.rows;
    this.snapshotSavedAt = snapshot.savedAt;
    this.bump();
  }

  /**
   * Whether the list is on screen. While it is not, the older pages wait, so reading them (tens of
   * megabytes at 100,000 calls) does not hold up the conversation being opened; they resume when it shows.
   */
  setVisible(visible: boolean) {
    this.visible = visible;
    if (visible) {
      this.shown?.();
      this.shown = null;
    }
  }

  private async loadOlder(gen: number, before: number | undefined) {
    let boundary = before;
    while (gen === this.generation && boundary !== undefined && this.client.recentCalls) {
      // Let the first paint and input handling go first.
      await new Promise((r) => setTimeout(r, 0));
      if (!this.visible) await new Promise<void>((r) => (this.shown = r));
      if (gen !== this.generation) return;
      const page = await this.client.recentCalls(this.page, boundary);
      if (gen !== this.generation) return;
      await this.add(page, gen);
      if (page.length < this.page) boundary = undefined;
      else boundary = page[0]?.startTime;
      if (boundary === undefined) this.complete = true;
      this.summarize();
    }
  }

  private async add(calls: readonly StoredCall[], gen: number) {
    for (const c of calls) this.calls.set(c.callId, c);
    const ids = titleBodyIds(calls);
    if (ids.length === 0) return;
    const chunks = await readChunks(this.client, ids);
    if (gen !== this.generation) return;
    mergeChunks(this.bodies, chunks);
  }

  private summarize() {
    const t0 = performance.now();
    this.summaries = summarizeConversations([...this.calls.values()], { bodies: this.bodies });
    this.snapshotSavedAt = null;
    this.lastSummarizeMs = performance.now() - t0;
    this.saveSnapshot();
    this.dirty = false;
    this.bump();
  }

  private saveSnapshot() {
    if (!this.client.saveListSnapshot) return;
    // With the titles as shown (a stream's title lives beside the summary, not in it).
    this.client.saveListSnapshot({
      savedAt: Date.now(),
      rows: this.summaries.slice(0, LIST_ROWS).map((s) => {
        const title = this.titleOf(s);
        return keptRow(title === s.title ? s : { ...s, title, titleSource: 'stream' });
      }),
    });
  }

  private bump() {
    this.version++;
    this.onUpdate();
  }

  /**
   * A stored change: re-read the calls it names (and their title bodies); a change without ids (delete,
   * clear, import) re-reads everything. The summaries are redone by `flush`, which the view calls at
   * most once per frame, so a burst of stream chunks costs one summarize.
   */
  async apply(change: StoreChange): Promise<void> {
    if (change.callIds.length === 0) {
      this.streamTitles.clear();
      this.titleTried.clear();
      this.replies.clear();
      await this.start();
      return;
    }
    const gen = this.generation;
    const calls = await readCallsById(this.client, change.callIds);
    if (gen !== this.generation) return;
    for (const c of calls) {
      this.calls.set(c.callId, c);
      // A stream that grew: its reply (and maybe its title) must be read again.
      this.replies.delete(c.callId);
    }
    const ids = calls.filter(hasTitleBody).map((c) => c.callId);
    if (ids.length > 0) mergeChunks(this.bodies, await readChunks(this.client, ids));
    if (this.total !== null) this.total = Math.max(this.total, this.calls.size);
    this.dirty = true;
  }

  /** Redo the summaries if a change arrived since the last time; true when it did. */
  flush(): boolean {
    if (!this.dirty) return false;
    this.summarize();
    return true;
  }

  /** Stream titles for rows on screen that have no other title (one stream decoded per row, once). */
  async ensureTitles(rows: readonly ConversationSummary[]): Promise<void> {
    const want = rows.filter(
      (s) =>
        (s.title === null || s.titleSource === 'conversations_list') &&
        !this.titleTried.has(s.id) &&
        s.turnCallIds.length > 0,
    );
    if (want.length === 0) return;
    const gen = this.generation;
    const firstTurns = want.map((s) => s.turnCallIds[0]!);
    for (const s of want) this.titleTried.add(s.id);
    const [chunks, { decodeCall }] = await Promise.all([
      readChunks(this.client, firstTurns),
      import('../analysis/decode'),
    ]);
    if (gen !== this.generation) return;
    let found = false;
    want.forEach((s, i) => {
      const call = this.calls.get(firstTurns[i]!);
      // Rows shown before the store is read (a snapshot) have no calls yet: tried again once read.
      if (!call) {
        this.titleTried.delete(s.id);
        return;
      }
      const decoded = decodeCall(call, chunks.get(call.callId));
      if (isOpen(call)) this.titleTried.delete(s.id);
      else this.replies.set(call.callId, decoded.text.toLowerCase());
      if (decoded.title) {
        this.streamTitles.set(s.id, decoded.title);
        found = true;
      }
    });
    if (found) {
      this.saveSnapshot();
      this.bump();
    }
  }

  /**
   * Decodes the answers of every turn so a search also finds reply text. Runs once (newest first, in
   * batches, yielding between them); later changes only re-read the turns they touched.
   */
  indexReplies(): Promise<void> {
    this.replyJob ??= this.runReplyIndex().finally(() => {
      this.replyJob = null;
    });
    return this.replyJob;
  }

  private async runReplyIndex() {
    const gen = this.generation;
    const todo: string[] = [];
    // Finished answers only: a live one is partial, and indexing it on every change would never settle.
    for (const s of this.summaries)
      for (const id of s.turnCallIds)
        if (!this.replies.has(id) && this.calls.get(id)?.endTime !== undefined) todo.push(id);
    if (todo.length === 0) return;
    const BATCH = 60;
    this.replyProgress = { done: 0, total: todo.length };
    this.bump();
    const { decodeCall } = await import('../analysis/decode');
    for (let i = 0; i < todo.length; i += BATCH) {
      const ids = todo.slice(i, i + BATCH);
      const chunks = await readChunks(this.client, ids);
      if (gen !== this.generation) return;
      for (const id of ids) {
        const call = this.calls.get(id);
        if (!call) continue;
        this.replies.set(id, decodeCall(call, chunks.get(id)).text.toLowerCase());
      }
      this.replyProgress = { done: Math.min(todo.length, i + BATCH), total: todo.length };
      this.bump();
      await new Promise((r) => setTimeout(r, 0));
    }
    this.replyProgress = null;
    this.bump();
  }
}
