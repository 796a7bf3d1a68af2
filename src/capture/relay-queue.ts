/**
 * The relay's delivery queue: the hook's bundles (JSON strings) stay queued until the background
 * acknowledges that the batch holding them is committed. One batch is in flight at a time; a failed send
 * (worker asleep, killed mid-write, restarting) is retried with backoff, and what arrived meanwhile joins
 * the retry. Writes are idempotent on the background side, so re-sending a committed batch is harmless.
 *
 * Bounds, so that one odd page can neither stall recording nor grow memory without limit: a batch carries
 * at most `maxBatchChars` (well under a runtime message's cap); a single bundle larger than
 * `maxItemChars` could never be delivered and is dropped at once; past `maxQueueChars` new bundles are
 * dropped. Every drop is counted (`dropped`).
 *
 * Batching waits for a pause: bundles are sent once none has arrived for `flushDelayMs`, or once the
 * oldest has waited `maxDelayMs`. While the page makes calls back to back (a bundle every ~10 ms), the
 * background's writes, which compete with the page for the same cores, then come at most once per
 * `maxDelayMs`, in one transaction, instead of one every few milliseconds. The bound is set by the relay
 * (`setMaxDelay`): `VIEW_OPEN_MAX_DELAY_MS` while an extension view is open, which keeps a live view within
 * its budget (a text update on screen within 250 ms of its chunk, while a reply streams tokens every few
 * ms), or while the page is hidden; otherwise nothing waits on the writes, and `NO_VIEW_MAX_DELAY_MS` lets
 * a burst of calls (a page load) finish before the background writes it.
 */
import { RELAY_MAX_BATCH_CHARS, RELAY_MAX_ITEM_CHARS, RELAY_MAX_QUEUE_CHARS } from './limits';

/**
 * The longest a bundle waits for a pause while an extension page that shows the store (popup, full tab,
 * options) is open, or while the recorded page is hidden, ms.
 */
export const VIEW_OPEN_MAX_DELAY_MS = 120;
/**
 * The longest a bundle waits for a pause while no view is open, ms. It is also how much of a page's recent
 * calls a crash of its renderer can take with it before they are sent (closing or leaving the page sends
 * everything at once: `flushNow`).
 */
export const NO_VIEW_MAX_DELAY_MS = 1000;

export interface RelayQueueOptions {
  /**
   * Delivers a batch; resolves true when committed, false (or rejects) when it must be retried, and
   * `'unsendable'` when the batch could not even be handed over (too large to post): it is then split,
   * and a single bundle that still cannot be sent is dropped and counted.
   */
  deliver: (batchId: string, bundles: string[]) => Promise<boolean | 'unsendable'>;
  /**
   * Sends a batch without waiting for its acknowledgement (the page is going away: `flushNow`). Default:
   * `deliver`, its result ignored.
   */
  deliverNow?: (batchId: string, bundles: string[]) => void;
  /** The pause (ms without a new bundle) after which queued bundles are sent. */
  flushDelayMs?: number;
  /** The longest a bundle waits for a pause before it is sent anyway, ms (time that passed, see `now`). */
  maxDelayMs?: number;
  maxBatch?: number;
  maxBatchChars?: number;
  maxItemChars?: number;
  maxQueueChars?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /**
   * A monotonic clock, ms (default `performance.now()`). The wait is measured on it, not as the sum of the
   * delays asked for: a hidden tab's or a busy page's timers fire late, and a bound counted in timer checks
   * would stretch with every late one.
   */
  now?: () => number;
}

export class RelayQueue {
  private queue: string[] = [];
  private queuedChars = 0;
  private inFlight = false;
  private timer: unknown = null;
  /** A bundle arrived after the pending timer was armed: the pause has not come yet. */
  private pushedSinceArmed = false;
  /** When the queued bundles began to wait for a pause (`now`), or null when none waits. */
  private waitingSince: number | null = null;
  private retryMs: number;
  private batchNo = 0;
  /** After an unsendable batch: how many bundles the next batch may hold at most (halved each time). */
  private splitTo = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Bundles in the batch being delivered (the first ones of `queue`). */
  private inFlightCount = 0;
  /** Bundles given up on (too large, or the queue was full). */
  dropped = 0;
  private readonly o: Required<RelayQueueOptions>;

  constructor(options: RelayQueueOptions) {
    this.o = {
      flushDelayMs: 40,
      maxDelayMs: VIEW_OPEN_MAX_DELAY_MS,
      maxBatch: 500,
      maxBatchChars: RELAY_MAX_BATCH_CHARS,
      maxItemChars: RELAY_MAX_ITEM_CHARS,
      maxQueueChars: RELAY_MAX_QUEUE_CHARS,
      retryMinMs: 100,
      retryMaxMs: 2000,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      now: () => performance.now(),
      deliverNow: (batchId, bundles) => void options.deliver(batchId, bundles).catch(() => {}),
      ...options,
    };
    this.retryMs = this.o.retryMinMs;
  }

