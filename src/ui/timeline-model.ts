/**
 * The waterfall's rows, from an analysed conversation: one group per turn (its preparation, the send,
 * and the calls in its window, as the analysis linked them), calls in time order and numbered within the
 * group ("1 prompt_library", "2 ces", "3 accounts/check", "4 conversation (stream)"), each with its
 * waiting (start → headers) and receiving (headers → end) segments. Pure, so it is unit-tested and cheap
 * to redo on every live update.
 */
import type { Conversation, Turn } from '../analysis/types';
import type { Kind } from '../protocol/classify';
import { isEventStream, isLive } from '../store/call-facts';
import type { StoredCall } from '../store/schema';
import { callLabel, urlHost, urlPath } from './format';

export interface TimelineCall {
  callId: string;
  /** 1-based position within its group. */
  n: number;
  label: string;
  kind: Kind;
  method: string;
  url: string;
  path: string;
  host: string;
  status: number | null;
  /** HTTP >= 400 or a network error. */
  failed: boolean;
  /** Not ended yet (still streaming). */
  live: boolean;
  stream: boolean;
  start: number;
  headers: number | null;
  /** End as far as known: endTime, else the last chunk, else the headers, else the start. */
  end: number;
  waitingMs: number | null;
  receivingMs: number | null;
  /** Null while live. */
  totalMs: number | null;
  bytes: number | null;
  /** What the send is to its turn (for the turn's own POST). */
  role: 'send' | 'resume' | 'lat/r' | 'gen_title' | null;
  /**
   * The turn's phases, on the row of the call that carried its answer (the send, or the socket of a
   * WebSocket-delivered turn); absent on other rows and for turns decoded before phases existed.
   */
  phases?: PhaseSegment[];
}

/** What a stretch of a turn's stream was doing (docs/protocol.md §13). */
export type PhaseKind = 'waiting' | 'reasoning' | 'tool' | 'answer' | 'stream';

/**
 * One stretch of a turn on the timeline: epoch ms from `start` to `end`. `stream` is what falls between
 * the named phases (commentary, metadata, the tail after the answer).
 */
export interface PhaseSegment {
  kind: PhaseKind;
  /** What the segment is, in words: "waiting", "reasoning", "tool web.run", "answer", "streaming". */
  label: string;
  start: number;
  end: number;
}

/** Which phase wins where two overlap (a tool call runs inside the reasoning window). */
const PHASE_RANK: Record<PhaseKind, number> = { tool: 4, answer: 3, reasoning: 2, waiting: 1, stream: 0 };

/**
 * The turn's stream split into its phases, for the bar: waiting (send → first byte), reasoning (first →
 * last thought), each tool call (call → result; without a result, until the next phase or the end),
 * answer (first answer text → end), and `stream` between them. Non-overlapping, in time order, from the
 * send's start to the stream's last event (`until` while nothing has arrived yet: the live end). Empty
 * when the decoded turn carries no phase times.
 */
export function phaseSegments(t: Turn, until: number): PhaseSegment[] {
  const p = t.decoded.phases;
  if (!p) return [];
  const start = t.startTime;
  const end = Math.max(start, p.end ?? until);
  const spans: PhaseSegment[] = [];
  const add = (kind: PhaseKind, label: string, from: number | null, to: number | null) => {
    if (from === null || to === null || to <= from) return;
    spans.push({ kind, label, start: Math.max(start, from), end: Math.min(end, to) });
  };
  add('waiting', 'waiting', start, p.firstByte ?? end);
  add('stream', 'streaming', p.firstByte, end);
  add('reasoning', 'reasoning', p.reasoningStart, p.reasoningEnd);
  add('answer', 'answer', p.firstAnswerText, end);
  const marks = [p.reasoningStart, p.firstAnswerText, ...p.toolCalls.map((c) => c.start), end];
  for (const c of p.toolCalls) {
    // No result (yet, or stopped): the call lasts until whatever came next.
    const next = marks.filter((m): m is number => m !== null && m > c.start).sort((a, b) => a - b)[0];
    add('tool', `tool ${c.tool}`, c.start, c.end ?? next ?? end);
  }
  const cuts = [...new Set(spans.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const out: PhaseSegment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i] as number;
    const b = cuts[i + 1] as number;
    const mid = (a + b) / 2;
    let best: PhaseSegment | null = null;
    for (const s of spans) {
      if (s.start <= mid && mid < s.end && (!best || PHASE_RANK[s.kind] > PHASE_RANK[best.kind])) best = s;
    }
    if (!best) continue;
    const last = out.at(-1);
    if (last && last.label === best.label && last.end === a) last.end = b;
    else out.push({ kind: best.kind, label: best.label, start: a, end: b });
  }
  return out;
}

