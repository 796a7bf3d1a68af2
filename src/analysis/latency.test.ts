import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/fixtures';
import { THINKING_PACE, thinkingStream } from '../../test/flows';
import { decodeStream } from '../protocol';
import type { StoredCall } from '../store/schema';
import { testCall } from '../store/test-call';
import { compareLatency, latencyStats, percentile, turnLatency } from './latency';
import type { LatRReport } from './types';

const call = (over: Partial<StoredCall> = {}): StoredCall =>
  testCall({ startTime: 1000, headersTime: 1100, endTime: 1800, ...over });

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10], 95)).toBe(10);
    expect(percentile([0, 100], 95)).toBeCloseTo(95, 10);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('latencyStats', () => {
  it('computes a hand-checked case', () => {
    // Content events at 1300, 1400, 1400 (same chunk), 1700: gaps 100, 0, 300.
    const s = latencyStats(call(), [1300, 1400, 1400, 1700]);
    expect(s).toEqual({
      timeToHeadersMs: 100,
      ttftMs: 300,
      totalMs: 800,
      contentEvents: 4,
      generationMs: 400,
      eventsPerSecond: 7.5, // 3 updates after the first, over 0.4 s
      gapP50Ms: 100,
      gapP95Ms: 280, // sorted [0, 100, 300]: rank 1.9 → 100 + 0.9 × 200
      gapP99Ms: 296,
      maxStallMs: 300,
    });
  });

  it('is null where nothing can be measured yet (a live call with no text)', () => {
    const open = call();
    delete open.endTime;
    delete open.headersTime;
    expect(latencyStats(open, [])).toMatchObject({
      timeToHeadersMs: null,
      ttftMs: null,
      totalMs: null,
      contentEvents: 0,
      eventsPerSecond: null,
      gapP50Ms: null,
      maxStallMs: null,
    });
    expect(latencyStats(call(), [1500])).toMatchObject({
      ttftMs: 500,
      generationMs: 0,
      eventsPerSecond: null,
      gapP50Ms: null,
    });
  });
});

describe('compareLatency', () => {
  it('reports measured − reported per lat/r field', () => {
    const report: LatRReport = {
      serverRequestId: 'r',
      model: 'auto',
      countTokens: 5,
      preflightTimeMs: null,
      tsFirstTokenMs: 250,
      tsMedianTokenWithoutFirstMs: 90,
      tsMeanTokenWithoutFirstMs: null,
      tsP95TokenWithoutFirstMs: 300,
      tsP99TokenWithoutFirstMs: null,
      tsMaxTokenTimeMs: null,
      tsMinTokenTimeMs: null,
      tsTotalRequestMs: 850,
    };
    const cmp = compareLatency(latencyStats(call(), [1300, 1400, 1400, 1700]), report, true);
    expect(cmp.guess).toBe(true);
    expect(Object.fromEntries(cmp.rows.map((r) => [r.reportedField, r.difference]))).toEqual({
      ts_first_token_ms: 50,
      count_tokens: -1,
      ts_median_token_without_first_ms: 10,
      ts_p95_token_without_first_ms: -20,
      ts_p99_token_without_first_ms: null,
      ts_total_request_ms: -50,
    });
  });
});

/**
 * Phases on the real fixtures: each SSE event (block ending in a blank line) is one chunk, block i arriving
 * at 1000 + 100·i ms; the send started at 900. The expected values are read off the fixture by hand.
 */
