/**
 * A small windowing list: only the items in view (plus a few) are in the DOM, so a list of 1,000
 * conversations or a 500-turn timeline renders as fast as a short one. Keyboard: ↑/↓, PageUp/PageDown,
 * Home/End move focus between rows (scrolling a row into the DOM first when needed); Enter and Space act on
 * the focused row's button natively. The list is one Tab stop (a roving tabindex): only the row last
 * focused, or else the first one in view, is in the Tab order.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { layout, scrollToReveal, totalHeight, visibleRange } from './windowing';

export interface VirtualListProps {
  count: number;
  /** Height of item i in px (called for every item when `count` or `version` changes). */
  height: (i: number) => number;
  /** Stable key of item i (keeps focus on a row while the list around it changes). */
  itemKey: (i: number) => string;
  render: (i: number) => ComponentChildren;
  /** Whether item i takes keyboard focus (group headers may not). */
  focusable?: (i: number) => boolean;
  /** Changes whenever heights may have changed without `count` changing. */
  version?: unknown;
  label: string;
  class?: string;
  /** Reported after each render with the range in view (e.g. to load titles for visible rows). */
  onRange?: (start: number, end: number) => void;
  /** Before the element is measured (and in test DOMs without layout), assume this viewport. */
  assumedHeight?: number;
  /** Key of the item to scroll into view (once per change of the value). */
  reveal?: string | null;
  overscan?: number;
}

export function VirtualList(props: VirtualListProps) {
  const { count, height, itemKey, render, focusable = () => true, version, label } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(props.assumedHeight ?? 600);
  /** Focus to restore after the next render: the row may not exist in the DOM until then. */
  const focusNext = useRef<number | null>(null);

  const l = useMemo(() => {
    const hs = new Float64Array(count);
    for (let i = 0; i < count; i++) hs[i] = height(i);
    return layout(hs);
  }, [count, version]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      if (el.clientHeight > 0) setViewport(el.clientHeight);
    };
    measure();
    if (typeof ResizeObserver !== 'function') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const range = visibleRange(l, scrollTop, viewport, props.overscan ?? 6);

  useEffect(() => {
    props.onRange?.(range.start, range.end);
  });

  // Scroll a requested item into view.
  useEffect(() => {
    const key = props.reveal;
    const el = box.current;
    if (!key || !el) return;
    for (let i = 0; i < count; i++) {
      if (itemKey(i) !== key) continue;
      const top = scrollToReveal(l, i, el.scrollTop, viewport);
      if (top !== el.scrollTop) {
        el.scrollTop = top;
        setScrollTop(top);
      }
      return;
    }
  }, [props.reveal]);

  // Roving tabindex: one of the rows the arrow keys move between is in the Tab order (rows they skip, such
  // as group headers, keep their own Tab stops).
  const active = useRef(-1);
  const rove = useCallback(() => {
    const el = box.current;
    if (!el) return;
    const targets: [number, HTMLElement][] = [];
    for (const row of el.querySelectorAll<HTMLElement>('[data-vindex]')) {
      const i = Number(row.dataset.vindex);
      const t = focusable(i) ? focusTarget(row) : null;
      if (t) targets.push([i, t]);
    }
    const keep = targets.some(([i]) => i === active.current) ? active.current : targets[0]?.[0];
    for (const [i, t] of targets) t.tabIndex = i === keep ? 0 : -1;
  }, [focusable]);
  useLayoutEffect(rove);
  const onFocus = (e: JSX.TargetedFocusEvent<HTMLUListElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-vindex]');
    if (!row) return;
    active.current = Number(row.dataset.vindex);
    rove();
  };

  useLayoutEffect(() => {
    const i = focusNext.current;
    if (i === null) return;
    focusNext.current = null;
    const row = box.current?.querySelector<HTMLElement>(`[data-vindex="${i}"]`);
    focusTarget(row)?.focus();
  });

  const onScroll = useCallback((e: JSX.TargetedEvent<HTMLDivElement>) => {
    setScrollTop(e.currentTarget.scrollTop);
  }, []);

  const move = (from: number, step: number): number | null => {
    for (let i = from + step; i >= 0 && i < count; i += step) if (focusable(i)) return i;
    return null;
  };

  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLUListElement>) => {
    const el = box.current;
    if (!el) return;
    const current = (e.target as HTMLElement).closest<HTMLElement>('[data-vindex]');
    const at = current ? Number(current.dataset.vindex) : -1;
    const page = Math.max(1, Math.floor(viewport / 24));
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
        next = move(at, 1);
        break;
      case 'ArrowUp':
        next = at <= 0 ? null : move(at, -1);
        break;
      case 'PageDown':
        next = move(Math.min(count, at + page) - 1, 1) ?? move(count, -1);
        break;
      case 'PageUp':
        next = move(Math.max(-1, at - page) + 1, -1) ?? move(-1, 1);
        break;
      case 'Home':
        next = move(-1, 1);
        break;
      case 'End':
        next = move(count, -1);
        break;
      default:
        return;
    }
    if (next === null) return;
    e.preventDefault();
    const top = scrollToReveal(l, next, el.scrollTop, el.clientHeight || viewport);
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    }
    const row = el.querySelector<HTMLElement>(`[data-vindex="${next}"]`);
    if (row) focusTarget(row)?.focus();
    else focusNext.current = next;
  };

  const items: ComponentChildren[] = [];
  for (let i = range.start; i < range.end; i++) {
    const top = l.offsets[i] ?? 0;
    items.push(
      <li
        key={itemKey(i)}
        aria-setsize={count}
        aria-posinset={i + 1}
        data-vindex={i}
        class="vrow"
        style={{ top: `${top}px`, height: `${height(i)}px` }}
      >
        {render(i)}
      </li>,
    );
  }

  // The scroller holds a list as tall as all items; only the items in view are in it. Keys are handled
  // on the list, where they bubble up from the focused row.
  return (
    <div ref={box} class={`vlist ${props.class ?? ''}`} onScroll={onScroll}>
      <ul
        class="vlist-space"
        aria-label={label}
        onKeyDown={onKeyDown}
        onFocusCapture={onFocus}
        style={{ height: `${totalHeight(l)}px` }}
      >
        {items}
      </ul>
    </div>
  );
}

function focusTarget(row: HTMLElement | null | undefined): HTMLElement | null {
  if (!row) return null;
  return row.querySelector<HTMLElement>('button, a[href], [tabindex]') ?? null;
}
