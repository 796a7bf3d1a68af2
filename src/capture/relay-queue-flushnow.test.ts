/**
 * RelayQueue.flushNow (pagehide): everything queued leaves at once, in batches within `maxBatch` and
 * `maxBatchChars`, whether or not a batch is in flight (found in review).
 */
import { describe, expect, it } from 'vitest';
import { RelayQueue } from './relay-queue';

function manualTimers() {
  const timers: { fn: () => void; ms: number }[] = [];
  return { setTimer: (fn: () => void, ms: number) => timers.push({ fn, ms }), timers };
}

describe('RelayQueue.flushNow ', () => {
  it('behind a batch in flight, keeps every batch within maxBatchChars', () => {
    const clock = manualTimers();
    const sent: string[][] = [];
    const q = new RelayQueue({
      setTimer: clock.setTimer,
      maxBatchChars: 10,
      deliver: (_id, events) => {
        sent.push([...events]);
        return new Promise<boolean>(() => {});
      },
    });
    q.push('aaaa');
    clock.timers.shift()!.fn(); // ['aaaa'] in flight
    for (const b of ['bbbbbbbb', 'cccccccc', 'dddddddd']) q.push(b);
    q.flushNow();
    for (const batch of sent) {
      if (batch.length > 1) expect(batch.join('').length).toBeLessThanOrEqual(10);
    }
  });

  it('sends everything queued at once, in batches, whether or not a batch is in flight', () => {
    for (const inFlight of [false, true]) {
      const clock = manualTimers();
      const sent: string[][] = [];
      const q = new RelayQueue({
        setTimer: clock.setTimer,
        maxBatch: 2,
        deliver: (_id, events) => {
          sent.push([...events]);
          return new Promise<boolean>(() => {});
        },
      });
      if (inFlight) {
        q.push('a0');
        clock.timers.shift()!.fn();
      }
      // A backlog (e.g. built up while the worker restarted).
      for (let i = 1; i <= 5; i++) q.push(`a${i}`);
      q.flushNow();
      const all = new Set(sent.flat());
      for (let i = 1; i <= 5; i++)
        expect(all.has(`a${i}`), `inFlight=${inFlight}: a${i} sent on pagehide`).toBe(true);
    }
  });
});
