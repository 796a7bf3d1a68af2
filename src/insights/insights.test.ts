import { describe, expect, it } from 'vitest';
import { makeCanaries, THINKING_ANSWER, thinkingFlow2026 } from '../../test/flows';
import { captureFlow } from '../analysis/test-captures';
import { testCall } from '../store/test-call';
import {
  callVolume,
  dailyPercentiles,
  distribution,
  distributionByModel,
  httpErrorsPerDay,
  type InsightTurn,
  joinReported,
  turnsCsv,
  turnsPerDay,
} from './aggregate';
import { driftObservations, driftTable } from './drift';
import { missingSummaries } from './load';
import { ANALYSIS_VERSION, summarizeCall, summarizeTurn, type TurnSummary, utcDay } from './summary';
import { requestText, telemetryEvents, telemetryTable } from './telemetry';

const T = (iso: string) => Date.parse(iso);

function turn(over: Partial<InsightTurn> = {}): InsightTurn {
  const startTime = over.startTime ?? T('2026-11-01T10:00:00Z');
  return {
    callId: 'c',
    version: ANALYSIS_VERSION,
    conversationId: 'conv',
    pageSessionId: 'p',
    startTime,
    day: utcDay(startTime),
    host: 'chatgpt.com',
    modelRequested: 'auto',
    modelResolved: 'gpt-5',
    httpStatus: 200,
    outcome: 'complete',
    terminator: '[DONE]',
    stopped: false,
    failed: false,
    moderationFlagged: false,
    moderationBlocked: false,
    ttfbMs: 100,
    thinkingMs: null,
    firstAnswerTextMs: 200,
    answerMs: 1000,
    answerChars: 50,
    answerCharsPerSec: 50,
    answerEventsPerSec: 10,
    totalMs: 1300,
    reportedThoughtSeconds: null,
    requestIds: [],
    format: 'v1',
    frameLabels: ['delta'],
    unknownFrames: [],
    imported: false,
    reportedFirstTokenMs: null,
    reportedTotalMs: null,
    ...over,
  };
}

describe('per-turn summaries', () => {
  it('a paced thinking turn: phase times, answer rate in chars/s, "Thought for 2 s", UTC day', () => {
    const t0 = T('2026-11-02T23:59:59Z');
    const cap = captureFlow(thinkingFlow2026(makeCanaries('t')), { prefix: 'th', startTime: t0 });
    const post = cap.calls.find((c) => c.kind === 'conversation' && c.method === 'POST');
    if (!post) throw new Error('no send');
    const s = summarizeTurn(post, cap.chunks.get(post.callId));
    // Same figures as the detail view's phases (analyze.test.ts): captureFlow's THINKING_PACE.
    expect(s).toMatchObject({
      version: ANALYSIS_VERSION,
      day: '2026-11-02',
      host: 'chatgpt.com',
      httpStatus: 200,
      ttfbMs: 660,
      thinkingMs: 1740,
      firstAnswerTextMs: 2510,
      reportedThoughtSeconds: 2,
      answerChars: THINKING_ANSWER.length,
      stopped: false,
      failed: false,
      imported: false,
    });
    expect(s.answerMs).toBeGreaterThan(0);
    expect(s.answerCharsPerSec).toBeCloseTo(THINKING_ANSWER.length / ((s.answerMs ?? 1) / 1000), 6);
    expect(s.frameLabels.length).toBeGreaterThan(0);
  });

  it('a 429 send is failed; an aborted one is stopped', () => {
    const failed = summarizeTurn(testCall({ callId: 'f', status: 429, endTime: 5, outcome: 'complete' }), []);
    expect(failed).toMatchObject({ failed: true, stopped: false, httpStatus: 429, ttfbMs: null });
    const stopped = summarizeTurn(testCall({ callId: 's', status: 200, endTime: 5, outcome: 'aborted' }), []);
    expect(stopped).toMatchObject({ failed: false, stopped: true });
  });

  it('missing: ended sends without a current-version summary (open calls and other kinds wait)', () => {
    const calls = [
      testCall({ callId: 'a', endTime: 2 }),
      testCall({ callId: 'b', endTime: 2 }),
      testCall({ callId: 'open' }),
      testCall({ callId: 'get', method: 'GET', endTime: 2 }),
      testCall({ callId: 'lat', kind: 'lat_r', endTime: 2 }),
    ];
    const old = { ...turn({ callId: 'b' }), version: ANALYSIS_VERSION - 1 } as TurnSummary;
    expect(missingSummaries(calls.map(summarizeCall), [turn({ callId: 'a' }), old])).toEqual(['b']);
  });
});

