/**
 * The extension's one message protocol: name → zod request schema → zod response schema, and a handler
 * map typed by both (`Handlers`). Receivers safeParse every request (messages cross trust boundaries) and
 * answer only their own names; senders check the reply. Port messages (capture acks, live broadcasts) are
 * part of it too, read with guards.
 */
import { z } from 'zod';
import { type CaptureEvent, captureEvent } from './capture/events';
import { MAX_IMPORT_CALLS } from './capture/limits';
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
  'capture/batch': z.object({
    batchId: z.string().max(128),
    events: z.array(z.string()).max(5000),
    /** Bundles the relay dropped (queue full, bundle too large) since its previous report. */
    dropped: z.number().int().nonnegative().max(1_000_000_000).optional(),
  }),
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
    calls: z.array(storedCall).max(MAX_IMPORT_CALLS),
    chunks: z.array(storedChunk).max(5_000_000),
  }),
  /** popup → background: number of calls recorded in a tab (the badge's number). */
  'tab/count': z.object({ tabId: z.number().int() }),
  /** options page → background: apply the retention settings now (the background also does it hourly). */
  'store/retention': z.object({}),
  /** UI → background: the user dismissed the store health banner (see src/store/health.ts). */
  'health/dismiss': z.object({}),
  /**
   * Insights page → background: compute and store the summaries of these calls (recorded or imported
   * before, or of an older ANALYSIS_VERSION): a call summary for each, a turn summary for each ended send.
   */
  'insights/summarize': z.object({ callIds: z.array(z.string()).max(10_000) }),
} as const;

/**
 * What each message's handler resolves to (the `value` of an ok Reply). Zod too, so the sender checks
 * the reply it gets instead of trusting a cast.
 */
export const responses = {
  'capture/batch': z.object({
    ok: z.literal(true),
    /** Events written (after the invalid ones were left out). */
    stored: z.number().int(),
    /** Events left out as invalid (not JSON, or not a capture event). */
    rejected: z.number().int(),
  }),
  'store/delete': z.object({ ok: z.literal(true) }),
  'store/clear': z.object({ ok: z.literal(true) }),
  /** `committed` is false while parts are only staged (added and skipped are then 0). */
  'store/import': z.object({ added: z.number().int(), skipped: z.number().int(), committed: z.boolean() }),
  'tab/count': z.object({ count: z.number().int() }),
  /** Calls deleted (with their chunks) and telemetry calls whose bodies were dropped. */
  'store/retention': z.object({ deleted: z.number().int(), stripped: z.number().int() }),
  'health/dismiss': z.object({ ok: z.literal(true) }),
  /** Turn summaries written. */
  'insights/summarize': z.object({ written: z.number().int() }),
} as const satisfies Record<keyof typeof requests, z.ZodType>;

/** Response type per message name. */
export type Responses = { [N in MessageName]: z.infer<(typeof responses)[N]> };

// The port side of the protocol: hand-written guards, so the relay can use them without bundling zod.
export {
  CAPTURE_PORT,
  type CaptureAck,
  captureBatchId,
  isCaptureAck,
  LIVE_PORT,
  VIEW_OPEN_KEY,
} from './capture/channel';

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

/** background → extension pages on LIVE_PORT, after each committed change (live views re-read what changed). */
export const storedBroadcast = z.object({
  event: z.literal('stored'),
  /**
   * The calls that changed; empty means "anything may have changed" (re-read everything): a delete, clear,
   * import or retention in the same 50 ms window empties it, so such a notice is never merged away.
   */
  callIds: z.array(z.string()),
  /** The tab whose calls changed; null for changes made from extension pages (delete, clear, import). */
  tabId: z.number().int().nullable(),
});
export type StoredBroadcast = z.infer<typeof storedBroadcast>;

/** The protocol's message names, e.g. `'store/delete'`. */
export type MessageName = keyof typeof requests;
/** The validated body of message `N` (what its handler receives). */
export type Request<N extends MessageName> = z.infer<(typeof requests)[N]>;

