/**
 * The extension's one message protocol: name → zod request schema → response type. Receivers safeParse
 * every request (messages cross trust boundaries) and answer only their own names.
 */
import { z } from 'zod';
import { type CaptureEvent, captureEvent } from './capture/events';
import { storedCall, storedChunk } from './store/schema';

// Extension pages and the worker run under MV3's CSP, which forbids eval: tell zod not to probe for it
// (its JIT would try `new Function` and fail, logging a CSP violation each time).
z.config({ jitless: true });

export const requests = {
  /**
   * relay → background, on the CAPTURE_PORT: a batch of the page hook's bundles, each still the JSON
   * string (an array of capture events) the hook posted: the relay forwards without parsing, which keeps
   * work off the page's thread. Answered once the batch is committed.
   */
  'capture/batch': z.object({ batchId: z.string().max(128), events: z.array(z.string()).max(5000) }),
  /** UI → background: delete calls (and their chunks). */
  'store/delete': z.object({ callIds: z.array(z.string()).max(1_000_000) }),
  /** UI → background: delete everything. */
  'store/clear': z.object({}),
  /**
   * UI → background: write an import (all or nothing; existing callIds are skipped, not duplicated).
   * A large import comes in parts (a runtime message is capped at 64 MiB in Chrome): parts 0…n-1 are
   * staged, the part with `final: true` commits them all in one transaction. Without `part`/`final` the
   * message is a whole import on its own. See UiClient.importCaptures and src/store/import.ts.
   */
  'store/import': z.object({
    importId: z.string().min(1).max(128),
    /** 0-based part number; default 0. */
    part: z.number().int().min(0).max(100_000).optional(),
    /** This part completes the import; default true. */
    final: z.boolean().optional(),
    calls: z.array(storedCall).max(200_000),
    chunks: z.array(storedChunk).max(5_000_000),
  }),
  /** popup → background: number of calls recorded in a tab (the badge's number). */
  'tab/count': z.object({ tabId: z.number().int() }),
} as const;

export interface Responses {
  'capture/batch': { ok: true; stored: number; rejected: number };
  'store/delete': { ok: true };
  'store/clear': { ok: true };
  /** `committed` is false while parts are only staged (added and skipped are then 0). */
  'store/import': { added: number; skipped: number; committed: boolean };
  'tab/count': { count: number };
}

export { CAPTURE_PORT, type CaptureAck, LIVE_PORT } from './capture/channel';

/**
 * Parses and validates the bundles of a capture batch, event by event: what is valid is kept, what is
 * not is counted and left out, so one malformed event can never make the relay re-send a batch forever.
 */
export function parseCaptureEvents(raw: readonly string[]): { events: CaptureEvent[]; rejected: number } {
  const events: CaptureEvent[] = [];
  let rejected = 0;
  for (const s of raw) {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      rejected++;
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) {
      const e = captureEvent.safeParse(item);
      if (e.success) events.push(e.data);
      else rejected++;
    }
  }
  return { events, rejected };
}

/** background → extension pages, after each committed change (live views re-read what changed). */
export interface StoredBroadcast {
  event: 'stored';
  callIds: string[];
  tabId: number | null;
}

export type MessageName = keyof typeof requests;
export type Request<N extends MessageName> = z.infer<(typeof requests)[N]>;
export type Envelope = { [N in MessageName]: { name: N; body: Request<N> } }[MessageName];

export const envelope = z.object({ name: z.string(), body: z.unknown() });

/** Errors travel back as data, so the caller sees the receiver's reason instead of a closed port. */
export type Reply<N extends MessageName> = { ok: true; value: Responses[N] } | { ok: false; error: string };

export function parseRequest(raw: unknown): Envelope | { error: string } {
  const env = envelope.safeParse(raw);
  if (!env.success) return { error: 'not a message' };
  const schema = (requests as Record<string, z.ZodType>)[env.data.name];
  if (!schema) return { error: `unknown message ${env.data.name}` };
  const body = schema.safeParse(env.data.body);
  if (!body.success) {
    const issue = body.error.issues[0];
    return { error: `${env.data.name}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
  }
  return { name: env.data.name, body: body.data } as Envelope;
}
