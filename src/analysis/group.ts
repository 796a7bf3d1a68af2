/**
 * Captures → page sessions → conversations, from call metadata and request bodies only (no stream is
 * decoded), in O(n log n) for the sort plus O(n) with maps, so a store of 100,000 calls stays fast.
 *
 * How a call finds its conversation, strongest evidence first:
 * 1. A conversation POST: its request's `conversation_id` (follow-up) or, for a new chat, the id the
 *    store read from the stream; until the stream names one, a provisional id.
 * 2. An id the call names itself (URL gen_title/{id} or conversation/{id}, or a `conversation_id` in its
 *    request body, as the store extracted it).
 * 3. A lat/r whose `server_request_id` is the cf-ray / x-oai-request-id of a send: that send's conversation.
 * 4. The page URL /c/{id} at the time of the call: the conversation the user was looking at.
 * 5. Time, within the page session: calls after a send join that send's conversation (telemetry between
 *    turns), until something shows the user left it for a new chat (prompt_library, accounts/check, an id-less
 *    prepare, or the page URL leaving /c/{id}). From then on, and before the session's first send, calls wait
 *    for the next send and join its conversation (a new chat's calls before ChatGPT assigns an id). Calls
 *    still waiting when the session ends belong to no conversation.
 */
import type { Kind } from '../protocol/classify';
import { conversationIdFromUrl } from '../protocol/classify';
import { titleFromUpdate } from '../protocol/conversation-update';
import { isLive, isOpen } from '../store/call-facts';
import type { StoredCall } from '../store/schema';
import {
  type ChunkMap,
  hostOf,
  isResume,
  isTurnPost,
  latRRequestId,
  listTitles,
  parseSendRequest,
  requestJson,
  responseText,
  type SendRequest,
  scanStreamTitle,
  sendRequestIds,
  titleOfResponse,
} from './bodies';
import type {
  CallCounts,
  ConversationFlag,
  ConversationIdSource,
  ConversationSummary,
  Grouping,
  PageSession,
} from './types';

export const PROVISIONAL_PREFIX = 'provisional:';

export interface GroupOptions {
  /**
   * Response bodies that are loaded (any subset). Used for titles (gen_title, conversations list,
   * conversation_get, the stream's title frame) and for a new chat's id when the store had none.
   */
  bodies?: ChunkMap;
  /**
   * Answer text per conversation POST (callId → text), e.g. from a decode cache, added to `searchText`.
   * Leaving it out keeps the list free of stream decoding.
   */
  replies?: ReadonlyMap<string, string>;
}

/** Internal per-conversation accumulator. */
interface ConvAcc {
  id: string;
  idSource: ConversationIdSource;
  calls: StoredCall[];
  turns: StoredCall[];
  pageSessionIds: string[];
}

/** The latest time known for a call (it may still be streaming). */
export function callLastTime(c: StoredCall): number {
  return c.endTime ?? c.lastChunkTime ?? c.headersTime ?? c.startTime;
}

