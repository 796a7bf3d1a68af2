/**
 * What the Insights page reads when it opens: the call summaries (a few dozen bytes per call), the turn
 * summaries and the lat/r reports (request bodies of `lat_r` calls) — never chunks, never every call
 * record. Calls without a call summary (imported, or recorded before DB version 2) and ended sends without
 * a turn summary of the current ANALYSIS_VERSION are summarized first, through the background, in batches
 * with progress. The telemetry inspector reads the telemetry calls' bodies separately (`loadTelemetry`),
 * after the plots are drawn.
 */
import { parseLatR } from '../analysis/bodies';
import type { UiClient } from '../ui/client';
import { type InsightTurn, joinReported, type TimedLatR } from './aggregate';
import { ANALYSIS_VERSION, type CallSummary, summarizeCall, type TurnSummary } from './summary';
import { requestText, type TelemetryEvent, telemetryEvents, telemetrySource } from './telemetry';

/** Everything the Insights view aggregates (the filter applies on top). */
export interface InsightsData {
  turns: InsightTurn[];
  calls: CallSummary[];
}

/** Calls to summarize per message to the background. */
export const SUMMARIZE_BATCH = 200;

type Client = Pick<
  UiClient,
  'allCalls' | 'turnSummaries' | 'callSummaries' | 'callIds' | 'callsOfKinds' | 'summarizeTurns'
>;

/** Ended sends (per their call summaries) without a current-version turn summary. */
export function missingSummaries(calls: readonly CallSummary[], turns: readonly TurnSummary[]): string[] {
  const current = new Set<string>();
  for (const s of turns) if (s.version === ANALYSIS_VERSION) current.add(s.callId);
  return calls.filter((c) => c.send && !current.has(c.callId)).map((c) => c.callId);
}

async function read(client: Client): Promise<{ calls: CallSummary[]; turns: TurnSummary[] }> {
  const [calls, turns] = await Promise.all([
    client.callSummaries ? client.callSummaries() : client.allCalls().then((all) => all.map(summarizeCall)),
    client.turnSummaries?.() ?? [],
  ]);
  return { calls, turns };
}

/**
 * Loads the Insights data. `onProgress(done, total)` reports the summarizing of calls that had no summary
 * (not called when every call has one).
 */
export async function loadInsights(
  client: Client,
  onProgress?: (done: number, total: number) => void,
): Promise<InsightsData> {
  let { calls, turns } = await read(client);
  performance.mark('cfr:insights-summaries-read');
  const todo = new Set(missingSummaries(calls, turns));
  if (client.callIds && client.callSummaries) {
    const ids = await client.callIds();
    if (ids.length !== calls.length) {
      const have = new Set(calls.map((c) => c.callId));
      for (const id of ids) if (!have.has(id)) todo.add(id);
    }
  }
  if (todo.size > 0 && client.summarizeTurns) {
    const list = [...todo];
    onProgress?.(0, list.length);
    for (let i = 0; i < list.length; i += SUMMARIZE_BATCH) {
      await client.summarizeTurns(list.slice(i, i + SUMMARIZE_BATCH));
      onProgress?.(Math.min(list.length, i + SUMMARIZE_BATCH), list.length);
    }
    ({ calls, turns } = await read(client));
  }
  const latRCalls = client.callsOfKinds
    ? await client.callsOfKinds(['lat_r'])
    : (await client.allCalls()).filter((c) => c.kind === 'lat_r');
  performance.mark('cfr:insights-latr-read');
  const latRs: TimedLatR[] = [];
  for (const c of latRCalls) {
    const report = parseLatR(c);
    if (report) latRs.push({ startTime: c.startTime, report });
  }
  const current = turns.filter((s) => s.version === ANALYSIS_VERSION);
  return { turns: joinReported(current, latRs), calls };
}

/** Every telemetry event the recorded CES, Statsig and Datadog calls carried, oldest first. */
export async function loadTelemetry(client: Client): Promise<TelemetryEvent[]> {
  const calls = client.callsOfKinds
    ? await client.callsOfKinds(['ces', 'statsig', 'other'])
    : await client.allCalls();
  const events: TelemetryEvent[] = [];
  await Promise.all(
    calls
      .filter((c) => telemetrySource(c) !== null)
      .map(async (c) => {
        const text = c.requestBodyEncoding === 'text' ? c.requestBody : await requestText(c);
        events.push(...telemetryEvents(c, text));
      }),
  );
  return events.sort((a, b) => a.time - b.time);
}
