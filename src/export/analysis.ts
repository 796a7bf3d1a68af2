/**
 * The analysis section of a JSON export: src/analysis's conversations, turns, links, latency and checks,
 * projected onto the export schema, computed in slices.
 *
 * Grouping 100,000 calls in one go takes about half a second, a visible freeze. The calls are first cut
 * into clusters that the analysis can never join: page sessions linked by a conversation id (the call's
 * own, or the /c/{id} of its page URL). Each cluster is grouped and analysed on its own, so the largest
 * uninterrupted step is one cluster (usually one page load) or one conversation.
 */
import { analyzeConversation, type ChunkMap, type Conversation, DecodeCache, groupCalls } from '../analysis';
import type { PageSession, PhaseStats, Turn } from '../analysis/types';
import { conversationIdFromUrl } from '../protocol/classify';
import type { DecodedTurn } from '../protocol/decoded';
import type { StoredCall } from '../store/schema';
import type { ExportedAnalysis, ExportedConversation, ExportedPageSession } from './format';
import type { Slicer } from './slicer';

/**
 * Page sessions that share a conversation, as lists of calls (time order kept). A union-find over page
 * sessions and conversation ids, in slices (one pass over 100,000 calls is itself tens of milliseconds).
 */
export async function* clusterCalls(
  calls: readonly StoredCall[],
  slicer: Slicer,
): AsyncGenerator<AnalysisProgress, StoredCall[][], void> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    // Path compression keeps later finds flat.
    for (let y = x, p = parent.get(y); p !== undefined && p !== root; y = p, p = parent.get(y))
      parent.set(y, root);
    return root;
  };
  const union = (a: string, b: string) => {
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const pageConv = new Map<string, string | null>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (!c) continue;
    const page = `p:${c.pageSessionId}`;
    if (!parent.has(page)) parent.set(page, page);
    if (c.conversationId) union(page, `c:${c.conversationId}`);
    let fromPage = pageConv.get(c.pageUrl);
    if (fromPage === undefined) {
      fromPage = c.pageUrl ? conversationIdFromUrl(c.pageUrl) : null;
      pageConv.set(c.pageUrl, fromPage);
    }
    if (fromPage) union(page, `c:${fromPage}`);
    if (i % 64 === 63) {
      slicer.spend(1);
      if (slicer.due()) {
        yield { done: 0, total: calls.length };
        await slicer.pause();
      }
    }
  }
  const clusters = new Map<string, StoredCall[]>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (!c) continue;
    const root = find(`p:${c.pageSessionId}`);
    const list = clusters.get(root);
    if (list) list.push(c);
    else clusters.set(root, [c]);
    if (i % 64 === 63) {
      slicer.spend(1);
      if (slicer.due()) {
        yield { done: 0, total: calls.length };
        await slicer.pause();
      }
    }
  }
  return [...clusters.values()];
}

const finite = (n: number | null | undefined): number | null =>
  typeof n === 'number' && Number.isFinite(n) ? n : null;

function projectDecoded(d: DecodedTurn): ExportedConversation['turns'][number]['decoded'] {
  // The export's decoded turn is the protocol's (src/protocol/decoded.ts) minus each event's raw data,
  // which is already in the call's chunks.
  const { events, ...rest } = d;
  return {
    ...rest,
    finishDetails: d.finishDetails ?? null,
    messages: d.messages.map((m) => ({ ...m, finishDetails: m.finishDetails ?? null })),
    events: events.map(({ data: _data, ...e }) => e),
  };
}

function projectPhases(p: PhaseStats): PhaseStats {
  return {
    ttfbMs: finite(p.ttfbMs),
    firstAnswerTextMs: finite(p.firstAnswerTextMs),
    reasoningAtMs: finite(p.reasoningAtMs),
    reasoningMs: finite(p.reasoningMs),
    reportedThoughtSeconds: finite(p.reportedThoughtSeconds),
    tools: p.tools.map((c) => ({ ...c, startMs: finite(c.startMs) ?? 0, durationMs: finite(c.durationMs) })),
    answerMs: finite(p.answerMs),
    endAtMs: finite(p.endAtMs),
  };
}