export function byStart(a: StoredCall, b: StoredCall): number {
  return a.startTime - b.startTime || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

const NEW_CHAT_MARKERS: ReadonlySet<Kind> = new Set(['prompt_library', 'accounts_check']);

/** Sends and their parsed request bodies, shared by the grouping and the detailed analysis. */
export class SendIndex {
  private readonly parsed = new Map<string, SendRequest | null>();
  /** cf-ray / x-oai-request-id → conversation POST. */
  readonly byRequestId = new Map<string, StoredCall>();

  constructor(
    calls: readonly StoredCall[],
    private readonly bodies?: ChunkMap,
  ) {
    for (const c of calls) {
      if (!isTurnPost(c)) continue;
      for (const id of sendRequestIds(c)) this.byRequestId.set(id, c);
    }
  }

  request(call: StoredCall): SendRequest | null {
    let r = this.parsed.get(call.callId);
    if (r === undefined) {
      r = parseSendRequest(call);
      this.parsed.set(call.callId, r);
    }
    return r;
  }

  /** The conversation a send belongs to, and how that is known. */
  conversationOf(call: StoredCall): { id: string; source: ConversationIdSource } {
    const fromRequest = this.request(call)?.conversationId;
    if (fromRequest) return { id: fromRequest.toLowerCase(), source: 'server' };
    if (call.conversationId) return { id: call.conversationId, source: 'server' };
    // The store reads the id chunk by chunk; an id split across two reads is only found in the whole body.
    const text = this.bodies ? responseText(call, this.bodies) : null;
    const m = text ? /"conversation_id"\s*:\s*"([0-9a-f-]{36})"/i.exec(text) : null;
    if (m?.[1]) return { id: m[1].toLowerCase(), source: 'server' };
    return { id: `${PROVISIONAL_PREFIX}${call.callId}`, source: 'provisional' };
  }
}

export interface GroupResult extends Grouping {
  /** Conversation id → its calls in time order (the detailed analysis starts from these). */
  callsOf: ReadonlyMap<string, readonly StoredCall[]>;
  /** Page session id → its calls in time order. */
  sessionCalls: ReadonlyMap<string, readonly StoredCall[]>;
  sends: SendIndex;
}

export function groupCalls(calls: readonly StoredCall[], opts: GroupOptions = {}): GroupResult {
  const sorted = [...calls].sort(byStart);
  const sends = new SendIndex(sorted, opts.bodies);
  const sessions = new Map<string, StoredCall[]>();
  for (const c of sorted) {
    const list = sessions.get(c.pageSessionId);
    if (list) list.push(c);
    else sessions.set(c.pageSessionId, [c]);
  }

  // Page URLs repeat across thousands of calls; parse each distinct one once.
  const pageConvCache = new Map<string, string | null>();
  const pageConv = (url: string): string | null => {
    let v = pageConvCache.get(url);
    if (v === undefined) {
      v = url ? conversationIdFromUrl(url) : null;
      pageConvCache.set(url, v);
    }
    return v;
  };

  const convs = new Map<string, ConvAcc>();
  const conversationOf = new Map<string, string>();
  const pageSessions: PageSession[] = [];

  const join = (id: string, source: ConversationIdSource, call: StoredCall) => {
    let acc = convs.get(id);
    if (!acc) {
      acc = { id, idSource: source, calls: [], turns: [], pageSessionIds: [] };
      convs.set(id, acc);
    }
    acc.calls.push(call);
    if (
      acc.pageSessionIds.at(-1) !== call.pageSessionId &&
      !acc.pageSessionIds.includes(call.pageSessionId)
    ) {
      acc.pageSessionIds.push(call.pageSessionId);
    }
    conversationOf.set(call.callId, id);
    return acc;
  };

  for (const [sessionId, list] of sessions) {
    let current: string | null = null;
    let pending: StoredCall[] = [];
    /** Once set, id-less calls wait for the next send instead of joining `current`. */
    let waiting = true;
    let lastPageConv: string | null = null;
    // A Set keeps insertion order: conversations in order of their first call in the session.
    const touched = new Set<string>();
    const touch = (id: string) => touched.add(id);

    for (const c of list) {
      const pc = pageConv(c.pageUrl);
      if (isTurnPost(c)) {
        const { id, source } = sends.conversationOf(c);
        // The waiting calls were this send's preparation (new chat) or happened while the user was away.
        for (const p of pending) join(id, source, p);
        pending = [];
        const acc = join(id, source, c);
        acc.turns.push(c);
        touch(id);
        current = id;
        waiting = false;
        lastPageConv = pc;
        continue;
      }
      let target: string | null = c.conversationId;
      if (!target && c.kind === 'lat_r') {
        const rid = latRRequestId(c);
        const send = rid ? sends.byRequestId.get(rid) : undefined;
        if (send) target = sends.conversationOf(send).id;
      }
      if (!target && pc) target = pc;
      if (target) {
        const source = convs.get(target)?.idSource ?? 'server';
        join(target, source, c);
        touch(target);
        // Opening a chat (conversation/{id}) or looking at one (/c/{id}) makes it the one id-less calls join.
        if (c.kind === 'conversation_get' || (pc && pc === target)) {
          current = target;
          waiting = false;
        }
        lastPageConv = pc;
        continue;
      }
      const leftChat =
        NEW_CHAT_MARKERS.has(c.kind) ||
        c.kind === 'conversation_prepare' ||
        (lastPageConv !== null && pc === null && c.pageUrl !== '');
      if (leftChat) waiting = true;
      lastPageConv = pc;
      if (waiting || current === null) pending.push(c);
      else {
        join(current, convs.get(current)?.idSource ?? 'server', c);
      }
    }

    const first = list[0];
    const last = list.at(-1);
    if (!first || !last) continue;
    let endedAt = first.startTime;
    let live = false;
    let imported = false;
    for (const c of list) {
      endedAt = Math.max(endedAt, callLastTime(c));
      if (isLive(c)) live = true;
      if (c.importId !== undefined) imported = true;
    }
    pageSessions.push({
      id: sessionId,
      tabId: first.tabId,
      host: hostOf(first.pageUrl) ?? hostOf(first.url),
      pageUrl: first.pageUrl,
      startedAt: first.startTime,
      endedAt,
      callIds: list.map((c) => c.callId),
      conversationIds: [...touched],
      unassignedCallIds: pending.map((c) => c.callId),
      live,
      imported,
    });
  }

  const titles = collectTitles(sorted, opts.bodies);
  const conversations: ConversationSummary[] = [];
  const callsOf = new Map<string, readonly StoredCall[]>();
  for (const acc of convs.values()) {
    // Calls arrive in session order; a conversation spanning sessions needs one time order.
    if (acc.pageSessionIds.length > 1) acc.calls.sort(byStart);
    callsOf.set(acc.id, acc.calls);
    conversations.push(summarize(acc, sends, titles.get(acc.id), opts));
  }
  conversations.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  pageSessions.sort((a, b) => a.startedAt - b.startedAt);
  return { pageSessions, conversations, conversationOf, callsOf, sessionCalls: sessions, sends };
}

type TitleSource = NonNullable<ConversationSummary['titleSource']>;
interface FoundTitle {
  title: string;
  source: TitleSource;
  rank: number;
  time: number;
}

/**
 * Later and stronger wins: the user's own rename (PATCH conversation/{id} `{title}`) over the stream's title
 * over gen_title over a fetched conversation over the list.
 */
const TITLE_RANK: Record<TitleSource, number> = {
  conversations_list: 0,
  conversation_get: 1,
  gen_title: 2,
  stream: 3,
  conversation_update: 4,
};

function collectTitles(sorted: readonly StoredCall[], bodies: ChunkMap | undefined) {
  const found = new Map<string, FoundTitle>();
  const offer = (id: string | null, title: string | null, source: TitleSource, time: number) => {
    if (!id || !title) return;
    const rank = TITLE_RANK[source];
    const prev = found.get(id);
    if (!prev || rank > prev.rank || (rank === prev.rank && time >= prev.time)) {
      found.set(id, { title, source, rank, time });
    }
  };
  for (const c of sorted) {
    // A rename's title is in its request body (the record itself); it counts once the server accepted it.
    if (c.kind === 'conversation_update' && c.requestBodyEncoding === 'text' && (c.status ?? 0) < 400) {
      offer(c.conversationId, titleFromUpdate(requestJson(c)), 'conversation_update', c.startTime);
      continue;
    }
    if (!bodies?.has(c.callId)) continue;
    switch (c.kind) {
      case 'gen_title':
      case 'conversation_get':
        offer(c.conversationId, titleOfResponse(c, bodies), c.kind, c.startTime);
        break;
      case 'conversations_list':
        for (const [id, title] of listTitles(c, bodies)) offer(id, title, 'conversations_list', c.startTime);
        break;
      case 'conversation': {
        const text = responseText(c, bodies);
        if (text) offer(c.conversationId, scanStreamTitle(text), 'stream', c.startTime);
        break;
      }
      default:
        break;
    }
  }
  return found;
}

export function countCalls(calls: readonly StoredCall[]): CallCounts {
  const counts: CallCounts = { total: 0, byKind: {}, errors: 0, open: 0 };
  for (const c of calls) {
    counts.total++;
    counts.byKind[c.kind] = (counts.byKind[c.kind] ?? 0) + 1;
    if ((c.status !== undefined && c.status >= 400) || c.outcome === 'error') counts.errors++;
    if (isOpen(c)) counts.open++;
  }
  return counts;
}

function summarize(
  acc: ConvAcc,
  sends: SendIndex,
  found: FoundTitle | undefined,
  opts: GroupOptions,
): ConversationSummary {
  const counts = countCalls(acc.calls);
  let startedAt = Number.POSITIVE_INFINITY;
  let endedAt = Number.NEGATIVE_INFINITY;
  let imported = false;
  let live = false;
  let incomplete = false;
  for (const c of acc.calls) {
    if (isLive(c)) live = true;
    if (c.importId !== undefined) imported = true;
    startedAt = Math.min(startedAt, c.startTime);
    endedAt = Math.max(endedAt, callLastTime(c));
  }
  const search: string[] = [acc.id];
  const prompts: string[] = [];
  const pageUrls = new Set<string>();
  let host: string | null = null;
  const resumes = acc.calls.filter(isResume);
  acc.turns.forEach((t, i) => {
    // Without decoding, an answer is "not known complete" when its call did not end normally, unless a
    // resume (before the next send) continued the stream and that one ended normally.
    const next = acc.turns[i + 1]?.startTime ?? Number.POSITIVE_INFINITY;
    const last = resumes.filter((r) => r.startTime >= t.startTime && r.startTime < next).at(-1) ?? t;
    if (last.outcome !== 'complete') incomplete = true;
  });
  for (const t of acc.turns) {
    const prompt = sends.request(t)?.prompt;
    if (prompt) prompts.push(prompt);
    host ??= hostOf(t.url);
    search.push(t.url);
    const reply = opts.replies?.get(t.callId);
    if (reply) search.push(reply);
  }
  for (const c of acc.calls) if (c.pageUrl) pageUrls.add(c.pageUrl);
  host ??= hostOf(acc.calls[0]?.pageUrl ?? '') ?? hostOf(acc.calls[0]?.url ?? '');
  if (found) search.push(found.title);
  search.push(...prompts, ...pageUrls);

  const flags: ConversationFlag[] = [];
  if (live) flags.push('live');
  if (incomplete && acc.turns.length > 0) flags.push('incomplete');
  if (counts.errors > 0) flags.push('error');
  if (imported) flags.push('imported');
  if (acc.idSource === 'provisional') flags.push('provisional-id');
  if (acc.pageSessionIds.length > 1) flags.push('multi-page-session');

  return {
    id: acc.id,
    idSource: acc.idSource,
    title: found?.title ?? null,
    titleSource: found?.source ?? null,
    host,
    startedAt,
    endedAt,
    pageSessionIds: acc.pageSessionIds,
    turnCount: acc.turns.length,
    firstPrompt: prompts[0] ?? null,
    callIds: acc.calls.map((c) => c.callId),
    turnCallIds: acc.turns.map((c) => c.callId),
    counts,
    flags,
    live,
    searchText: search.join('\n').toLowerCase(),
  };
}

/** The list view: one summary per conversation, newest first. Decodes no stream. */
export function summarizeConversations(
  calls: readonly StoredCall[],
  opts: GroupOptions = {},
): ConversationSummary[] {
  return groupCalls(calls, opts).conversations.reverse();
}

/**
 * Which calls' bodies make the list richer: gen_title, conversations lists and conversation_get (small;
 * titles) and, unless `streams: false`, the sends (large; the v1 title frame and a new chat's id when the
 * store missed it). Load these chunks if you can afford to; the list works without them.
 */
export function summaryBodyCallIds(calls: readonly StoredCall[], opts: { streams?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const c of calls) {
    if (c.kind === 'gen_title' || c.kind === 'conversations_list' || c.kind === 'conversation_get') {
      out.push(c.callId);
    } else if (opts.streams !== false && isTurnPost(c)) out.push(c.callId);
  }
  return out;
}
