/**
 * The detail view of one conversation: its turns decoded, the calls around each send linked to it, the
 * recorder's latency next to the app's lat/r report, and the flow checks. Works on a conversation that is
 * still streaming (the last turn is decoded from the chunks received so far and marked live/incomplete).
 */

import { isLive } from '../store/call-facts';
import type { StoredCall } from '../store/schema';
import {
  type ChunkMap,
  isResume,
  isTurnPost,
  latRRequestId,
  mappingIds,
  parseLatR,
  requestJson,
  sendRequestIds,
  titleOfResponse,
  urlConversationId,
} from './bodies';
import { runChecks } from './checks';
import { answerOnSocket, bodyIssues, DecodeCache, socketAnswer } from './decode';
import { byStart, countCalls, type GroupResult, groupCalls } from './group';
import { compareLatency, turnLatency } from './latency';
import type {
  BodyIssue,
  Conversation,
  ConversationFlag,
  ConversationSummary,
  Turn,
  TurnLinks,
} from './types';

export interface AnalyzeOptions {
  /** Which conversation; default: the one with the most turns among the calls given. */
  conversationId?: string;
  /** Reuse decoders across calls (a live view re-analyses every few hundred ms). */
  cache?: DecodeCache;
  /** A grouping already computed for the same calls and bodies. */
  grouping?: GroupResult;
}

function emptyLinks(): TurnLinks {
  return { resumes: [], sockets: [], telemetry: [], sentinel: [], prepare: [], other: [], before: [] };
}

/**
 * `calls` should hold the conversation's calls and their page sessions' other calls (the context that
 * linking looks at: lat/r, gen_title, conversations lists); `chunksByCallId` whatever bodies are loaded.
 * Returns null when no conversation matches.
 */
