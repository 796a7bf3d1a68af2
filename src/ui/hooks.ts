/**
 * Rendering cadence and the conversation list's data hook (one conversation's is in conversation-view.tsx,
 * loaded with that view). Stored changes can arrive every 50 ms while a reply streams; each is read at
 * once, but the models are re-derived and re-rendered at most once per animation frame.
 */
import { useEffect, useReducer, useRef } from 'preact/hooks';
import type { UiClient } from './client';
import { ConversationIndex, type ListState } from './list-model';

/**
 * Runs `cb` on the next animation frame, or after `fallbackMs` if no frame comes first (a tab in the
 * background gets no frames; a live view there should still be current when the user returns).
 */
export function frame(cb: () => void, fallbackMs = 100): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cb();
  };
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, fallbackMs);
  return () => {
    done = true;
    if (raf !== null) cancelAnimationFrame(raf);
    clearTimeout(timer);
  };
}

/** Coalesces requests into one run per frame, at least `minGapMs()` after the previous run. */
export class FrameThrottle {
  private pending: (() => void) | null = null;
  private last = 0;

  constructor(
    private readonly run: () => void,
    private readonly minGapMs: () => number = () => 0,
  ) {}

  request() {
    if (this.pending) return;
    const wait = Math.max(0, this.last + this.minGapMs() - performance.now());
    let cancelFrame: (() => void) | null = null;
    const timer = setTimeout(() => {
      cancelFrame = frame(() => {
        this.pending = null;
        this.last = performance.now();
        this.run();
      });
    }, wait);
    this.pending = () => {
      clearTimeout(timer);
      cancelFrame?.();
    };
  }

  cancel() {
    this.pending?.();
    this.pending = null;
  }
}

/**
 * The conversation list, live. While it is not `visible` (a conversation is open over it) changes are still
 * read, but the summaries — a pass over every loaded call — and the older pages wait until the list is
 * shown again, so a large store does not slow the conversation view down.
 */
export function useConversationList(
  client: UiClient,
  visible = true,
): { state: ListState; index: ConversationIndex } {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  const ref = useRef<{ index: ConversationIndex; render: FrameThrottle; flush: FrameThrottle } | null>(null);
  if (!ref.current) {
    const render = new FrameThrottle(() => rerender(undefined));
    let shown = false;
    const index = new ConversationIndex(client, () => {
      // The first data renders at once (the popup is waiting for it); later changes once per frame.
      if (shown) render.request();
      else {
        shown = true;
        rerender(undefined);
      }
    });
    // Start reading now rather than in an effect (effects run after the first paint).
    index.setVisible(visible);
    void index.start();
    // Re-summarizing 100,000 calls takes a while: then summarize at most every few of its own durations.
    const flush = new FrameThrottle(
      () => {
        if (!index.flush()) return;
        render.cancel();
        rerender(undefined);
      },
      () => Math.min(1000, index.lastSummarizeMs * 3),
    );
    ref.current = { index, render, flush };
  }
  const { index, render, flush } = ref.current;
  useEffect(() => {
    let alive = true;
    const off = client.subscribe((change) => {
      void index.apply(change).then(() => {
        if (alive && visibleRef.current) flush.request();
      });
    });
    return () => {
      alive = false;
      off();
      render.cancel();
      flush.cancel();
    };
  }, [client, index, render, flush]);
  useEffect(() => {
    index.setVisible(visible);
    if (visible) flush.request();
  }, [visible, index, flush]);
  return { state: index.state(), index };
}