export interface TimelineGroup {
  key: string;
  turnIndex: number | null;
  title: string;
  /** "new chat", "continuation", "regenerate"… */
  note: string | null;
  prompt: string | null;
  start: number;
  end: number;
  live: boolean;
  calls: TimelineCall[];
}

export interface TimelineModel {
  /** The conversation's first call: x = 0. */
  origin: number;
  end: number;
  groups: TimelineGroup[];
  callCount: number;
  /** Kinds present, in a stable order (the legend). */
  kinds: Kind[];
}

/** What a turn is, in words: from the request's action and whether it named the conversation. */
export function turnNote(t: Pick<Turn, 'action' | 'isContinuation'>): string {
  switch (t.action) {
    case 'variant':
      return 'regenerate';
    case 'continue':
      return 'continue generating';
    default:
      return t.isContinuation ? 'continuation' : 'new chat';
  }
}

export function callTiming(c: StoredCall) {
  const live = isLive(c);
  const end = c.endTime ?? c.lastChunkTime ?? c.headersTime ?? c.startTime;
  const headers = c.headersTime ?? null;
  return {
    live,
    end,
    headers,
    waitingMs: headers !== null ? headers - c.startTime : null,
    receivingMs: headers !== null ? Math.max(0, end - headers) : null,
    totalMs: c.endTime !== undefined ? c.endTime - c.startTime : null,
  };
}

function toRow(c: StoredCall, n: number, role: TimelineCall['role']): TimelineCall {
  const t = callTiming(c);
  return {
    callId: c.callId,
    n,
    label: callLabel(c),
    kind: c.kind,
    method: c.method,
    url: c.url,
    path: urlPath(c.url),
    host: urlHost(c.url),
    status: c.status ?? null,
    failed: (c.status !== undefined && c.status >= 400) || c.outcome === 'error',
    live: t.live,
    stream: isEventStream(c),
    start: c.startTime,
    headers: t.headers,
    end: t.end,
    waitingMs: t.waitingMs,
    receivingMs: t.receivingMs,
    totalMs: t.totalMs,
    bytes: c.bodyBytes ?? null,
    role,
  };
}

const byStart = (a: TimelineCall, b: TimelineCall) => a.start - b.start || (a.callId < b.callId ? -1 : 1);

/** Call ids of a turn with what they are to it, the send first. */
function turnMembers(t: Turn): [string, TimelineCall['role']][] {
  const l = t.linkedCalls;
  const out: [string, TimelineCall['role']][] = [[t.callId, 'send']];
  for (const id of l.before) out.push([id, null]);
  for (const id of l.resumes) out.push([id, 'resume']);
  for (const id of l.sockets) out.push([id, null]);
  if (l.latR) out.push([l.latR.callId, 'lat/r']);
  if (l.genTitle) out.push([l.genTitle.callId, 'gen_title']);
  if (l.conversationsList) out.push([l.conversationsList, null]);
  for (const id of [...l.telemetry, ...l.sentinel, ...l.prepare, ...l.other]) out.push([id, null]);
  return out;
}