describe('latency aggregates', () => {
  it('percentiles interpolate between closest ranks (numpy default)', () => {
    const d = distribution([4, 1, 3, 2]);
    expect(d).toMatchObject({ n: 4, min: 1, p50: 2.5, max: 4 });
    expect(d.p95).toBeCloseTo(3.85, 10); // numpy.percentile([1,2,3,4], 95) = 3.85
    expect(distribution([])).toEqual({ n: 0, min: null, p50: null, p95: null, max: null });
  });

  it('daily p50/p95 per model, by UTC day (23:30 UTC and 00:30 UTC are two days)', () => {
    const turns = [
      turn({ startTime: T('2026-11-01T23:30:00Z'), ttfbMs: 100 }),
      turn({ startTime: T('2026-11-01T01:00:00Z'), ttfbMs: 300 }),
      turn({ startTime: T('2026-11-02T00:30:00Z'), ttfbMs: 50 }),
      turn({ startTime: T('2026-11-01T12:00:00Z'), ttfbMs: 1000, modelResolved: 'gpt-4o' }),
      turn({ startTime: T('2026-11-01T12:00:00Z'), ttfbMs: null }),
    ];
    expect(dailyPercentiles(turns, 'ttfbMs')).toEqual([
      { day: '2026-11-01', model: 'gpt-4o', n: 1, p50: 1000, p95: 1000 },
      { day: '2026-11-01', model: 'gpt-5', n: 2, p50: 200, p95: 290 },
      { day: '2026-11-02', model: 'gpt-5', n: 1, p50: 50, p95: 50 },
    ]);
    expect(distributionByModel(turns, 'ttfbMs').map((r) => [r.model, r.dist.n, r.dist.p50])).toEqual([
      ['gpt-4o', 1, 1000],
      ['gpt-5', 3, 100],
    ]);
  });

  it('reported figures: lat/r joined by request id, "thought for N s" in ms', () => {
    const [a, b] = joinReported(
      [turn({ callId: 'a', requestIds: ['r1'], reportedThoughtSeconds: 3 }), turn({ callId: 'b' })],
      [
        {
          startTime: 1,
          report: { serverRequestId: 'r1', tsFirstTokenMs: 420, tsTotalRequestMs: 900 } as never,
        },
      ],
    );
    expect(a).toMatchObject({ reportedFirstTokenMs: 420, reportedTotalMs: 900 });
    expect(b).toMatchObject({ reportedFirstTokenMs: null, reportedTotalMs: null });
    expect(dailyPercentiles(a ? [a] : [], 'reportedThoughtMs')[0]).toMatchObject({ p50: 3000 });
  });

  it('CSV: a header and one quoted-where-needed line per turn', () => {
    const csv = turnsCsv([turn({ callId: 'x,1', modelRequested: 'a"b' })]);
    const [head, line] = csv.split('\r\n');
    expect(head?.startsWith('callId,conversationId,startTime,day,host')).toBe(true);
    expect(line?.startsWith('"x,1",conv,')).toBe(true);
    expect(line).toContain('"a""b"');
  });
});

describe('volume and errors', () => {
  it('turns, stopped, failed, moderated per day', () => {
    expect(
      turnsPerDay([
        turn({ startTime: T('2026-11-01T01:00:00Z'), stopped: true }),
        turn({ startTime: T('2026-11-01T02:00:00Z'), failed: true, moderationFlagged: true }),
        turn({ startTime: T('2026-11-03T02:00:00Z') }),
      ]),
    ).toEqual([
      { day: '2026-11-01', turns: 2, stopped: 1, failed: 1, moderated: 1 },
      { day: '2026-11-03', turns: 1, stopped: 0, failed: 0, moderated: 0 },
    ]);
  });

  it('calls and bytes up/down per kind per day; 429/403/5xx per day', () => {
    const d1 = T('2026-11-01T08:00:00Z');
    const calls = [
      testCall({ callId: '1', startTime: d1, requestBody: 'abcd', bodyBytes: 100, status: 200 }),
      testCall({ callId: '2', startTime: d1 + 1, requestBody: 'xy', bodyBytes: 10, status: 429 }),
      testCall({
        callId: '3',
        kind: 'ces',
        startTime: d1 + 2,
        requestBody: btoa('12345'),
        requestBodyEncoding: 'base64',
        status: 503,
      }),
      testCall({ callId: '4', startTime: d1 + 86_400_000, status: 403 }),
    ];
    expect(callVolume(calls.map(summarizeCall))).toEqual([
      { day: '2026-11-01', kind: 'ces', calls: 1, bytesUp: 5, bytesDown: 0 },
      { day: '2026-11-01', kind: 'conversation', calls: 2, bytesUp: 6, bytesDown: 110 },
      { day: '2026-11-02', kind: 'conversation', calls: 1, bytesUp: 0, bytesDown: 0 },
    ]);
    expect(httpErrorsPerDay(calls.map(summarizeCall))).toEqual([
      { day: '2026-11-01', s429: 1, s403: 0, s5xx: 1 },
      { day: '2026-11-02', s429: 0, s403: 1, s5xx: 0 },
    ]);
  });
});

