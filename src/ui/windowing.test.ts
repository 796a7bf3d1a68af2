import { describe, expect, it } from 'vitest';
import { indexAt, layout, scrollToReveal, totalHeight, visibleRange } from './windowing';

describe('windowing', () => {
  const l = layout([30, 26, 26, 26, 30, 26]); // tops: 0 30 56 82 108 138, total 164

  it('sums heights', () => {
    expect(totalHeight(l)).toBe(164);
    expect([...l.offsets]).toEqual([0, 30, 56, 82, 108, 138, 164]);
  });

  it('finds the item at a position', () => {
    expect(indexAt(l, 0)).toBe(0);
    expect(indexAt(l, 29.9)).toBe(0);
    expect(indexAt(l, 30)).toBe(1);
    expect(indexAt(l, 137)).toBe(4);
    expect(indexAt(l, 10_000)).toBe(5);
    expect(indexAt(layout([]), 10)).toBe(0);
  });

  it('renders what is in view plus the overscan, within bounds', () => {
    expect(visibleRange(l, 0, 60, 0)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(l, 56, 52, 0)).toEqual({ start: 2, end: 4 });
    expect(visibleRange(l, 56, 52, 1)).toEqual({ start: 1, end: 5 });
    expect(visibleRange(l, 0, 10_000, 4)).toEqual({ start: 0, end: 6 });
    expect(visibleRange(layout([]), 0, 100)).toEqual({ start: 0, end: 0 });
  });

  it('keeps 1,000,000 rows cheap: a window, not the list', () => {
    const big = layout(new Float64Array(1_000_000).fill(24));
    const r = visibleRange(big, 24 * 500_000, 480, 5);
    expect(r).toEqual({ start: 499_995, end: 500_025 });
  });

  it('scrolls the least to reveal an item', () => {
    expect(scrollToReveal(l, 1, 0, 60)).toBe(0); // already visible
    expect(scrollToReveal(l, 5, 0, 60)).toBe(104); // bottom aligned
    expect(scrollToReveal(l, 0, 100, 60)).toBe(0); // top aligned
  });
});