export function buildTimeline(conv: Conversation, calls: ReadonlyMap<string, StoredCall>): TimelineModel {
  const claimed = new Set<string>();
  const groups: TimelineGroup[] = [];
  const kinds = new Set<Kind>();
  for (const t of conv.turns) {
    const rows: TimelineCall[] = [];
    for (const [id, role] of turnMembers(t)) {
      if (claimed.has(id)) continue;
      const c = calls.get(id);
      if (!c) continue;
      claimed.add(id);
      rows.push(toRow(c, 0, role));
    }
    // The phases go on the row that carried the answer: the socket of a WebSocket turn, else the send.
    const carrier =
      (t.answerSource === 'websocket' && rows.find((r) => r.callId === t.linkedCalls.sockets[0])) ||
      rows.find((r) => r.callId === t.callId);
    if (carrier) {
      const segments = phaseSegments(t, carrier.end);
      if (segments.length > 0) carrier.phases = segments;
    }
    rows.sort(byStart);
    groups.push(group(`turn-${t.index}`, t.index, `Turn ${t.index + 1}`, turnNote(t), t.userPrompt, rows));
  }
  const rest: TimelineCall[] = [];
  for (const id of conv.callIds) {
    if (claimed.has(id)) continue;
    const c = calls.get(id);
    if (c) rest.push(toRow(c, 0, null));
  }
  if (rest.length > 0) {
    rest.sort(byStart);
    const g = group(
      'unlinked',
      null,
      conv.turns.length > 0 ? 'Not linked to a turn' : 'Calls',
      null,
      null,
      rest,
    );
    // In time order with the turns, so calls before the first send come first.
    const at = groups.findIndex((x) => x.start > g.start);
    if (at < 0) groups.push(g);
    else groups.splice(at, 0, g);
  }
  let origin = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const g of groups) {
    origin = Math.min(origin, g.start);
    end = Math.max(end, g.end);
    count += g.calls.length;
    for (const c of g.calls) kinds.add(c.kind);
  }
  if (!Number.isFinite(origin)) origin = conv.startedAt;
  if (!Number.isFinite(end)) end = origin;
  const order = KIND_ORDER.filter((k) => kinds.has(k));
  return { origin, end, groups, callCount: count, kinds: order };
}

function group(
  key: string,
  turnIndex: number | null,
  title: string,
  note: string | null,
  prompt: string | null,
  rows: TimelineCall[],
): TimelineGroup {
  rows.forEach((r, i) => {
    r.n = i + 1;
  });
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let live = false;
  for (const r of rows) {
    start = Math.min(start, r.start);
    end = Math.max(end, r.end, r.phases?.at(-1)?.end ?? r.end);
    start = Math.min(start, r.phases?.[0]?.start ?? r.start);
    if (r.live) live = true;
  }
  return { key, turnIndex, title, note, prompt, start, end, live, calls: rows };
}

/** Legend order: the conversation's own calls first, then linked reports, then the app's chatter. */
export const KIND_ORDER: readonly Kind[] = [
  'conversation',
  'conversation_prepare',
  'sentinel',
  'websocket',
  'lat_r',
  'gen_title',
  'conversations_list',
  'conversation_get',
  'conversation_update',
  'prompt_library',
  'accounts_check',
  'auth_session',
  'ces',
  'statsig',
  'other',
];

/** Flattened for the virtual list: a header per group, then its calls. */
export type TimelineItem =
  | { type: 'group'; group: TimelineGroup }
  | { type: 'call'; call: TimelineCall; group: TimelineGroup };

export function flatten(model: TimelineModel, collapsed: ReadonlySet<string> = new Set()): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const g of model.groups) {
    items.push({ type: 'group', group: g });
    if (collapsed.has(g.key)) continue;
    for (const c of g.calls) items.push({ type: 'call', call: c, group: g });
  }
  return items;
}

/** Where a time falls on a [from, to] axis, in percent (clamped). */
export function xPercent(t: number, from: number, to: number): number {
  const span = to - from;
  if (span <= 0) return 0;
  return Math.min(100, Math.max(0, ((t - from) / span) * 100));
}

/** "Nice" tick step for an axis span: 1, 2 or 5 × 10^n ms, about `count` ticks. */
export function tickStep(spanMs: number, count = 6): number {
  if (spanMs <= 0) return 1;
  const raw = spanMs / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}
