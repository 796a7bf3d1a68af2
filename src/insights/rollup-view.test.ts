/** The rollup view says exactly what the per-summary aggregates say, except histogram percentiles. */
import { describe, expect, it } from 'vitest';
import { testCall } from '../store/test-call';
import { clientWith, seedCapture, thinkingCapture } from '../ui/test-data';
import { callVolume, httpErrorsPerDay, NO_FILTER, turnsPerDay } from './aggregate';
import { driftObservations, driftTable } from './drift';
import { RollupDelta } from './rollup';
import {
  filterRollups,
  rollupCallVolume,
  rollupCounts,
  rollupDrift,
  rollupErrorsPerDay,
  rollupTurnsPerDay,
} from './rollup-view';

describe('rollup view', () => {
  it('matches the exact aggregates for counts, bytes, errors and drift', async () => {
    const c = clientWith([seedCapture(), thinkingCapture()]);
    const t = Date.parse('2026-07-01T12:00:00Z');
    c.put([testCall({ callId: 'rl', pageSessionId: 'x', startTime: t, endTime: t + 30, status: 429 })]);
    await c.summarizeTurns(await c.callIds());
    const calls = await c.callSummaries();
    const turns = await c.turnSummaries();
    const delta = new RollupDelta();
    for (const s of calls) delta.call(undefined, s);
    for (const s of turns) delta.turn(undefined, s);
    const rows = filterRollups([...delta.rows.values()], NO_FILTER);
    expect(rollupCounts(rows)).toEqual({ turns: turns.length, calls: calls.length });
    expect(rollupTurnsPerDay(rows)).toEqual(turnsPerDay(turns));
    expect(rollupErrorsPerDay(rows)).toEqual(httpErrorsPerDay(calls));
    expect(rollupCallVolume(rows)).toEqual(callVolume(calls));
    expect(rollupDrift(rows)).toEqual(driftTable(driftObservations(calls, turns)));
  });
});
