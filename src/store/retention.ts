/**
 * What the store holds and how long it keeps it: usage by kind and by conversation (the storage panel), and
 * the retention policy the background applies (keep N days, keep N MB, drop telemetry bodies after N days).
 * Sizes are UTF-16 code units of the stored strings (bodies, chunk data, headers, URLs): what IndexedDB
 * keeps, to within its own overhead; the browser's `navigator.storage.estimate()` gives the on-disk total.
 */

import { RollupDelta } from '../insights/rollup';
import type { Kind } from '../protocol/classify';
import { type CaptureDb, deleteSummaries } from './db';
import { flushRollups } from './rollups';
import type { StoredCall } from './schema';

const DAY_MS = 86_400_000;

/** The user's retention settings; `null` switches a rule off. */
export interface RetentionPolicy {
  /** Delete calls that started more than this many days ago. */
  keepDays: number | null;
  /** Keep at most this many megabytes (MiB, 2^20 units) of captures: the oldest calls go first. */
  keepMegabytes: number | null;
  /** Drop the bodies of telemetry calls (CES/Segment, Statsig) older than this many days; keep the calls. */
  telemetryBodyDays: number | null;
}

export const NO_RETENTION: RetentionPolicy = { keepDays: null, keepMegabytes: null, telemetryBodyDays: null };

/** Kinds whose bodies are telemetry the app sends about the session. */
export const TELEMETRY_KINDS: ReadonlySet<Kind> = new Set<Kind>(['ces', 'statsig']);

export interface UsageRow {
  calls: number;
  /** Stored size (see the module comment). */
  bytes: number;
}

export interface UsageReport {
  total: UsageRow;
  byKind: Partial<Record<Kind, UsageRow>>;
  /** Conversations by size, largest first (at most `topConversations`); `null` id: calls of no conversation. */
  byConversation: ({ conversationId: string | null } & UsageRow)[];
}

/** Stored size of a call record without its chunks. */
function recordBytes(c: StoredCall): number {
  let n = c.url.length + c.pageUrl.length + (c.requestBody?.length ?? 0);
  for (const [k, v] of c.requestHeaders) n += k.length + v.length;
  for (const [k, v] of c.responseHeaders ?? []) n += k.length + v.length;
  return n + 200; // ids, times and the rest of the record
}

/** Stored size per call: the record plus its chunks' data. One pass over each store, read-only. */
export async function callSizes(db: CaptureDb): Promise<{ calls: StoredCall[]; bytes: Map<string, number> }> {
  const tx = db.transaction(['calls', 'chunks'], 'readonly');
  const calls = await tx.objectStore('calls').getAll();
  const bytes = new Map<string, number>();
  for (const c of calls) bytes.set(c.callId, recordBytes(c));
  let cursor = await tx.objectStore('chunks').openCursor();
  while (cursor) {
    const ch = cursor.value;
    bytes.set(ch.callId, (bytes.get(ch.callId) ?? 0) + ch.data.length + 24);
    cursor = await cursor.continue();
  }
  await tx.done;
  return { calls, bytes };
}

