/**
 * Protocol drift: the shapes observed over time, per kind. Observations come from call records (the
 * request body's top-level JSON fields) and from turn summaries (the stream's frame labels, its format
 * and the decoder's unknown-frame flags). Days are UTC (`utcDay`).
 */
import { type CallSummary, type TurnSummary, utcDay } from './summary';

/** What was observed: a request field, a stream frame type, a stream format, or a decoder flag. */
export type DriftSubject = 'request field' | 'frame' | 'format' | 'flag';

export interface DriftObservation {
  kind: string;
  subject: DriftSubject;
  name: string;
  day: string;
}

/** One shape's history. `new`: first seen after the kind was first seen; `vanished`: not seen since. */
export interface DriftRow {
  kind: string;
  subject: DriftSubject;
  name: string;
  firstDay: string;
  lastDay: string;
  days: number;
  appeared: boolean;
  vanished: boolean;
}

/** Observations of calls (request fields per kind) and turns (frames, format, flags under `conversation`). */
export function driftObservations(
  calls: readonly Pick<CallSummary, 'startTime' | 'kind' | 'fields'>[],
  turns: readonly TurnSummary[],
): DriftObservation[] {
  const out: DriftObservation[] = [];
  for (const c of calls) {
    const day = utcDay(c.startTime);
    for (const name of c.fields) out.push({ kind: c.kind, subject: 'request field', name, day });
  }
  for (const t of turns) {
    out.push({ kind: 'conversation', subject: 'format', name: t.format, day: t.day });
    for (const name of t.frameLabels) out.push({ kind: 'conversation', subject: 'frame', name, day: t.day });
    for (const name of t.unknownFrames) out.push({ kind: 'conversation', subject: 'flag', name, day: t.day });
  }
  return out;
}

/**
 * Each (kind, subject, name) with its first and last day seen and on how many days. `appeared` when its
 * first day is later than the first day anything of that kind and subject was seen; `vanished` when its
 * last day is earlier than the last such day. Sorted by kind, subject, first day, name.
 */
export function driftTable(obs: readonly DriftObservation[]): DriftRow[] {
  const rows = new Map<string, DriftRow & { seen: Set<string> }>();
  const span = new Map<string, { first: string; last: string }>();
  for (const o of obs) {
    const group = `${o.kind}\u0000${o.subject}`;
    const s = span.get(group);
    if (!s) span.set(group, { first: o.day, last: o.day });
    else {
      if (o.day < s.first) s.first = o.day;
      if (o.day > s.last) s.last = o.day;
    }
    const key = `${group}\u0000${o.name}`;
    const r = rows.get(key);
    if (!r) {
      rows.set(key, {
        kind: o.kind,
        subject: o.subject,
        name: o.name,
        firstDay: o.day,
        lastDay: o.day,
        days: 0,
        appeared: false,
        vanished: false,
        seen: new Set([o.day]),
      });
      continue;
    }
    r.seen.add(o.day);
    if (o.day < r.firstDay) r.firstDay = o.day;
    if (o.day > r.lastDay) r.lastDay = o.day;
  }
  const out: DriftRow[] = [];
  for (const { seen, ...r } of rows.values()) {
    const s = span.get(`${r.kind}\u0000${r.subject}`);
    out.push({
      ...r,
      days: seen.size,
      appeared: s !== undefined && r.firstDay > s.first,
      vanished: s !== undefined && r.lastDay < s.last,
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) =>
      cmp(a.kind, b.kind) || cmp(a.subject, b.subject) || cmp(a.firstDay, b.firstDay) || cmp(a.name, b.name),
  );
}
