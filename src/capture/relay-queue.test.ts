import { describe, expect, it } from 'vitest';
import { NO_VIEW_MAX_DELAY_MS, RelayQueue, VIEW_OPEN_MAX_DELAY_MS } from './relay-queue';

/** A manual clock: timers run only when the test says so. */
/** Timers run by hand, on a virtual clock that moves on by each timer's delay (plus `late`) as it fires. */
function manualTimers() {
  const timers: { fn: () => void; ms: number }[] = [];
  const clock = {
    t: 0,
    /** How late each timer fires, ms (a hidden tab's or a busy page's timers). */
    late: 0,
    setTimer: (fn: () => void, ms: number) => timers.push({ fn, ms }),
    now: () => clock.t,
    /** Fires the next timer; returns the time that passed. */
    async fire() {
      const next = timers.shift()!;
      clock.t += next.ms + clock.late;
      next.fn();
      await new Promise((r) => setTimeout(r, 0));
      return next.ms + clock.late;
    },
    async runAll() {
      while (timers.length) await clock.fire();
    },
    timers,
  };
  return clock;
}

/** A queue that waits for a 40 ms pause, `maxDelayMs` at most, on manual timers; batches it delivers. */
function pacedQueue(maxDelayMs: number) {
  const clock = manualTimers();
  const delivered: string[][] = [];
  const q = new RelayQueue({
    setTimer: clock.setTimer,
    now: clock.now,
    flushDelayMs: 40,
    maxDelayMs,
    deliver: async (_id, events) => {
      delivered.push([...events]);
      return true;
    },
  });
  return { clock, delivered, q };
}

describe('RelayQueue', () => {
  it('keeps events until a batch is acknowledged, retrying with backoff, losing nothing', async () => {
    const clock = manualTimers();
    const delivered: string[][] = [];
    let failures = 2;
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      deliver: async (_id, events) => {
        if (failures-- > 0) throw new Error('worker asleep');
        delivered.push([...events]);
        return true;
      },
    });
    for (let i = 0; i < 5; i++) q.push(String(i));
    await clock.runAll();
    expect(delivered.flat()).toEqual(['0', '1', '2', '3', '4']);
    expect(q.pending).toBe(0);
  });

  it('backs off exponentially up to the cap', async () => {
    const clock = manualTimers();
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      deliver: async () => false,
      retryMinMs: 100,
      retryMaxMs: 400,
    });
    q.push('x');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = clock.timers.shift()!;
      waits.push(t.ms);
      t.fn();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(waits).toEqual([40, 100, 200, 400, 400]);
    expect(q.pending).toBe(1);
  });

  it('sends at most maxBatch events per batch, in order', async () => {
    const clock = manualTimers();
    const sizes: number[] = [];
    const seen: string[] = [];
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      maxBatch: 3,
      deliver: async (_id, e) => {
        sizes.push(e.length);
        seen.push(...e);
        return true;
      },
    });
    for (let i = 0; i < 7; i++) q.push(String(i));
    await clock.runAll();
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });
});

describe('RelayQueue.close', () => {
  it('stops retrying and accepts nothing once closed', async () => {
    const clock = manualTimers();
    let calls = 0;
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      deliver: async () => {
        calls++;
        q.close();
        throw new Error('Extension context invalidated');
      },
    });
    q.push('1');
    await clock.runAll();
    q.push('2');
    await clock.runAll();
    expect(calls).toBe(1);
    expect(q.pending).toBe(0);
  });
});

