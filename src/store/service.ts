/**
 * The background's request handlers, free of browser APIs so they can be tested with fake-indexeddb.
 * The background worker is the single writer to the database; this is everything it writes.
 */
import { EventSanitizer, redactStoredCall, redactStoredChunk } from '../capture/sanitize';
import {
  dispatch,
  dispatchRaw,
  type Handlers,
  type MessageName,
  parseCaptureEvents,
  type Reply,
  type SenderInfo,
} from '../messages';
import { type CaptureDb, clearAll, countCallsInTab, deleteCalls, writeBatch } from './db';
import { dismissHealth, noteDropped, noteWriteFailure, noteWriteSuccess, type StoreHealth } from './health';
import { commitStaged, importCalls, openStagingDb, type StagingDb, stagePart } from './import';
import { applyRetention, NO_RETENTION, type RetentionPolicy } from './retention';
import { summarizeCalls } from './summaries';

export type { SenderInfo } from '../messages';

/** The background's message service: every answer is a `Reply`, never a rejection. */
export interface Service {
  /** Answers a raw runtime message `{ name, body }` (untrusted: the envelope and body are validated). */
  handle(raw: unknown, sender: SenderInfo): Promise<Reply<MessageName>>;
  /** Answers message `name` with a body still to validate (e.g. one that arrived on a port). */
  handleBody<N extends MessageName>(name: N, body: unknown, sender: SenderInfo): Promise<Reply<N>>;
}

export type OnStored = (tabId: number | null, callIds: string[]) => void;

export interface ServiceOptions {
  /** Where multi-part imports wait for their final part (default: the staging database, opened lazily). */
  staging?: () => Promise<StagingDb>;
  /** When this browser session started: tab ids are only unique within one (default: count all time). */
  sessionStart?: () => Promise<number>;
  /** The user's retention rules (default: none). */
  retention?: () => Promise<RetentionPolicy>;
  /**
   * Where the store's health is kept (default: nowhere). `update` applies a transition (src/store/health.ts)
   * to the stored value; the service reports failed and recovered writes and the relay's drops through it.
   */
  health?: { update(change: (h: StoreHealth) => StoreHealth): Promise<void> };
  /** The clock, epoch ms (tests set it). */
  now?: () => number;
}

/**
 * Builds the background's service from its handlers. `db` opens the capture database (called per
 * message; cache it). `onStored(tabId, callIds)` runs after each committed change: tabId null and no ids
 * for changes from extension pages (delete, clear, import), meaning "anything may have changed".
 */
export function createService(
  db: () => Promise<CaptureDb>,
  onStored?: OnStored,
  opts: ServiceOptions = {},
): Service {
  let stagingPromise: Promise<StagingDb> | null = null;
  const staging =
    opts.staging ??
    (() => {
      stagingPromise ??= openStagingDb().catch((err) => {
        stagingPromise = null;
        throw err;
      });
      return stagingPromise;
    });
  // Streams are redacted as they arrive, batch after batch: the sanitizer keeps each call's carry-over.
  const sanitizer = new EventSanitizer();
  const now = opts.now ?? Date.now;
  // Health is advisory: failing to record it must never fail the write it describes.
  const noteHealth = async (change: (h: StoreHealth) => StoreHealth) => {
    try {
      await opts.health?.update(change);
    } catch {}
  };
  const handlers: Handlers = {
    async 'capture/batch'(body, sender) {
      if (sender.tabId === null) throw new Error('capture/batch: only content scripts send captures');
      const parsed = parseCaptureEvents(body.events);
      const events = sanitizer.sanitize(parsed.events);
      const ctx = sender.binding ? { tabId: sender.tabId, binding: sender.binding } : { tabId: sender.tabId };
      let r: Awaited<ReturnType<typeof writeBatch>>;
      try {
        r = await writeBatch(await db(), events, ctx);
      } catch (err) {
        // The relay keeps the batch and re-sends it; the banner says writes fail until one succeeds.
        const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        await noteHealth((h) => noteWriteFailure(noteDropped(h, now(), body.dropped ?? 0), now(), message));
        throw err;
      }
      await noteHealth((h) => noteDropped(noteWriteSuccess(h, now()), now(), body.dropped ?? 0));
      // A turn ends when its send's end is committed: summarize it for Insights (derived data: a failure
      // here never fails the batch; Insights computes missing summaries when it opens). Other calls'
      // summaries were written with them, in the batch's own transaction.
      if (r.turnsEnded.length > 0) {
        try {
          await summarizeCalls(await db(), r.turnsEnded);
        } catch {}
      }
      onStored?.(sender.tabId, [...new Set(events.map((e) => e.callId))]);
      return { ok: true, stored: r.events, rejected: parsed.rejected + r.refused };
    },
    async 'store/delete'(body, sender) {
      requirePage(sender, 'store/delete');
      await deleteCalls(await db(), body.callIds);
      onStored?.(null, []);
      return { ok: true };
    },
    async 'store/clear'(_body, sender) {
      requirePage(sender, 'store/clear');
      await clearAll(await db());
      onStored?.(null, []);
      return { ok: true };
    },
    async 'store/import'(body, sender) {
      requirePage(sender, 'store/import');
      const { importId, part = 0, final = true } = body;
      // Defence in depth, as for captures: a file from elsewhere (a DevTools HAR) may hold secrets.
      const encodings = new Map(body.calls.map((c) => [c.callId, c.responseBodyEncoding]));
      const calls = body.calls.map(redactStoredCall);
      const chunks = body.chunks.map((ch) => redactStoredChunk(ch, encodings.get(ch.callId)));
      if (!final) {
        await stagePart(await staging(), importId, part, calls, chunks);
        return { added: 0, skipped: 0, committed: false };
      }
      const r =
        part === 0
          ? await importCalls(await db(), importId, calls, chunks)
          : await commitStaged(await db(), await staging(), importId, part, { calls, chunks });
      onStored?.(null, []);
      return { ...r, committed: true };
    },
    async 'store/retention'(_body, sender) {
      requirePage(sender, 'store/retention');
      const r = await applyRetention(await db(), (await opts.retention?.()) ?? NO_RETENTION, now());
      if (r.deleted.length || r.stripped.length) onStored?.(null, []);
      return { deleted: r.deleted.length, stripped: r.stripped.length };
    },
    async 'health/dismiss'(_body, sender) {
      requirePage(sender, 'health/dismiss');
      await noteHealth(dismissHealth);
      return { ok: true };
    },
    async 'insights/summarize'(body, sender) {
      requirePage(sender, 'insights/summarize');
      return { written: (await summarizeCalls(await db(), body.callIds)).length };
    },
    async 'tab/count'(body) {
      return { count: await countCallsInTab(await db(), body.tabId, (await opts.sessionStart?.()) ?? 0) };
    },
  };
  return {
    handle: (raw, sender) => dispatchRaw(handlers, raw, sender),
    handleBody: (name, body, sender) => dispatch(handlers, name, body, sender),
  };
}

function requirePage(sender: SenderInfo, name: MessageName) {
  if (!sender.fromExtensionPage) throw new Error(`${name}: only extension pages may change the store`);
}