/** Usage by kind and by conversation, for the storage panel. */
export async function storageUsage(db: CaptureDb, topConversations = 50): Promise<UsageReport> {
  const { calls, bytes } = await callSizes(db);
  const total: UsageRow = { calls: 0, bytes: 0 };
  const byKind: Partial<Record<Kind, UsageRow>> = {};
  const byConv = new Map<string | null, UsageRow>();
  for (const c of calls) {
    const b = bytes.get(c.callId) ?? 0;
    total.calls++;
    total.bytes += b;
    const k = byKind[c.kind] ?? { calls: 0, bytes: 0 };
    k.calls++;
    k.bytes += b;
    byKind[c.kind] = k;
    const row = byConv.get(c.conversationId) ?? { calls: 0, bytes: 0 };
    row.calls++;
    row.bytes += b;
    byConv.set(c.conversationId, row);
  }
  const byConversation = [...byConv]
    .map(([conversationId, row]) => ({ conversationId, ...row }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, topConversations);
  return { total, byKind, byConversation };
}

export interface RetentionResult {
  /** Calls deleted with their chunks (older than keepDays, or the oldest beyond keepMegabytes). */
  deleted: string[];
  /** Telemetry calls whose bodies were dropped. */
  stripped: string[];
}

/**
 * Which calls the policy removes or strips at time `now` (epoch ms). Pure: the caller writes the result.
 * Open calls (no end yet) are never touched: they may still be streaming.
 */
export function planRetention(
  calls: readonly StoredCall[],
  bytes: ReadonlyMap<string, number>,
  policy: RetentionPolicy,
  now: number,
): RetentionResult {
  const deleted = new Set<string>();
  const settled = calls.filter((c) => c.endTime !== undefined);
  if (policy.keepDays !== null) {
    const cutoff = now - policy.keepDays * DAY_MS;
    for (const c of settled) if (c.startTime < cutoff) deleted.add(c.callId);
  }
  if (policy.keepMegabytes !== null) {
    const budget = policy.keepMegabytes * 1024 * 1024;
    let used = 0;
    for (const c of calls) if (!deleted.has(c.callId)) used += bytes.get(c.callId) ?? 0;
    const oldestFirst = [...settled].sort((a, b) => a.startTime - b.startTime);
    for (const c of oldestFirst) {
      if (used <= budget) break;
      if (deleted.has(c.callId)) continue;
      deleted.add(c.callId);
      used -= bytes.get(c.callId) ?? 0;
    }
  }
  const stripped: string[] = [];
  if (policy.telemetryBodyDays !== null) {
    const cutoff = now - policy.telemetryBodyDays * DAY_MS;
    for (const c of settled) {
      if (deleted.has(c.callId) || !TELEMETRY_KINDS.has(c.kind) || c.bodiesDropped) continue;
      if (c.startTime < cutoff) stripped.push(c.callId);
    }
  }
  return { deleted: [...deleted], stripped };
}

/**
 * Applies the policy: deletes calls (with their chunks and turn summaries) and drops telemetry bodies, in one strict-durability
 * transaction. A stripped call keeps its method, URL, headers, status and times; its request body is
 * null, its chunks are gone and `bodiesDropped` says why.
 */
export async function applyRetention(
  db: CaptureDb,
  policy: RetentionPolicy,
  now: number,
): Promise<RetentionResult> {
  if (policy.keepDays === null && policy.keepMegabytes === null && policy.telemetryBodyDays === null) {
    return { deleted: [], stripped: [] };
  }
  const { calls, bytes } = await callSizes(db);
  const plan = planRetention(calls, bytes, policy, now);
  if (!plan.deleted.length && !plan.stripped.length) return plan;
  const byId = new Map(calls.map((c) => [c.callId, c]));
  const tx = db.transaction(
    ['calls', 'chunks', 'turnSummaries', 'callSummaries', 'dailyRollups'],
    'readwrite',
    {
      durability: 'strict',
    },
  );
  const delta = new RollupDelta();
  const work: Promise<unknown>[] = [];
  const chunkRange = (id: string) => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
  for (const id of plan.deleted) {
    work.push(
      tx.objectStore('calls').delete(id),
      tx.objectStore('chunks').delete(chunkRange(id)),
      deleteSummaries(tx, delta, id),
    );
  }
  for (const id of plan.stripped) {
    const c = byId.get(id);
    if (!c) continue;
    work.push(
      tx.objectStore('calls').put({ ...c, requestBody: null, bodiesDropped: 'retention' }),
      tx.objectStore('chunks').delete(chunkRange(id)),
    );
  }
  await Promise.all([Promise.all(work).then(() => flushRollups(tx, delta)), tx.done]);
  return plan;
}
