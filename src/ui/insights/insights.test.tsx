// @vitest-environment happy-dom
/** The Insights page on the mock client: lazy summaries with progress, then the tables with known numbers. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { HIST_RELATIVE_ERROR } from '../../insights/rollup';
import { testCall } from '../../store/test-call';
import type { MockClient } from '../mock-client';
import { clientWith, seedCapture, thinkingCapture } from '../test-data';
import { InsightsView } from './insights';

afterEach(() => cleanup());

const THINK_DAY = '2026-07-01';

function client(): MockClient {
  const c = clientWith([seedCapture(), thinkingCapture()]);
  const t = Date.parse(`${THINK_DAY}T12:00:00Z`);
  c.put([
    testCall({
      callId: 'rl',
      pageSessionId: 'x',
      startTime: t,
      endTime: t + 30,
      status: 429,
      outcome: 'complete',
    }),
    testCall({
      callId: 'ces1',
      pageSessionId: 'x',
      kind: 'ces',
      method: 'POST',
      url: 'https://chatgpt.com/ces/v1/b',
      startTime: t + 100,
      endTime: t + 120,
      status: 200,
      requestBody: JSON.stringify({
        batch: [
          { type: 'track', event: 'Send Message', properties: { model: 'auto' } },
          { type: 'track', event: 'Send Message' },
          { type: 'page' },
        ],
      }),
    }),
  ]);
  return c;
}

const row = (testId: string, pred: (cells: string[]) => boolean) => {
  const table = screen.getByTestId(testId);
  return [...table.querySelectorAll('tbody tr')]
    .map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent ?? ''))
    .find(pred);
};

describe('Insights view', () => {
  it('summarizes sends without summaries, then shows latency, volume, errors and telemetry', async () => {
    const c = client();
    render(<InsightsView client={c} />);
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^4 turns/));
    // The mock's calls had no summaries (as after an import): every call was summarized, once.
    expect(c.summarizeRequests.flat().sort()).toEqual((await c.callIds()).sort());
    expect((await c.turnSummaries()).length).toBe(4);
    // The thinking turn: time to first byte 660 ms, thinking 1740 ms, first answer text 2510 ms.
    const ttfb = row(
      'ins-distributions',
      (r) => r[0] === 'Time to first byte' && r[1] === 'gpt-5-5-thinking',
    );
    expect(ttfb).toBeDefined();
    const thinking = row('ins-distributions', (r) => r[0] === 'Thinking time');
    expect(thinking?.slice(2, 7)).toEqual(['1', '1740', '1740', '1740', '1740']);
    const reported = row('ins-distributions', (r) => r[0] === 'Reported "Thought for N s"');
    expect(reported?.slice(2, 5)).toEqual(['1', '2000', '2000']);
    expect(row('ins-errors-per-day', (r) => r[0] === THINK_DAY)).toEqual([THINK_DAY, '1', '0', '0']);
    expect(row('ins-turns-per-day', (r) => r[0] === THINK_DAY)?.slice(0, 4)).toEqual([
      THINK_DAY,
      '2',
      '0',
      '1',
    ]);
    // Telemetry bodies are read after the plots.
    await waitFor(() => expect(screen.getByTestId('ins-telemetry')).toBeDefined());
    expect(row('ins-telemetry', (r) => r[1] === 'Send Message')?.slice(0, 3)).toEqual([
      'ces',
      'Send Message',
      '2',
    ]);
    expect(row('ins-kinds', (r) => r[0] === 'ces')?.[1]).toBe('2'); // the seed flow's batch and ours
    expect(screen.getByTestId('ins-drift').textContent).toContain('batch');
  });

  it('filters by model and date; a second open asks for no summaries', async () => {
    const c = client();
    render(<InsightsView client={c} />);
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^4 turns/));
    cleanup();
    const before = c.summarizeRequests.length;
    render(<InsightsView client={c} />);
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^4 turns/));
    expect(c.summarizeRequests.length).toBe(before);
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'gpt-5-5-thinking' } });
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^1 turns/));
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: '' } });
    fireEvent.input(screen.getByLabelText('From'), { target: { value: THINK_DAY } });
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^2 turns/));
  });

  it('draws from the rollups first (approximate percentiles), then the exact figures with the details', async () => {
    const c = client();
    render(<InsightsView client={c} />);
    await waitFor(() => expect(screen.getByTestId('ins-counts').textContent).toMatch(/^4 turns/));
    cleanup();
    // Hold the details back (the lat/r read): the page shows what the rollups say meanwhile.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const callsOfKinds = c.callsOfKinds.bind(c);
    c.callsOfKinds = async (kinds) => {
      await gate;
      return callsOfKinds(kinds);
    };
    render(<InsightsView client={c} />);
    await waitFor(() => expect(screen.getByTestId('ins-details-status')).toBeDefined());
    expect(screen.getByTestId('ins-counts').textContent).toMatch(/^4 turns/);
    expect(row('ins-errors-per-day', (r) => r[0] === THINK_DAY)).toEqual([THINK_DAY, '1', '0', '0']);
    expect(row('ins-turns-per-day', (r) => r[0] === THINK_DAY)?.slice(0, 4)).toEqual([
      THINK_DAY,
      '2',
      '0',
      '1',
    ]);
    const approx = row('ins-distributions', (r) => r[0] === 'Thinking time');
    expect(approx?.[2]).toBe('1');
    expect(Math.abs(Number(approx?.[4]) - 1740)).toBeLessThanOrEqual(1740 * HIST_RELATIVE_ERROR + 0.5);
    expect(screen.getByTestId('ins-distributions').querySelector('caption')?.textContent).toContain(
      'approximate',
    );
    release();
    await waitFor(() => expect(screen.queryByTestId('ins-details-status')).toBeNull());
    const thinking = row('ins-distributions', (r) => r[0] === 'Thinking time');
    expect(thinking?.slice(2, 7)).toEqual(['1', '1740', '1740', '1740', '1740']);
  });

  it('shows progress while it summarizes', async () => {
    const c = client();
    render(<InsightsView client={c} />);
    expect(await screen.findByRole('status')).toBeDefined();
  });
});
