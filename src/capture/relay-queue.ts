/**
 * The relay's delivery queue: events stay queued until the background acknowledges that the batch holding
 * them is committed. One batch is in flight at a time; a failed send (worker asleep, killed mid-write,
 * restarting) is retried with backoff, and what arrived meanwhile joins the retry. Writes are idempotent on
 * the background side, so re-sending a batch that was in fact committed is harmless.
 */
export interface RelayQueueOptions {
  /** Delivers a batch; resolves when committed, rejects (or returns false) when it must be retried. */
  deliver: (batchId: string, events: unknown[]) => Promise<boolean>;
  /** How long events may wait to be batched with later ones. */
  flushDelayMs?: number;
  maxBatch?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export class RelayQueue {
  private queue: unknown[] = [];
  private inFlight = false;
  private timer: unknown = null;
  private retryMs: number;
  private batchNo = 0;
  private closed = false;
  private readonly o: Required<RelayQueueOptions>;

  constructor(options: RelayQueueOptions) {
    this.o = {
      flushDelayMs: 40,
      maxBatch: 500,
      retryMinMs: 100,
      retryMaxMs: 2000,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      ...options,
    };
    this.retryMs = this.o.retryMinMs;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Gives up for good (the extension context is gone): drops what is queued, accepts nothing more. */
  close() {
    this.closed = true;
    this.queue = [];
  }

  push(event: unknown) {
    if (this.closed) return;
    this.queue.push(event);
    this.schedule(this.queue.length >= this.o.maxBatch ? 0 : this.o.flushDelayMs);
  }

  private schedule(ms: number) {
    if (this.timer !== null || this.inFlight || this.closed) return;
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.slice(0, this.o.maxBatch);
    const batchId = `${Date.now().toString(36)}-${++this.batchNo}`;
    let ok = false;
    try {
      ok = await this.o.deliver(batchId, batch);
    } catch {
      ok = false;
    }
    this.inFlight = false;
    if (ok) {
      this.queue.splice(0, batch.length);
      this.retryMs = this.o.retryMinMs;
      // What arrived meanwhile waits for the batching delay too: under a burst of calls, sending the
      // moment the previous batch is acknowledged would mean one tiny transaction every few ms.
      if (this.queue.length) this.schedule(this.queue.length >= this.o.maxBatch ? 0 : this.o.flushDelayMs);
    } else {
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
      this.schedule(wait);
    }
  }
}
