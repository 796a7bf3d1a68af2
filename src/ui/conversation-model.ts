/**
 * One conversation's data for the detail view, kept current while it streams: the calls of the page
 * sessions it happened in (the context the analysis links from), the chunks the analysis needs, and the
 * analysis itself. A stored change re-reads only the calls it names and only their new chunks; one
 * DecodeCache per view means a live stream is decoded incrementally (analysis/index.ts).
 */
import { analyzeConversation, DecodeCache, groupCalls, PROVISIONAL_PREFIX } from '../analysis/index';
import type { Conversation } from '../analysis/types';
import type { Kind } from '../protocol/classify';
import { titleBodyIds } from '../store/list-rows';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { StoreChange, UiClient } from './client';
import { lastSeqs, mergeChunks, readCallsById, readChunks } from './data';
import { mark } from './perf';

export interface ConversationState {
  /** The conversation's id; changes once when a provisional id is replaced by the server's. */
  id: string;
  conversation: Conversation | null;
  calls: ReadonlyMap<string, StoredCall>;
  chunks: ReadonlyMap<string, readonly StoredChunk[]>;
  cache: DecodeCache;
  loading: boolean;
  /** Loaded, and no conversation with this id exists (deleted, or never stored). */
  missing: boolean;
  error: string | null;
  version: number;
}

/** Kinds whose bodies the analysis reads even when they belong to another conversation of the session. */
const CONTEXT_KINDS: ReadonlySet<Kind> = new Set([
  'conversation',
  'gen_title',
  'conversations_list',
  'conversation_get',
  'websocket',
]);

export class ConversationLoader {
  private calls = new Map<string, StoredCall>();
  private chunks = new Map<string, StoredChunk[]>();
  private sessions = new Set<string>();
  private readonly cache = new DecodeCache();
  private conversation: Conversation | null = null;
  private loading = true;
  private missing = false;
  private error: string | null = null;
  private version = 0;
  private dirty = false;
  private generation = 0;
  /** Time spent in the last analysis (the benchmark reports it). */
  lastAnalyzeMs = 0;

  constructor(
    private readonly client: UiClient,
    private id: string,
    private readonly onUpdate: () => void,
  ) {}

  state(): ConversationState {
    return {
      id: this.id,
      conversation: this.conversation,
      calls: this.calls,
      chunks: this.chunks,
      cache: this.cache,
      loading: this.loading,
      missing: this.missing,
      error: this.error,
      version: this.version,
    };
  }

