/**
 * Performance marks the benchmark reads (bench/ui.bench.ts): when the list first became usable, when the
 * timeline first rendered. performance.mark costs microseconds, so they stay in release builds too, where
 * they also show up in DevTools' Performance panel.
 */
export function mark(name: string): void {
  try {
    performance.mark(name);
  } catch {
    // Marks are best effort (a test DOM may lack them).
  }
}