function projectTurn(t: Turn): ExportedConversation['turns'][number] {
  const lat = t.latency;
  const out: ExportedConversation['turns'][number] = {
    index: t.index,
    callId: t.callId,
    pageSessionId: t.pageSessionId,
    startTime: t.startTime,
    action: t.action,
    userPrompt: t.userPrompt,
    model: t.model,
    assistantText: t.assistantText,
    answerSource: t.answerSource,
    messageIds: t.messageIds,
    isContinuation: t.isContinuation,
    requestConversationId: t.requestConversationId,
    suggestions: t.suggestions,
    status: t.status,
    decoded: projectDecoded(t.decoded),
    // The same schema on both sides (src/analysis/schema.ts): no projection needed.
    linkedCalls: t.linkedCalls,
    latency: {
      ...lat,
      // Non-finite numbers are written as null (JSON has no NaN); the analysis never makes them, but a
      // file must stay valid if it ever does.
      timeToHeadersMs: finite(lat.timeToHeadersMs),
      ttftMs: finite(lat.ttftMs),
      totalMs: finite(lat.totalMs),
      generationMs: finite(lat.generationMs),
      eventsPerSecond: finite(lat.eventsPerSecond),
      gapP50Ms: finite(lat.gapP50Ms),
      gapP95Ms: finite(lat.gapP95Ms),
      gapP99Ms: finite(lat.gapP99Ms),
      maxStallMs: finite(lat.maxStallMs),
      ...(lat.phases ? { phases: projectPhases(lat.phases) } : {}),
    },
    live: t.live,
    incomplete: t.incomplete,
  };
  if (t.decodedResponse) out.decodedResponse = projectDecoded(t.decodedResponse);
  if (t.reported) {
    const r = t.reported;
    out.reported = {
      serverRequestId: r.serverRequestId,
      model: r.model,
      countTokens: finite(r.countTokens),
      preflightTimeMs: finite(r.preflightTimeMs),
      tsFirstTokenMs: finite(r.tsFirstTokenMs),
      tsMedianTokenWithoutFirstMs: finite(r.tsMedianTokenWithoutFirstMs),
      tsMeanTokenWithoutFirstMs: finite(r.tsMeanTokenWithoutFirstMs),
      tsP95TokenWithoutFirstMs: finite(r.tsP95TokenWithoutFirstMs),
      tsP99TokenWithoutFirstMs: finite(r.tsP99TokenWithoutFirstMs),
      tsMaxTokenTimeMs: finite(r.tsMaxTokenTimeMs),
      tsMinTokenTimeMs: finite(r.tsMinTokenTimeMs),
      tsTotalRequestMs: finite(r.tsTotalRequestMs),
    };
  }
  if (t.comparison) {
    out.comparison = {
      guess: t.comparison.guess,
      rows: t.comparison.rows.map((r) => ({
        metric: r.metric,
        reportedField: r.reportedField,
        measured: finite(r.measured),
        reported: finite(r.reported),
        difference: finite(r.difference),
      })),
    };
  }
  return out;
}

export function projectConversation(c: Conversation): ExportedConversation {
  const byKind: Record<string, number> = {};
  for (const [k, n] of Object.entries(c.counts.byKind)) if (typeof n === 'number') byKind[k] = n;
  return {
    id: c.id,
    idSource: c.idSource,
    title: c.title,
    titleSource: c.titleSource,
    host: c.host,
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    pageSessionIds: c.pageSessionIds,
    turnCount: c.turnCount,
    firstPrompt: c.firstPrompt,
    callIds: c.callIds,
    turnCallIds: c.turnCallIds,
    counts: { total: c.counts.total, byKind, errors: c.counts.errors, open: c.counts.open },
    flags: c.flags,
    live: c.live,
    incomplete: c.incomplete,
    turns: c.turns.map(projectTurn),
    checks: c.checks,
    bodyIssues: c.bodyIssues,
  };
}

/** A page session as exported: the analysis's own shape (the same schema), unchanged. */
export function projectPageSession(p: PageSession): ExportedPageSession {
  return p;
}

export interface AnalysisProgress {
  done: number;
  total: number;
}

/**
 * Analyses `calls` (time order) cluster by cluster and conversation by conversation, yielding between
 * slices. Returns the section sorted by start time. A conversation the analysis throws on is reported in
 * `errors` instead of failing the export: the raw calls are what matters.
 */
export async function* analyseForExport(
  calls: readonly StoredCall[],
  bodies: ChunkMap,
  slicer: Slicer,
): AsyncGenerator<AnalysisProgress, ExportedAnalysis, void> {
  const clusters = yield* clusterCalls(calls, slicer);
  const out: ExportedAnalysis = { pageSessions: [], conversations: [], errors: [] };
  let done = 0;
  for (const cluster of clusters) {
    if (slicer.due()) {
      yield { done, total: calls.length };
      await slicer.pause();
    }
    let grouping: ReturnType<typeof groupCalls>;
    try {
      grouping = groupCalls(cluster, { bodies });
    } catch (err) {
      out.errors.push({ conversationId: null, message: `grouping failed: ${String(err)}` });
      done += cluster.length;
      continue;
    }
    slicer.spend(Math.ceil(cluster.length / 4));
    for (const p of grouping.pageSessions) out.pageSessions.push(projectPageSession(p));
    const byId = new Map(cluster.map((c) => [c.callId, c]));
    const cache = new DecodeCache();
    for (const summary of grouping.conversations) {
      // Decoding the streams is the expensive part: one send per slice step, warming the cache that
      // analyzeConversation then reads, so the conversation's own step is only linking and checks.
      for (const id of summary.turnCallIds) {
        const call = byId.get(id);
        const chunks = bodies.get(id);
        if (!call || !chunks) continue;
        if (slicer.due()) {
          yield { done, total: calls.length };
          await slicer.pause();
        }
        try {
          cache.decode(call, chunks);
        } catch {
          // analyzeConversation will meet the same error and report it below.
        }
        slicer.spend(2 * chunks.reduce((n, ch) => n + Math.ceil(ch.data.length / 1024), 0));
      }
      if (slicer.due()) {
        yield { done, total: calls.length };
        await slicer.pause();
      }
      try {
        const conv = analyzeConversation(cluster, bodies, { conversationId: summary.id, grouping, cache });
        if (conv) out.conversations.push(projectConversation(conv));
      } catch (err) {
        out.errors.push({
          conversationId: summary.id,
          message: err instanceof Error ? err.message : String(err),
        });
      }
      // Linking, latency and the checks cost about as much per call as a KiB of text.
      slicer.spend(2 * summary.callIds.length);
    }
    done += cluster.length;
  }
  out.pageSessions.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  out.conversations.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  return out;
}
