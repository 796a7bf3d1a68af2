/**
 * The background's request handlers, free of browser APIs so they can be tested with fake-indexeddb.
 * The background worker is the single writer to the database; this is everything it writes.
 */
import { EventSanitizer, redactStoredCall, redactStoredChunk } from '../capture/sanitize';
import {
  type Envelope,
  type MessageName,
  parseCaptureEvents,
  parseRequest,
  type Reply,
  type Responses,
} from '../messages';
import { type CaptureDb, clearAll, countCallsInTab, deleteCalls, writeBatch } from './db';
import { commitStaged, importCalls, openStagingDb, type StagingDb, stagePart } from './import';

export interface SenderInfo {
  /** The tab of a content-script sender; null for extension pages. */
  tabId: number | null;
  /** True when the sender is one of this extension's own pages (popup, full-tab view). */
  fromExtensionPage: boolean;
  /** The capture port's page-session binding (see BatchContext.binding); one object per port. */
  binding?: { pageSessionId: string | null };
}

export interface Service {
  handle(raw: unknown, sender: SenderInfo): Promise<Reply<MessageName>>;
}

export type OnStored = (tabId: number | null, callIds: string[]) => void;

export interface ServiceOptions {
  /** Where multi-part imports wait for their final part (default: the staging database, opened lazily). */
  staging?: () => Promise<StagingDb>;
  /** When this browser session started: tab ids are only unique within one (default: count all time). */
  sessionStart?: () => Promise<number>;
}

export function createService(
  db: () => Promise<CaptureDb>,
  onStored?: OnStored,
  opts: ServiceOptions = {},
): Service {
  let stagingPromise: Promise<StagingDb> | null = null;
  const sanitizer = new EventSanitizer();
  const staging =
    opts.staging ??
    (() => {
      stagingPromise ??= openStagingDb().catch((err) => {
        stagingPromise = null;
        throw err;
      });
      return stagingPromise;
    });
  async function run(msg: Envelope, sender: SenderInfo): Promise<Responses[MessageName]> {
    switch (msg.name) {
      case 'capture/batch': {
        if (sender.tabId === null) throw new Error('capture/batch: only content scripts send captures');
        const parsed = parseCaptureEvents(msg.body.events);
        const events = sanitizer.sanitize(parsed.events);
        const ctx = sender.binding
          ? { tabId: sender.tabId, binding: sender.binding }
          : { tabId: sender.tabId };
        const r = await writeBatch(await db(), events, ctx);
        onStored?.(sender.tabId, [...new Set(events.map((e) => e.callId))]);
        return { ok: true, stored: r.events, rejected: parsed.rejected + r.refused };
      }
      case 'store/delete':
        requirePage(sender, msg.name);
        await deleteCalls(await db(), msg.body.callIds);
        onStored?.(null, []);
        return { ok: true };
      case 'store/clear':
        requirePage(sender, msg.name);
        await clearAll(await db());
        onStored?.(null, []);
        return { ok: true };
      case 'store/import': {
        requirePage(sender, msg.name);
        const { importId, part = 0, final = true } = msg.body;
        // Defence in depth, as for captures: a file from elsewhere (a DevTools HAR) may hold secrets.
        const encodings = new Map(msg.body.calls.map((c) => [c.callId, c.responseBodyEncoding]));
        const calls = msg.body.calls.map(redactStoredCall);
        const chunks = msg.body.chunks.map((ch) => redactStoredChunk(ch, encodings.get(ch.callId)));
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
      }
      case 'tab/count':
        return {
          count: await countCallsInTab(await db(), msg.body.tabId, (await opts.sessionStart?.()) ?? 0),
        };
    }
  }
  return {
    async handle(raw, sender) {
      const msg = parseRequest(raw);
      if ('error' in msg) return { ok: false, error: msg.error };
      try {
        return { ok: true, value: await run(msg, sender) };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

function requirePage(sender: SenderInfo, name: string) {
  if (!sender.fromExtensionPage) throw new Error(`${name}: only extension pages may change the store`);
}