/** Who sent a message, as the receiver's runtime reports it (never taken from the message itself). */
export interface SenderInfo {
  /** The tab of a content-script sender; null for extension pages. */
  tabId: number | null;
  /** True when the sender is one of this extension's own pages (popup, full-tab view). */
  fromExtensionPage: boolean;
  /** The capture port's page-session binding (see BatchContext.binding in store/db.ts); one object per port. */
  binding?: { pageSessionId: string | null };
}

/**
 * One handler per message name, each typed by its own request and response: a missing handler, a handler
 * for an unknown name, or one that resolves to another message's response type does not compile.
 * A handler throws to refuse; the dispatcher turns the error into `{ ok: false, error }`.
 */
export type Handlers = {
  [N in MessageName]: (body: Request<N>, sender: SenderInfo) => Promise<Responses[N]>;
};

/** A typed sender: `send('tab/count', { tabId })` resolves to `{ count }`; rejects with the receiver's error. */
export type Send = <N extends MessageName>(name: N, body: Request<N>) => Promise<Responses[N]>;

/** Errors travel back as data, so the caller sees the receiver's reason instead of a closed port. */
export type Reply<N extends MessageName> = { ok: true; value: Responses[N] } | { ok: false; error: string };

// The same maps, typed so that indexing with a generic name `N` yields the schema of `N` (indexing the
// `as const` objects would yield the union of all schemas).
const requestSchemas: { [N in MessageName]: z.ZodType<Request<N>> } = requests;
const responseSchemas: { [N in MessageName]: z.ZodType<Responses[N]> } = responses;

const envelope = z.object({ name: z.string(), body: z.unknown() });

/** True when `name` is one of the protocol's message names (own keys only: not `toString` etc.). */
export function isMessageName(name: string): name is MessageName {
  return Object.hasOwn(requests, name);
}

/**
 * Validates the body of message `name`. Returns the parsed body, or an error naming the first invalid
 * field (`"store/delete: callIds expected array, …"`).
 */
export function parseBody<N extends MessageName>(
  name: N,
  raw: unknown,
): { ok: true; body: Request<N> } | { ok: false; error: string } {
  const body = requestSchemas[name].safeParse(raw);
  if (body.success) return { ok: true, body: body.data };
  const issue = body.error.issues[0];
  return { ok: false, error: `${name}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
}

/**
 * Runs the handler of message `name` on an unvalidated body: validates it, then calls the handler.
 * Never rejects: a validation error or a handler's thrown error comes back as `{ ok: false, error }`.
 */
export async function dispatch<N extends MessageName>(
  handlers: Handlers,
  name: N,
  raw: unknown,
  sender: SenderInfo,
): Promise<Reply<N>> {
  const parsed = parseBody(name, raw);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  try {
    return { ok: true, value: await handlers[name](parsed.body, sender) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Answers a raw runtime message (`{ name, body }`, untrusted): validates the envelope, the name and the
 * body, then runs the name's handler. Never rejects; every failure is a `{ ok: false, error }` reply.
 */
export function dispatchRaw(
  handlers: Handlers,
  raw: unknown,
  sender: SenderInfo,
): Promise<Reply<MessageName>> {
  const env = envelope.safeParse(raw);
  if (!env.success) return Promise.resolve({ ok: false, error: 'not a message' });
  const { name, body } = env.data;
  if (!isMessageName(name)) return Promise.resolve({ ok: false, error: `unknown message ${name}` });
  return dispatch(handlers, name, body, sender);
}

/**
 * Reads the reply a sender got for message `name` (from runtime.sendMessage: untrusted shape). A missing
 * reply or one of the wrong shape becomes `{ ok: false, error }` naming the message.
 */
export function parseReply<N extends MessageName>(name: N, raw: unknown): Reply<N> {
  if (raw === undefined) return { ok: false, error: `${name}: no answer` };
  const reply = replyShape.safeParse(raw);
  if (!reply.success) return { ok: false, error: `${name}: malformed answer` };
  if (!reply.data.ok) return { ok: false, error: reply.data.error };
  const value = responseSchemas[name].safeParse(reply.data.value);
  return value.success ? { ok: true, value: value.data } : { ok: false, error: `${name}: malformed answer` };
}

const replyShape = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
