/**
 * Cooperative time slicing for long exports and imports. The popup is one thread: 100,000 calls
 * serialized in one go would freeze it for seconds. Work is done in slices that end after `budgetMs` of
 * work *or* `maxUnits` units of work, whichever comes first, and the loop then yields to the event loop
 * so input and painting can happen.
 *
 * The unit cap is what keeps a slice short even when the clock cannot be trusted (a throttled background
 * tab, a test with a frozen clock). A unit is about one record or one KiB of text to serialize, redact
 * or scrub; DEFAULT_MAX_UNITS is sized so a slice stays well under 50 ms on a slow laptop (see
 * slicer.test.ts for the throughput that was measured).
 */

export interface SliceOptions {
  /** Work time per slice before yielding. */
  budgetMs?: number;
  /** Work units per slice before yielding, whatever the clock says. */
  maxUnits?: number;
  now?: () => number;
  /** How to give the event loop a turn; default: scheduler.yield() where it exists, else a macrotask. */
  pause?: () => Promise<void>;
}

export const DEFAULT_BUDGET_MS = 8;
/**
 * Measured on this machine (slicer.test.ts notes): plain JSON/HAR writing runs at about 50 MB/s, i.e.
 * ~20 µs per unit; 512 units keep a slice near 10 ms, far below the 50 ms where a page feels stuck.
 */
export const DEFAULT_MAX_UNITS = 512;

/** Units for a piece of text: 1 per started KiB. */
export function textUnits(chars: number): number {
  return Math.ceil(chars / 1024);
}

interface SchedulerLike {
  yield?: () => Promise<void>;
}

export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: SchedulerLike }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  // A MessageChannel task is not clamped to 4 ms like nested setTimeout(0), and still lets input and
  // rendering run before the next slice.
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class Slicer {
  private readonly budgetMs: number;
  private readonly maxUnits: number;
  private readonly now: () => number;
  private readonly pauseFn: () => Promise<void>;
  private started: number;
  private units = 0;
  /** Units of work done in each finished slice (tests check that none is too large). */
  readonly slices: number[] = [];

  constructor(opts: SliceOptions = {}) {
    this.budgetMs = opts.budgetMs ?? DEFAULT_BUDGET_MS;
    this.maxUnits = opts.maxUnits ?? DEFAULT_MAX_UNITS;
    this.now = opts.now ?? (() => performance.now());
    this.pauseFn = opts.pause ?? yieldToEventLoop;
    this.started = this.now();
  }

  /** Records work done in the current slice. */
  spend(units: number): void {
    this.units += units;
  }

  /** The current slice is over: the caller should report progress and `pause()`. */
  due(): boolean {
    return this.units >= this.maxUnits || this.now() - this.started >= this.budgetMs;
  }

  /** Ends the slice and gives the event loop a turn. */
  async pause(): Promise<void> {
    this.slices.push(this.units);
    this.units = 0;
    await this.pauseFn();
    this.started = this.now();
  }

  /** Closes the last slice (for the statistics). */
  finish(): void {
    if (this.units > 0) this.slices.push(this.units);
    this.units = 0;
  }
}