describe('telemetry inspector', () => {
  it('counts Segment batch events, Statsig rgstr events (gzip inflated) and Datadog lines', async () => {
    const d1 = T('2026-11-01T08:00:00Z');
    const seg = testCall({
      callId: 's',
      kind: 'ces',
      url: 'https://chatgpt.com/ces/v1/b',
      startTime: d1,
      requestBody: JSON.stringify({
        batch: [
          { type: 'track', event: 'Send Message' },
          { type: 'track', event: 'Send Message' },
          { type: 'page' },
        ],
      }),
    });
    const rgstr = JSON.stringify({ events: [{ eventName: 'statsig::gate_exposure' }] });
    const gz = new Uint8Array(
      await new Response(new Blob([rgstr]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer(),
    );
    const statsig = testCall({
      callId: 'g',
      kind: 'statsig',
      url: 'https://ab.chatgpt.com/v1/rgstr?gz=1',
      startTime: d1 + 1000,
      requestBody: btoa(String.fromCharCode(...gz)),
      requestBodyEncoding: 'base64',
    });
    const dd = testCall({
      callId: 'd',
      kind: 'ces',
      url: 'https://chatgpt.com/ces/v1/telemetry/intake',
      startTime: d1 + 2000,
      requestBody: '{"message":"fetch failed","status":"error"}\n{"message":"fetch failed"}\n',
    });
    const events = [
      ...telemetryEvents(seg, await requestText(seg)),
      ...telemetryEvents(statsig, await requestText(statsig)),
      ...telemetryEvents(dd, await requestText(dd)),
      ...telemetryEvents({ ...seg, startTime: d1 + 5000 }, seg.requestBody),
    ];
    const table = telemetryTable(events);
    expect(table.map((r) => [r.source, r.name, r.count])).toEqual([
      ['ces', 'Send Message', 4],
      ['datadog', 'fetch failed', 2],
      ['ces', 'page', 2],
      ['statsig', 'statsig::gate_exposure', 1],
    ]);
    const send = table[0];
    expect(send).toMatchObject({
      firstSeen: d1,
      lastSeen: d1 + 5000,
      bytes: 4 * JSON.stringify({ type: 'track', event: 'Send Message' }).length,
    });
    expect(send?.sample).toEqual({ type: 'track', event: 'Send Message' });
  });
});

describe('protocol drift', () => {
  it('first and last day of each request field and frame type; appeared and vanished', () => {
    const day = (d: string) => T(`${d}T12:00:00Z`);
    const calls = [
      testCall({ kind: 'lat_r', startTime: day('2026-10-01'), requestBody: '{"a":1,"old":2}' }),
      testCall({ kind: 'lat_r', startTime: day('2026-10-05'), requestBody: '{"a":1,"new":2}' }),
    ];
    const turns = [
      turn({ startTime: day('2026-10-02'), frameLabels: ['delta'] }),
      turn({
        startTime: day('2026-10-03'),
        frameLabels: ['delta', 'server_ste_metadata'],
        unknownFrames: ['x'],
      }),
    ];
    const rows = driftTable(driftObservations(calls.map(summarizeCall), turns));
    const get = (kind: string, name: string) => rows.find((r) => r.kind === kind && r.name === name);
    expect(get('lat_r', 'a')).toMatchObject({
      firstDay: '2026-10-01',
      lastDay: '2026-10-05',
      days: 2,
      appeared: false,
      vanished: false,
    });
    expect(get('lat_r', 'old')).toMatchObject({ firstDay: '2026-10-01', vanished: true, appeared: false });
    expect(get('lat_r', 'new')).toMatchObject({ firstDay: '2026-10-05', appeared: true, vanished: false });
    expect(get('conversation', 'server_ste_metadata')).toMatchObject({
      subject: 'frame',
      firstDay: '2026-10-03',
      appeared: true,
    });
    expect(get('conversation', 'x')).toMatchObject({ subject: 'flag', firstDay: '2026-10-03' });
  });
});
