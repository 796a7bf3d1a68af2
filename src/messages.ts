/**
 * The extension's one message protocol: name → zod request schema → response type. Receivers safeParse
 * every request (messages cross trust boundaries) and answer only their own names.
 */
import { z } from 'zod';
import { captureEvent } from './capture/events';
import { storedCall, storedChunk } from './store/schema';

export const requests = {
  /** relay → background: a batch of capture events; answered once the batch is committed. */
  'capture/batch': z.object({ batchId: z.string().max(128), events: z.array(captureEvent).max(5000) }),
  /** UI → background: delete calls (and their chunks). */
  'store/delete': z.object({ callIds: z.array(z.string()).max(1_000_000) }),
  /** UI → background: delete everything. */
  'store/clear': z.object({}),
  /** UI → background: write an import (all or nothing; existing callIds are skipped, not duplicated). */
  'store/import': z.object({
    importId: z.string().min(1).max(128),
    calls: z.array(storedCall),
    chunks: z.array(storedChunk),
  }),
  /** popup → background: number of calls recorded in a tab (the badge's number). */
  'tab/count': z.object({ tabId: z.number().int() }),
} as const;

export interface Responses {
  'capture/batch': { ok: true; stored: number };
  'store/delete': { ok: true };
  'store/clear': { ok: true };
  'store/import': { added: number; skipped: number };
  'tab/count': { count: number };
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
