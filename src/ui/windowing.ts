/**
 * Windowing math for virtualized lists: which items to render for a scroll position. Items may differ in
 * height (a timeline's turn headers are taller than its rows), so positions come from prefix sums and a
 * binary search; everything here is pure and unit-tested.
 */

export interface Layout {
  /** offsets[i] = top of item i; offsets[count] = total height. */
  offsets: Float64Array;
  count: number;
}

export function layout(heights: ArrayLike<number>): Layout {
  const offsets = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + (heights[i] ?? 0);
  return { offsets, count: heights.length };
}

export function totalHeight(l: Layout): number {
  return l.offsets[l.count] ?? 0;
}

/** Index of the item that contains `y` (clamped to the list). */
export function indexAt(l: Layout, y: number): number {
  if (l.count === 0) return 0;
  let lo = 0;
  let hi = l.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((l.offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Range {
  /** First item to render (inclusive). */
  start: number;
  /** Last item to render (exclusive). */
  end: number;
}

/** Items visible in [scrollTop, scrollTop + viewport), widened by `overscan` items on each side. */
export function visibleRange(l: Layout, scrollTop: number, viewport: number, overscan = 4): Range {
  if (l.count === 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = indexAt(l, top);
  const last = indexAt(l, top + Math.max(0, viewport) - 0.5);
  return { start: Math.max(0, first - overscan), end: Math.min(l.count, last + 1 + overscan) };
}

/**
 * The scrollTop that brings item `i` fully into view with the least movement (or the current one if it
 * is already visible): used when keyboard focus moves to a row that is not rendered yet.
 */
export function scrollToReveal(l: Layout, i: number, scrollTop: number, viewport: number): number {
  const top = l.offsets[i] ?? 0;
  const bottom = l.offsets[i + 1] ?? top;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}
