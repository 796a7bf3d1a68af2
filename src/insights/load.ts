/**
 * What the Insights page reads when it opens: every call record (no chunks) and every turn summary; sends
 * without a summary of the current ANALYSIS_VERSION (recorded before Insights existed, imported, or
 * summarized by an older version) are summarized first, through the background, in batches with progress.
 */
import { parseLatR } from '../analysis/bodies';
import type { StoredCall } from '../store/schema';
import { summarizable } from '../store/summaries';
import type { UiClient } from '../ui/client';
import { type InsightTurn, joinReported, type TimedLatR } from './aggregate';
import { ANALYSIS_VERSION, type TurnSummary } from './summary';
import { requestText, type TelemetryEvent, telemetryEvents, telemetrySource } from './telemetry';

/** Everything the Insights view aggregates (the filter applies on top). */
export interface InsightsData {
  turns: InsightTurn[];
  calls: StoredCall[];
  telemetry: TelemetryEvent[];
}

/** Sends to summarize per message to the background. */
export const SUMMARIZE_BATCH = 200;

/** The ended sends among `calls` without a current-version summary in `summaries`. */
export function missingSummaries(calls: readonly StoredCall[], summaries: readonly TurnSummary[]): string[] {
  const current = new Set<string>();
  for (const s of summaries) if (s.version === ANALYSIS_VERSION) current.add(s.callId);
  return calls.filter((c) => summarizable(c) && !current.has(c.callId)).map((c) => c.callId);
}

/**
 * Loads the Insights data. `onProgress(done, total)` reports the summarizing of sends that had none (not
 * called when every send has one).
 */
export async function loadInsights(
  client: Pick<UiClient, 'allCalls' | 'turnSummaries' | 'summarizeTurns'>,
  onProgress?: (done: number, total: number) => void,
): Promise<InsightsData> {
  const [calls, first] = await Promise.all([client.allCalls(), client.turnSummaries?.() ?? []]);
  let summaries = first;
  const missing = missingSummaries(calls, summaries);
  if (missing.length > 0 && client.summarizeTurns) {
    onProgress?.(0, missing.length);
    for (let i = 0; i < missing.length; i += SUMMARIZE_BATCH) {
      await client.summarizeTurns(missing.slice(i, i + SUMMARIZE_BATCH));
      onProgress?.(Math.min(missing.length, i + SUMMARIZE_BATCH), missing.length);
    }
    summaries = (await client.turnSummaries?.()) ?? [];
  }
  const current = summaries.filter((s) => s.version === ANALYSIS_VERSION);
  const latRs: TimedLatR[] = [];
  const telemetry: TelemetryEvent[] = [];
  const pending: Promise<void>[] = [];
  for (const c of calls) {
    if (c.kind === 'lat_r') {
      const report = parseLatR(c);
      if (report) latRs.push({ startTime: c.startTime, report });
    } else if (telemetrySource(c)) {
      if (c.requestBodyEncoding === 'text') telemetry.push(...telemetryEvents(c, c.requestBody));
      else pending.push(requestText(c).then((text) => void telemetry.push(...telemetryEvents(c, text))));
    }
  }
  await Promise.all(pending);
  telemetry.sort((a, b) => a.time - b.time);
  return { turns: joinReported(current, latRs), calls, telemetry };
}