export function analyzeConversation(
  calls: readonly StoredCall[],
  chunksByCallId: ChunkMap,
  opts: AnalyzeOptions = {},
): Conversation | null {
  const g = opts.grouping ?? groupCalls(calls, { bodies: chunksByCallId });
  const summary = pickConversation(g.conversations, opts.conversationId);
  if (!summary) return null;
  const cache = opts.cache ?? new DecodeCache();
  const convCalls = g.callsOf.get(summary.id) ?? [];
  const posts = convCalls.filter(isTurnPost);
  const byId = new Map<string, StoredCall>();
  for (const c of calls) byId.set(c.callId, c);
  const socketCache = new Map<string, StoredCall[]>();
  const sockets = (pageSessionId: string) => {
    let list = socketCache.get(pageSessionId);
    if (!list) {
      list = socketsOf(g, pageSessionId);
      socketCache.set(pageSessionId, list);
    }
    return list;
  };

  // Resume calls continue a send's stream (docs/protocol.md §5.5): each belongs to the latest send before it
  // in its page session (else in the conversation) and is decoded with that send, never as a turn of its own.
  const resumesOf = new Map<string, StoredCall[]>();
  const postsOfSession = new Map<string, StoredCall[]>();
  for (const p of posts) {
    const list = postsOfSession.get(p.pageSessionId);
    if (list) list.push(p);
    else postsOfSession.set(p.pageSessionId, [p]);
  }
  for (const c of convCalls) {
    if (!isResume(c)) continue;
    const owner =
      latestBefore(postsOfSession.get(c.pageSessionId) ?? [], c.startTime) ??
      latestBefore(posts, c.startTime);
    if (!owner) continue;
    const list = resumesOf.get(owner.callId);
    if (list) list.push(c);
    else resumesOf.set(owner.callId, [c]);
  }

  // Turns, decoded.
  const turns: Turn[] = posts.map((post, index) => {
    const req = g.sends.request(post);
    const resumes = resumesOf.get(post.callId) ?? [];
    const response =
      resumes.length > 0
        ? cache.decodeWithResumes(
            post,
            chunksByCallId,
            resumes.map((call) => ({ call, offset: resumeOffset(call) })),
          )
        : cache.decode(post, chunksByCallId.get(post.callId));
    const fromSocket = answerOnSocket(response)
      ? socketAnswer(post, response, sockets(post.pageSessionId), chunksByCallId)
      : null;
    const decoded = fromSocket?.decoded ?? response;
    // A socket answer is live while its socket is open, not while the (already answered) send is.
    const lastResume = resumes.at(-1);
    const live = fromSocket
      ? fromSocket.decoded.terminator === 'open'
      : isLive(post) || (lastResume !== undefined && isLive(lastResume));
    // A resumed answer ends when its last resume does: total time runs from the send to there.
    const latency = turnLatency(lastResume ? endingAt(post, lastResume.endTime) : post, decoded);
    const links = emptyLinks();
    links.resumes.push(...resumes.map((c) => c.callId));
    if (fromSocket) links.sockets.push(...fromSocket.socketIds);
    const turn: Turn = {
      index,
      callId: post.callId,
      pageSessionId: post.pageSessionId,
      startTime: post.startTime,
      action: req?.action ?? null,
      userPrompt: req?.prompt ?? null,
      model: { requested: req?.model ?? null, resolved: decoded.model },
      assistantText: decoded.text,
      answerSource: fromSocket ? 'websocket' : 'response',
      messageIds: {
        user: req?.userMessageId ?? decoded.userMessageId,
        parent: req?.parentMessageId ?? null,
        assistant: decoded.assistantMessageId,
      },
      isContinuation: req?.hasConversationId ?? false,
      requestConversationId: req?.conversationId?.toLowerCase() ?? null,
      suggestions: req?.suggestions ?? null,
      status: post.status ?? null,
      decoded,
      linkedCalls: links,
      latency,
      live,
      incomplete: live || decoded.incomplete,
    };
    if (fromSocket) turn.decodedResponse = response;
    return turn;
  });
  const convCallIds = new Set(convCalls.map((c) => c.callId));
  const linked = new Set<string>(posts.map((p) => p.callId));
  for (const list of resumesOf.values()) for (const c of list) linked.add(c.callId);
  /** Calls linked from outside the conversation's own group (lat/r or gen_title grouped elsewhere). */
  const extra = new Set<string>();
  const link = (call: StoredCall) => {
    linked.add(call.callId);
    if (!convCallIds.has(call.callId)) extra.add(call.callId);
  };
  for (const t of turns) {
    for (const id of t.linkedCalls.sockets) {
      const socket = byId.get(id);
      if (socket) link(socket);
    }
  }

  // The page sessions this conversation's sends happened in, and every send in them (any conversation):
  // a turn's window ends at the next send of its page session. Per session, the calls that linking
  // searches by time are kept sorted, so each lookup is a binary search, not a scan.
  const sessionIds = [...new Set(posts.map((p) => p.pageSessionId))];
  const nextSend = new Map<string, number>();
  const latRsOf = new Map<string, StoredCall[]>();
  const listsOf = new Map<string, StoredCall[]>();
  const contextCalls: StoredCall[] = [];
  for (const sid of sessionIds) {
    const list = g.sessionCalls.get(sid) ?? [];
    const sends = list.filter(isTurnPost);
    sends.forEach((p, i) => {
      nextSend.set(p.callId, sends[i + 1]?.startTime ?? Number.POSITIVE_INFINITY);
    });
    latRsOf.set(
      sid,
      list.filter((c) => c.kind === 'lat_r'),
    );
    listsOf.set(
      sid,
      list.filter((c) => c.kind === 'conversations_list'),
    );
    contextCalls.push(...list);
  }
  const windowOf = (post: StoredCall) => ({
    from: post.startTime,
    until: nextSend.get(post.callId) ?? Number.POSITIVE_INFINITY,
  });

  // lat/r: by request id first (across the page sessions), then a guess for the turns left.
  const latRs = [...latRsOf.values()].flat();
  const latRById = new Map<string, StoredCall>();
  const claimed = new Set<string>();
  for (const l of latRs) {
    const rid = latRRequestId(l);
    if (!rid) continue;
    if (!latRById.has(rid)) latRById.set(rid, l);
    // A lat/r that names any captured send is that send's, even if it is not one of this conversation's.
    if (g.sends.byRequestId.has(rid)) claimed.add(l.callId);
  }
  for (const t of turns) {
    const post = byId.get(t.callId);
    if (!post) continue;
    const ids = [...sendRequestIds(post)];
    if (t.decoded.requestId) ids.push(t.decoded.requestId);
    for (const id of ids) {
      const l = latRById.get(id);
      if (l) {
        t.linkedCalls.latR = { callId: l.callId, guess: false };
        claimed.add(l.callId);
        link(l);
        break;
      }
    }
  }
  for (const t of turns) {
    if (t.linkedCalls.latR) continue;
    const post = byId.get(t.callId);
    if (!post) continue;
    const guess = firstInWindow(latRsOf.get(post.pageSessionId) ?? [], windowOf(post), claimed);
    if (guess) {
      t.linkedCalls.latR = { callId: guess.callId, guess: true };
      claimed.add(guess.callId);
      link(guess);
    }
  }
  for (const t of turns) {
    const l = t.linkedCalls.latR ? byId.get(t.linkedCalls.latR.callId) : undefined;
    const report = l ? parseLatR(l) : null;
    if (report && t.linkedCalls.latR) t.reported = report;
    // lat/r when linked; ChatGPT's "Thought for N s" whenever the turn reasoned.
    const comparison = compareLatency(t.latency, report, t.linkedCalls.latR?.guess ?? false);
    if (comparison) t.comparison = comparison;
  }

  // gen_title: by the conversation id in its URL, and by the answer it titles (which catches a gen_title
  // that names another conversation for this conversation's answer: a failed check, not a lost call).
  const answerTurn = new Map<string, Turn>();
  for (const t of turns) if (t.messageIds.assistant) answerTurn.set(t.messageIds.assistant, t);
  for (const c of contextCalls) {
    if (c.kind !== 'gen_title') continue;
    const urlId = urlConversationId(c);
    const messageId = requestJson(c)?.message_id;
    const msg = typeof messageId === 'string' ? messageId : null;
    let turn = msg ? answerTurn.get(msg) : undefined;
    if (!turn && urlId === summary.id) turn = latestTurnBefore(turns, c.startTime);
    if (!turn || turn.linkedCalls.genTitle) continue;
    turn.linkedCalls.genTitle = {
      callId: c.callId,
      urlConversationId: urlId,
      messageId: msg,
      title: titleOfResponse(c, chunksByCallId),
    };
    link(c);
  }
  for (const t of turns) if (t.decoded.title) t.linkedCalls.streamTitle = t.decoded.title;

  // The sidebar refresh after each send.
  for (const t of turns) {
    const post = byId.get(t.callId);
    if (!post) continue;
    const list = firstInWindow(listsOf.get(post.pageSessionId) ?? [], windowOf(post), linked);
    if (list) {
      t.linkedCalls.conversationsList = list.callId;
      link(list);
    }
  }

  // Everything else of the conversation: by time, into the window of the latest earlier send of the same
  // page session; before a session's first send, into that send's `before`.
  const turnsOfSession = new Map<string, Turn[]>();
  for (const t of turns) {
    const list = turnsOfSession.get(t.pageSessionId);
    if (list) list.push(t);
    else turnsOfSession.set(t.pageSessionId, [t]);
  }
  const historyIds = new Set<string>();
  for (const c of convCalls) {
    if (c.kind === 'conversation_get') for (const id of mappingIds(c, chunksByCallId)) historyIds.add(id);
    if (linked.has(c.callId)) continue;
    const sameSession = turnsOfSession.get(c.pageSessionId) ?? [];
    const owner = latestTurnBefore(sameSession, c.startTime);
    // A resume with no send before it continues a stream whose send was not captured: nothing to join.
    if (isResume(c)) continue;
    if (owner) {
      bucket(owner.linkedCalls, c);
      linked.add(c.callId);
      continue;
    }
    const next = sameSession[0];
    if (next) {
      next.linkedCalls.before.push(c.callId);
      linked.add(c.callId);
    }
  }

  // Bodies against their schemas.
  const allCalls = [
    ...convCalls,
    ...[...extra].map((id) => byId.get(id)).filter((c) => c !== undefined),
  ].sort(byStart);
  const issues: BodyIssue[] = [];
  for (const c of allCalls) issues.push(...bodyIssues(c, chunksByCallId.get(c.callId)));

  const host = summary.host;
  const checks = runChecks({
    conversationId: summary.id,
    host,
    turns,
    historyIds,
    latRSeen: latRs.length > 0,
    bodyIssues: issues,
    validatedCallIds: allCalls.map((c) => c.callId),
  });

  const incomplete = turns.some((t) => t.incomplete);
  const lastStreamTitle = [...turns].reverse().find((t) => t.decoded.title)?.decoded.title ?? null;
  const title = lastStreamTitle ?? summary.title;
  const flags: ConversationFlag[] = summary.flags.filter((f) => f !== 'incomplete');
  if (incomplete) flags.push('incomplete');
  if (checks.some((c) => c.status === 'fail')) flags.push('check-failed');
  if (issues.length > 0) flags.push('unrecognized-body');
  const replies = turns.map((t) => t.assistantText).filter((s) => s.length > 0);
  const callIds = allCalls.map((c) => c.callId);
  return {
    ...summary,
    title,
    titleSource: lastStreamTitle ? 'stream' : summary.titleSource,
    callIds,
    calls: callIds,
    counts: countCalls(allCalls),
    flags,
    searchText: [summary.searchText, title ?? '', ...replies].join('\n').toLowerCase(),
    turns,
    checks,
    bodyIssues: issues,
    incomplete,
  };
}

