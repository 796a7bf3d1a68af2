/**
 * Assertions on what the extension stored, the same ones the Chromium capture spec makes: every step of a
 * flow matched to one stored call, with monotonic timings and consecutive chunks.
 */
import { expect } from '@playwright/test';
import type { Flow } from '../fake-chatgpt/flows';
import { type StoredWithChunks, until } from '../fixtures';

export function expectMonotonic(c: StoredWithChunks) {
  const marks = [c.startTime, c.headersTime, c.firstChunkTime, c.lastChunkTime, c.endTime].filter(
    (t): t is number => t !== undefined,
  );
  expect(marks.length, `${c.url} has timings`).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < marks.length; i++)
    expect(marks[i]!, `${c.url} timing ${i}`).toBeGreaterThanOrEqual(marks[i - 1]!);
  for (let i = 1; i < c.chunks.length; i++) {
    expect(c.chunks[i]!.time).toBeGreaterThanOrEqual(c.chunks[i - 1]!.time);
    expect(c.chunks[i]!.seq).toBe(c.chunks[i - 1]!.seq + 1);
  }
}

/** Polls storage until every step of the flow has a finished call (captures land after the relay's batching). */
export function storedFor(flow: Flow, stored: () => Promise<StoredWithChunks[]>) {
  return until(async () => {
    const calls = await stored();
    return calls.filter((c) => c.outcome).length >= flow.steps.length ? calls : null;
  }, `${flow.steps.length} finished calls`);
}

/** Each step's call, matched in order by method + URL. */
export function match(flow: Flow, calls: StoredWithChunks[]) {
  const left = [...calls].sort((a, b) => a.startTime - b.startTime);
  return flow.steps.map((s) => {
    const i = left.findIndex((c) => c.method === s.request.method && c.url === s.request.url);
    expect(i, `captured ${s.request.method} ${s.request.url}`).toBeGreaterThanOrEqual(0);
    return { step: s, call: left.splice(i, 1)[0]! };
  });
}
