import { describe, expect, it } from 'vitest';
import {
  dismissHealth,
  HEALTHY,
  noteDropped,
  noteWriteFailure,
  noteWriteSuccess,
  readHealth,
} from './health';

describe('store health', () => {
  it('counts failures from the first, recovers on the next success, and keeps drops until dismissed', () => {
    let h = noteWriteFailure(HEALTHY, 100, 'QuotaExceededError');
    h = noteWriteFailure(h, 200, 'QuotaExceededError: full');
    expect(h.failing).toEqual({ since: 100, count: 2, lastError: 'QuotaExceededError: full' });
    h = noteDropped(h, 250, 3);
    h = noteDropped(h, 260, 2);
    expect(h.dropped).toEqual({ since: 250, count: 5 });
    h = noteWriteSuccess(h, 300);
    expect(h).toEqual({ failing: null, dropped: { since: 250, count: 5 }, recoveredAt: 300 });
    expect(noteWriteSuccess(h, 400)).toBe(h);
    expect(dismissHealth(h)).toEqual(HEALTHY);
  });

  it('reads malformed stored values as healthy, field by field', () => {
    expect(readHealth(null)).toEqual(HEALTHY);
    expect(
      readHealth({ failing: { since: 'x' }, dropped: { since: 1, count: 2 }, recoveredAt: 'no' }),
    ).toEqual({
      failing: null,
      dropped: { since: 1, count: 2 },
      recoveredAt: null,
    });
  });
});