/** WebSocket connections (frames, not the HTTP register/ws-url calls) of a page session. */
function socketsOf(g: GroupResult, pageSessionId: string): StoredCall[] {
  return (g.sessionCalls.get(pageSessionId) ?? []).filter((c) => c.transport === 'websocket');
}

function pickConversation(list: readonly ConversationSummary[], id: string | undefined) {
  if (id !== undefined) return list.find((c) => c.id === id) ?? null;
  let best: ConversationSummary | null = null;
  for (const c of list) if (!best || c.turnCount > best.turnCount) best = c;
  return best;
}

/** First index whose startTime is >= time (or > time when `after`), `list` sorted by startTime. */
function lowerBound(list: readonly { startTime: number }[], time: number, after = false): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = list[mid]?.startTime ?? Number.POSITIVE_INFINITY;
    if (t < time || (after && t === time)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first call of `list` (sorted) that started in [from, until) and is not in `taken`. */
function firstInWindow(
  list: readonly StoredCall[],
  w: { from: number; until: number },
  taken: ReadonlySet<string>,
): StoredCall | undefined {
  for (let i = lowerBound(list, w.from); i < list.length; i++) {
    const c = list[i];
    if (!c || c.startTime >= w.until) return undefined;
    if (!taken.has(c.callId)) return c;
  }
  return undefined;
}

/** The latest item (of `list`, in time order) that started at or before `time`. */
function latestBefore<T extends { startTime: number }>(list: readonly T[], time: number): T | undefined {
  const i = lowerBound(list, time, true);
  return i > 0 ? list[i - 1] : undefined;
}

/** The turn that started last at or before `time`. */
function latestTurnBefore(turns: readonly Turn[], time: number): Turn | undefined {
  return latestBefore(turns, time);
}

/**
 * The `offset` of a resume request (docs/protocol.md §5.5); null when the body is missing, truncated or
 * drifted.
 */
function resumeOffset(call: StoredCall): number | null {
  const offset = requestJson(call)?.offset;
  return typeof offset === 'number' ? offset : null;
}

/** The call with another end time (or none, while the last part still streams). */
function endingAt(call: StoredCall, endTime: number | undefined): StoredCall {
  const { endTime: _ended, ...rest } = call;
  return endTime === undefined ? rest : { ...rest, endTime };
}

function bucket(links: TurnLinks, c: StoredCall) {
  switch (c.kind) {
    case 'ces':
    case 'statsig':
      links.telemetry.push(c.callId);
      break;
    case 'sentinel':
      links.sentinel.push(c.callId);
      break;
    case 'conversation_prepare':
      links.prepare.push(c.callId);
      break;
    default:
      links.other.push(c.callId);
  }
}