describe('RelayQueue bounds', () => {
  it('cuts batches by size, drops a bundle that could never be delivered, and stops growing when full', async () => {
    const clock = manualTimers();
    const batches: string[][] = [];
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      maxBatchChars: 10,
      maxItemChars: 20,
      maxQueueChars: 30,
      deliver: async (_id, b) => {
        batches.push([...b]);
        return true;
      },
    });
    q.push('aaaa');
    q.push('bbbb');
    q.push('cccc');
    q.push('x'.repeat(21)); // larger than any message may be
    q.push('d'.repeat(19)); // past the queue's 30 chars with the 12 already queued
    expect(q.dropped).toBe(2);
    await clock.runAll();
    expect(batches).toEqual([['aaaa', 'bbbb'], ['cccc']]);
    q.push('eeeeeeeeeeeeeeee');
    await clock.runAll();
    expect(batches.at(-1)).toEqual(['eeeeeeeeeeeeeeee']);
  });

  it('splits a batch too large to post, and drops (and counts) only a single bundle that never fits (found in review)', async () => {
    const clock = manualTimers();
    const delivered: string[] = [];
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      deliver: async (_id, bundles) => {
        if (bundles.some((b) => b === 'huge') || bundles.length > 2) return 'unsendable';
        delivered.push(...bundles);
        return true;
      },
    });
    for (const b of ['a', 'b', 'c', 'huge', 'd', 'e']) q.push(b);
    await clock.runAll();
    expect(delivered).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.dropped).toBe(1);
    expect(q.pending).toBe(0);
  });

  it('setMaxDelay: a longer bound lets a burst run on; a shorter one sends what waits at the next check', async () => {
    const { clock, delivered, q } = pacedQueue(NO_VIEW_MAX_DELAY_MS);
    const fire = clock.fire;
    // No view open: a bundle in every 40 ms window, 400 ms long, and nothing is sent yet (the old fixed
    // bound, VIEW_OPEN_MAX_DELAY_MS, would have sent after 120 ms).
    q.push('a');
    let waited = 0;
    for (let i = 0; i < 10; i++) {
      q.push(`b${i}`);
      waited += await fire();
      expect(delivered).toEqual([]);
    }
    expect(waited).toBe(400);
    // A view opens: what has waited past the shorter bound goes at the next check, though the burst goes on.
    q.setMaxDelay(VIEW_OPEN_MAX_DELAY_MS);
    q.push('c');
    expect(await fire()).toBe(40);
    expect(delivered).toEqual([['a', ...Array.from({ length: 10 }, (_, i) => `b${i}`), 'c']]);
    // With the view open, a burst is sent at most VIEW_OPEN_MAX_DELAY_MS after its first bundle.
    q.push('d');
    waited = 0;
    for (let i = 0; i < 2; i++) {
      q.push(`e${i}`);
      waited += await fire();
    }
    expect(delivered).toHaveLength(1);
    q.push('f');
    waited += await fire();
    expect(waited).toBe(VIEW_OPEN_MAX_DELAY_MS);
    expect(delivered[1]).toEqual(['d', 'e0', 'e1', 'f']);
  });

  it('the bound is time that passed: timers that fire late (a hidden tab, a busy page) do not stretch it', async () => {
    const { clock, delivered, q } = pacedQueue(NO_VIEW_MAX_DELAY_MS);
    // Each check fires 960 ms late (a background tab's timers run about once a second).
    clock.late = 960;
    q.push('a');
    q.push('b');
    expect(await clock.fire()).toBe(1000);
    // Bundles kept coming, but 1 s has passed: sent at this first check, not after 25 of them.
    expect(delivered).toEqual([['a', 'b']]);
  });

  it('waits for a pause in the bundles, but never longer than maxDelayMs', async () => {
    const { clock, delivered, q } = pacedQueue(200);
    const fire = clock.fire;
    // A bundle arrives within each 40 ms window: nothing is sent until 200 ms have been waited.
    q.push('a');
    for (let i = 0; i < 4; i++) {
      q.push(`b${i}`);
      await fire();
      expect(delivered).toEqual([]);
    }
    q.push('c');
    await fire();
    expect(delivered).toEqual([['a', 'b0', 'b1', 'b2', 'b3', 'c']]);
    // A lone bundle goes after one quiet window.
    q.push('d');
    expect(clock.timers.map((t) => t.ms)).toEqual([40]);
    await fire();
    expect(delivered[1]).toEqual(['d']);
  });

  it('on flushNow sends what waits behind the batch in flight at once, and still keeps it until acknowledged', async () => {
    const clock = manualTimers();
    const sent: string[][] = [];
    const acks: ((ok: boolean) => void)[] = [];
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      now: clock.now,
      deliver: (_id, events) => {
        sent.push([...events]);
        return new Promise<boolean>((r) => acks.push(r));
      },
    });
    q.push('a');
    clock.timers.shift()!.fn();
    q.push('b');
    q.push('c');
    q.flushNow();
    expect(sent).toEqual([['a'], ['b', 'c']]);
    expect(q.pending).toBe(3);
    acks[0]!(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(q.pending).toBe(2);
  });
});