  /**
   * Reads in two steps: first the calls and the bodies the analysis cannot do without (the streams, the
   * titles), so the timeline shows quickly even for 500 turns; then every other body of the conversation
   * (telemetry responses and the like, for the schema check and the details panel), after which the
   * analysis runs once more.
   */
  async load(): Promise<void> {
    const gen = ++this.generation;
    let rest: string[] = [];
    try {
      const seeds = await this.seedCalls();
      if (gen !== this.generation) return;
      const sessions = new Set(seeds.map((c) => c.pageSessionId));
      const lists = await Promise.all([...sessions].map((s) => this.client.callsByPageSession(s)));
      if (gen !== this.generation) return;
      const calls = new Map<string, StoredCall>();
      for (const c of seeds) calls.set(c.callId, c);
      for (const list of lists) for (const c of list) calls.set(c.callId, c);
      const { first, later } = this.chunkIds(calls);
      const chunks = await readChunks(this.client, first);
      if (gen !== this.generation) return;
      this.calls = calls;
      this.sessions = sessions;
      this.chunks = new Map();
      mergeChunks(this.chunks, chunks);
      this.error = null;
      rest = later;
      mark('cfr:conversation-read');
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.loading = false;
    this.analyze();
    if (rest.length > 0) void this.loadRest(gen, rest);
  }

  private async loadRest(gen: number, ids: readonly string[]) {
    // Batches keep each read short, so stored changes (a live stream) are not held up behind them.
    const BATCH = 400;
    for (let i = 0; i < ids.length; i += BATCH) {
      const fresh = await readChunks(this.client, ids.slice(i, i + BATCH));
      if (gen !== this.generation) return;
      for (const [id, list] of fresh) if (!this.chunks.has(id)) this.chunks.set(id, list);
    }
    this.analyze();
  }

  /** Calls that name the conversation (or, for a provisional id, the send it is named after). */
  private async seedCalls(): Promise<StoredCall[]> {
    if (this.id.startsWith(PROVISIONAL_PREFIX)) {
      return readCallsById(this.client, [this.id.slice(PROVISIONAL_PREFIX.length)]);
    }
    const named = await this.client.callsByConversation(this.id);
    if (named.length > 0) return named;
    // Known only from page URLs (/c/{id}): rare, so the slow path is fine.
    const all = await this.client.allCalls();
    return all.filter((c) => c.pageUrl.includes(this.id));
  }

  /**
   * Bodies to read: `first` what the analysis needs to link and decode (sends, sockets, gen_title,
   * conversation/{id}, the newest sidebar list of each page), `later` the rest of the conversation's own.
   */
  private chunkIds(calls: ReadonlyMap<string, StoredCall>): { first: string[]; later: string[] } {
    const list = [...calls.values()];
    const g = groupCalls(list);
    const mine = new Set(g.callsOf.get(this.id)?.map((c) => c.callId) ?? []);
    const first = new Set(titleBodyIds(list));
    for (const c of list) {
      if (c.transport === 'websocket' || (CONTEXT_KINDS.has(c.kind) && c.kind !== 'conversations_list')) {
        first.add(c.callId);
      }
    }
    const later = [...mine].filter((id) => !first.has(id));
    return { first: [...first], later };
  }

  /** Reads what a stored change touched; the analysis is redone by `flush` (at most once per frame). */
  async apply(change: StoreChange): Promise<void> {
    if (change.callIds.length === 0) {
      await this.load();
      return;
    }
    const gen = this.generation;
    const changed = await readCallsById(this.client, change.callIds);
    if (gen !== this.generation) return;
    const relevant: StoredCall[] = [];
    const newSessions: string[] = [];
    for (const c of changed) {
      const inSession = this.sessions.has(c.pageSessionId);
      if (!inSession && c.conversationId !== this.id) continue;
      if (!inSession) {
        // The conversation continued in another tab or after a reload: bring in that page session too.
        this.sessions.add(c.pageSessionId);
        newSessions.push(c.pageSessionId);
      }
      relevant.push(c);
    }
    for (const s of newSessions) {
      for (const c of await this.client.callsByPageSession(s))
        if (!this.calls.has(c.callId)) relevant.push(c);
    }
    if (gen !== this.generation || relevant.length === 0) return;
    for (const c of relevant) this.calls.set(c.callId, c);
    const ids = relevant.map((c) => c.callId);
    const fresh = await readChunks(this.client, ids, lastSeqs(this.chunks, ids));
    if (gen !== this.generation) return;
    mergeChunks(this.chunks, fresh);
    this.dirty = true;
  }

  flush(): boolean {
    if (!this.dirty) return false;
    this.analyze();
    return true;
  }

  private analyze() {
    const t0 = performance.now();
    this.dirty = false;
    const all = [...this.calls.values()];
    let conv =
      all.length > 0
        ? analyzeConversation(all, this.chunks, { conversationId: this.id, cache: this.cache })
        : null;
    if (!conv && this.id.startsWith(PROVISIONAL_PREFIX)) {
      // The stream has named the conversation since the view opened: follow the send to its real id.
      const send = this.id.slice(PROVISIONAL_PREFIX.length);
      const g = groupCalls(all, { bodies: this.chunks });
      const found = g.conversations.find((c) => c.turnCallIds.includes(send));
      if (found) {
        this.id = found.id;
        conv = analyzeConversation(all, this.chunks, {
          conversationId: found.id,
          cache: this.cache,
          grouping: g,
        });
      }
    }
    this.conversation = conv;
    this.missing = !this.loading && conv === null;
    this.cache.retain(this.calls.keys());
    this.lastAnalyzeMs = performance.now() - t0;
    this.version++;
    this.onUpdate();
  }

  /** Chunks of a call that the analysis did not need (telemetry bodies for the details panel). */
  async ensureChunks(callId: string): Promise<void> {
    if (this.chunks.has(callId)) return;
    const fresh = await readChunks(this.client, [callId]);
    if (fresh.size === 0) return;
    mergeChunks(this.chunks, fresh);
    this.version++;
    this.onUpdate();
  }
}