  /**
   * Sets the longest a bundle waits for a pause, ms (an extension view opened or closed). A shorter bound
   * applies at the queue's next check (within `flushDelayMs`) to what is already waiting.
   */
  setMaxDelay(ms: number) {
    this.o.maxDelayMs = ms;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Gives up for good (the extension context is gone): drops what is queued, accepts nothing more. */
  close() {
    this.closed = true;
    this.queue = [];
    this.queuedChars = 0;
  }

  push(bundle: string) {
    if (this.closed) return;
    if (bundle.length > this.o.maxItemChars || this.queuedChars + bundle.length > this.o.maxQueueChars) {
      this.dropped++;
      return;
    }
    this.queue.push(bundle);
    this.queuedChars += bundle.length;
    this.pushedSinceArmed = true;
    this.schedule(this.full() ? 0 : this.o.flushDelayMs);
  }

  private full() {
    return this.queue.length >= this.o.maxBatch || this.queuedChars >= this.o.maxBatchChars;
  }

  private schedule(ms: number) {
    if (this.timer !== null || this.inFlight || this.closed) return;
    this.arm(ms);
  }

  private arm(ms: number) {
    this.pushedSinceArmed = false;
    this.waitingSince ??= this.o.now();
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      // Still busy (a bundle came in meanwhile) and not yet waited long enough: wait for the pause.
      const waited = this.o.now() - (this.waitingSince ?? 0);
      if (this.pushedSinceArmed && !this.full() && waited < this.o.maxDelayMs) {
        this.arm(Math.min(this.o.flushDelayMs, this.o.maxDelayMs - waited));
        return;
      }
      void this.flush();
    }, ms);
  }

  /**
   * The bundles from `at` on that make one batch: up to the batch's count (and `limit`) and size, at least
   * one.
   */
  private batchAt(at: number, limit = this.o.maxBatch): string[] {
    let chars = 0;
    let n = 0;
    while (at + n < this.queue.length && n < limit) {
      const len = this.queue[at + n]!.length;
      if (n > 0 && chars + len > this.o.maxBatchChars) break;
      chars += len;
      n++;
    }
    return this.queue.slice(at, at + n);
  }

  private newBatchId(): string {
    return `${Date.now().toString(36)}-${++this.batchNo}`;
  }

  /**
   * The page is going away: sends everything queued at once, in batches within `maxBatch` and
   * `maxBatchChars`, without waiting for a pause or for the batch in flight. Batches beyond the one in
   * flight go through `deliverNow` (no acknowledgement is awaited: a closing page would never get it);
   * they stay queued until a normal batch holding them is acknowledged, so if the page lives on (the
   * back/forward cache) they are sent again, which the background's idempotent writes absorb.
   */
  flushNow(): void {
    if (this.closed || this.queue.length === 0) return;
    if (!this.inFlight) void this.flush();
    for (let at = this.inFlightCount; at < this.queue.length; ) {
      const batch = this.batchAt(at);
      at += batch.length;
      try {
        this.o.deliverNow(this.newBatchId(), batch);
      } catch {}
    }
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    this.waitingSince = null;
    const batch = this.batchAt(0, Math.min(this.o.maxBatch, this.splitTo));
    this.inFlightCount = batch.length;
    const batchId = this.newBatchId();
    let ok: boolean | 'unsendable' = false;
    try {
      ok = await this.o.deliver(batchId, batch);
    } catch {
      ok = false;
    }
    this.inFlight = false;
    if (this.closed) return;
    if (ok === 'unsendable') {
      if (batch.length > 1) this.splitTo = Math.max(1, Math.floor(batch.length / 2));
      else {
        // One bundle that can never be posted would block everything behind it: give it up, counted.
        this.queue.splice(0, 1);
        this.queuedChars -= batch[0]!.length;
        this.dropped++;
        this.splitTo = Number.POSITIVE_INFINITY;
      }
      this.schedule(0);
      return;
    }
    if (ok) {
      if (batch.length < this.o.maxBatch) this.splitTo = Number.POSITIVE_INFINITY;
      this.queue.splice(0, batch.length);
      for (const b of batch) this.queuedChars -= b.length;
      this.retryMs = this.o.retryMinMs;
      // What arrived meanwhile waits for the batching delay too: under a burst of calls, sending the
      // moment the previous batch is acknowledged would mean one tiny transaction every few ms.
      if (this.queue.length) this.schedule(this.full() ? 0 : this.o.flushDelayMs);
    } else {
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
      this.schedule(wait);
    }
  }
}
