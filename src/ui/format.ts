/**
 * Pure formatting for the UI: durations, sizes, times, and the readable label of a call ("accounts/check",
 * "conversation (stream)") that the timeline numbers within each turn.
 */
import type { CallOutcome } from '../capture/events';
import type { Kind } from '../protocol/classify';
import { apiPath, isEventStream } from '../store/call-facts';
import type { StoredCall } from '../store/schema';

/** A duration: "850 ms", "1.24 s", "2m 05s", "1h 02m". Null → "—". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${sign}${a.toFixed(2)} ms`;
  if (a < 10) return `${sign}${a.toFixed(1)} ms`;
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(2)} s`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${sign}${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A signed difference: "+12 ms", "−3.1 ms", "±0 ms". */
export function formatDelta(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '±0 ms';
  return ms > 0 ? `+${formatMs(ms)}` : formatMs(ms);
}

/** An offset from the conversation's start: "+0 ms", "+1.24 s". */
export function formatOffset(ms: number): string {
  return `+${formatMs(Math.max(0, ms))}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time, "2023-12-15 14:33:20"; today's times drop the date. */
export function formatTime(epochMs: number, now: number = Date.now()): string {
  const d = new Date(epochMs);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const n = new Date(now);
  const sameDay =
    d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  if (sameDay) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Wall-clock time with milliseconds, for event lists. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Path (and query) of a URL, falling back to the URL itself. */
export function urlPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** How a call ended, in words. */
export const OUTCOME_LABEL: Record<CallOutcome, string> = {
  complete: 'complete',
  error: 'error',
  aborted: 'aborted',
  cancelled: 'cancelled by the page',
  interrupted: 'interrupted (page gone or recording paused)',
};

/** Short names for kinds, as a user of the ChatGPT app would call the endpoint. */
export const KIND_LABEL: Record<Kind, string> = {
  conversation: 'conversation',
  conversation_prepare: 'conversation/prepare',
  sentinel: 'sentinel',
  gen_title: 'gen_title',
  lat_r: 'lat/r',
  ces: 'ces',
  statsig: 'statsig',
  prompt_library: 'prompt_library',
  accounts_check: 'accounts/check',
  conversations_list: 'conversations',
  conversation_get: 'conversation/{id}',
  conversation_update: 'conversation update',
  auth_session: 'auth/session',
  websocket: 'websocket',
  other: 'other',
};

/**
 * A call's readable label: the kind's name, refined where one kind covers several endpoints
 * (sentinel/chat-requirements vs sentinel/ping, conversation/resume), and "(stream)" for
 * a response that was an event stream.
 */
export function callLabel(call: Pick<StoredCall, 'kind' | 'url' | 'responseHeaders' | 'transport'>): string {
  const path = apiPath(call.url);
  switch (call.kind) {
    case 'conversation': {
      const base = /\/resume$/.test(path) ? 'conversation/resume' : 'conversation';
      return isEventStream(call) ? `${base} (stream)` : base;
    }
    case 'sentinel':
      return path.replace(/^\//, '');
    case 'websocket':
      return call.transport === 'websocket' ? 'websocket (frames)' : path.replace(/^\//, '');
    case 'other': {
      const last = path.split('/').filter(Boolean).slice(-2).join('/');
      return last || urlHost(call.url) || 'other';
    }
    default:
      return KIND_LABEL[call.kind];
  }
}

/** "1 turn", "2 turns". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** JSON pretty-printed when it parses, else null. */
export function tryParseJson(text: string | null | undefined): { value: unknown } | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return { value: JSON.parse(t) as unknown };
  } catch {
    return null;
  }
}