describe('phases (docs/protocol.md §13)', () => {
  const blocks = (rel: string) =>
    readFixture(rel)
      .split(/(?<=\n\n)/)
      .map((data, i) => ({ time: 1000 + 100 * i, data }));
  const send = call({ startTime: 900, headersTime: 950, endTime: 2700 });

  it('07 reasoning with thoughts: waiting, reasoning (vs "Thought for 3s"), answer', () => {
    const decoded = decodeStream(blocks('real-2026/07-v1-2026-05-reasoning-thoughts-append-array.sse'), {
      outcome: 'complete',
    });
    const s = turnLatency(send, decoded);
    // Block 0 (the v1 declaration) at 1000: first byte. Block 5 (1500) appends the first thought; block 8
    // (1800) the second; block 10 (2000) the recap "Thought for 3s". Block 12 (2200) is the first answer
    // text, block 13 (2300) the last; block 15 (2500) is [DONE].
    expect(s.phases).toEqual({
      ttfbMs: 100,
      firstAnswerTextMs: 1300,
      reasoningAtMs: 600,
      reasoningMs: 500,
      reportedThoughtSeconds: 3,
      tools: [],
      answerMs: 300,
      endAtMs: 1600,
    });
    // The time to first answer text is the TTFT; reasoning is not answer text.
    expect(s.ttftMs).toBe(1300);
    expect(s.contentEvents).toBe(2);
    const cmp = compareLatency(s, null, false);
    expect(cmp).toEqual({
      guess: false,
      rows: [
        {
          metric: 'reasoning',
          reportedField: 'finished_duration_sec',
          measured: 500,
          reported: 3000,
          difference: -2500,
        },
      ],
    });
  });

  it('06 thinking preamble + web.run + Stop: a tool call without result, short reasoning, no answer', () => {
    const decoded = decodeStream(
      blocks('real-2026/06-v1-2026-02-thinking-preamble-commentary-then-stop.sse'),
      { aborted: true },
    );
    const s = turnLatency(send, decoded);
    // Preamble (commentary) blocks 3-5, web.run call at block 7 (1700), thoughts root at block 8, thought
    // text at blocks 9-10 (1900-2000), then Stop: the last event is block 10.
    expect(s.phases).toEqual({
      ttfbMs: 100,
      firstAnswerTextMs: null,
      reasoningAtMs: 1000,
      reasoningMs: 100,
      reportedThoughtSeconds: null,
      tools: [
        {
          tool: 'web.run',
          callId: '64788a45-d98f-4b7b-9796-daa61a05995b',
          resultId: null,
          startMs: 800,
          durationMs: null,
        },
      ],
      answerMs: null,
      endAtMs: 1100,
    });
    // The commentary preamble is not answer text.
    expect(s.ttftMs).toBeNull();
    expect(s.contentEvents).toBe(0);
    expect(compareLatency(s, null, false)?.rows).toEqual([
      {
        metric: 'reasoning',
        reportedField: 'finished_duration_sec',
        measured: 100,
        reported: null,
        difference: null,
      },
    ]);
  });

  it("older models (2023 legacy snapshots): today's figures unchanged, only waiting and answer", () => {
    const chunks = blocks('synthetic/a_2023-12_legacy_new-conversation.sse');
    const decoded = decodeStream(chunks, { outcome: 'complete' });
    const s = turnLatency(send, decoded);
    const { phases, ...figures } = s;
    const contentTimes = decoded.events.filter((e) => e.content).map((e) => e.time);
    expect(figures).toEqual(latencyStats(send, contentTimes));
    // Block 2 adds the empty assistant message, block 3 (1300) its first words; block 27 (3700) is [DONE].
    expect(phases).toEqual({
      ttfbMs: 100,
      firstAnswerTextMs: 400,
      reasoningAtMs: null,
      reasoningMs: null,
      reportedThoughtSeconds: null,
      tools: [],
      answerMs: 2400,
      endAtMs: 2800,
    });
    expect(s.ttftMs).toBe(400);
    expect(compareLatency(s, null, false)).toBeNull();
  });

  it('a thinking turn with a tool result, timed by its pace (test/flows.ts thinkingStream)', () => {
    // Headers at +60 ms, then each piece after its pause (THINKING_PACE).
    let t = 960;
    const chunks = thinkingStream().map((p) => {
      t += p.afterMs;
      return { time: t, data: p.data };
    });
    const s = turnLatency(send, decodeStream(chunks, { outcome: 'complete' }));
    const { waitMs, thinkMs, toolMs, thinkAfterMs, answerMs } = THINKING_PACE;
    // First byte after the wait; the first thought 50 ms later (root +20, thought +30); the web.run call
    // after the thinking (+20); the result after the tool's run; the second thought after thinkAfterMs;
    // the recap +20 (the end of reasoning); the answer root +30 and its first text +30; three more pieces
    // over answerMs; then message_stream_complete +10 and [DONE] at the same time.
    const firstByte = 60 + waitMs;
    const toolStart = firstByte + 20 + 30 + thinkMs + 20;
    const reasoningEnd = toolStart + toolMs + thinkAfterMs + 20;
    const firstText = reasoningEnd + 30 + 30;
    const step = Math.round(answerMs / 3);
    expect(s.phases).toEqual({
      ttfbMs: firstByte,
      firstAnswerTextMs: firstText,
      reasoningAtMs: firstByte + 50,
      reasoningMs: reasoningEnd - (firstByte + 50),
      reportedThoughtSeconds: 2,
      tools: [
        {
          tool: 'web.run',
          callId: 'c0000000-0000-4000-8000-000000000003',
          resultId: 'd0000000-0000-4000-8000-000000000004',
          startMs: toolStart,
          durationMs: toolMs,
        },
      ],
      answerMs: 3 * step + 10,
      endAtMs: firstText + 3 * step + 10,
    });
    expect(s.phases).toMatchObject({
      ttfbMs: 660,
      reasoningAtMs: 710,
      reasoningMs: 1740,
      firstAnswerTextMs: 2510,
    });
  });
});
