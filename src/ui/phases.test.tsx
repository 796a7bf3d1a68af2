// @vitest-environment happy-dom
/** The phases of a turn in the views: the split stream bar, the steps of the turn, the latency card. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { THINKING_ANSWER } from '../../test/flows';
import type { StoredCall } from '../store/schema';
import { App } from './app';
import { clientWith, THINKING_ID, thinkingCapture } from './test-data';

beforeEach(() => {
  history.replaceState(null, '', `#/c/${THINKING_ID}`);
});
afterEach(() => cleanup());

const segments = () =>
  [...document.querySelectorAll<HTMLElement>('.tl-row .seg[data-phase]')].map((s) => [
    s.dataset.label,
    Number(s.dataset.ms),
  ]);

async function openThinking() {
  render(<App client={clientWith([thinkingCapture()])} mode="tab" />);
  await waitFor(() => expect(document.querySelectorAll('.tl-row').length).toBe(1));
}

describe('a thinking turn with a tool call', () => {
  it('splits the stream bar into waiting, reasoning, tool, answer, with a legend and an accessible name', async () => {
    await openThinking();
    // From the send: waiting to the first byte (+660), streaming until the first thought (+710),
    // reasoning to the web.run call (+1230), the tool for 800 ms, reasoning again until the recap
    // (+2450), streaming until the first answer text (+2510), the answer to the last event (+2970).
    expect(segments()).toEqual([
      ['waiting', 660],
      ['streaming', 50],
      ['reasoning', 520],
      ['tool web.run', 800],
      ['reasoning', 420],
      ['streaming', 60],
      ['answer', 460],
    ]);
    const legend = screen.getByRole('list', { name: 'Legend' });
    for (const name of ['until first byte', 'reasoning', 'tool call', 'answer', 'other stream']) {
      expect(within(legend).getByText(name)).toBeTruthy();
    }
    const row = document.querySelector<HTMLElement>('.tl-row')!;
    const name = row.getAttribute('aria-label') ?? '';
    expect(name).toContain(
      'phases: waiting 660 ms, streaming 50 ms, reasoning 520 ms, tool web.run 800 ms, reasoning 420 ms, streaming 60 ms, answer 460 ms',
    );
    // The accessible name starts with the row's visible text (label-content-name-mismatch).
    const visible = row.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    expect(name.startsWith(visible)).toBe(true);
    expect(visible).toBe('1 conversation (stream) 200 2.97 s');
  });

  it('lists the thoughts, the tool call with its duration and sources, and the answer', async () => {
    await openThinking();
    fireEvent.click(screen.getByRole('tab', { name: /Turns/ }));
    const steps = await screen.findByRole('list', { name: 'Steps of turn 1' });
    const items = within(steps).getAllByRole('listitem', { hidden: true });
    const thoughts = steps.querySelectorAll('details');
    expect(thoughts).toHaveLength(2);
    expect(thoughts[0]!.open).toBe(false);
    expect(thoughts[0]!.querySelector('summary')?.textContent).toBe('Thought Looking up towers');
    expect(thoughts[0]!.textContent).toContain('I should check a source.');
    expect(thoughts[1]!.querySelector('summary')?.textContent).toBe('Thought Reading the result');
    const tool = steps.querySelector<HTMLElement>('[data-step="tool"]')!;
    expect(tool.dataset.tool).toBe('web.run');
    expect(tool.textContent).toContain('web.run · 800 ms');
    expect(tool.textContent).toContain('"search_query"');
    expect(within(tool).getByRole('list', { name: 'Sources' }).textContent).toBe(
      'Ostankino Tower https://en.wikipedia.org/wiki/Ostankino_Tower',
    );
    expect(tool.textContent).toContain('Ostankino Tower, Moscow: 540.1 m');
    expect(steps.querySelector('[data-step="recap"]')?.textContent).toBe('Reasoning Thought for 2s');
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(document.querySelector('[data-turn-reply="0"]')?.textContent).toBe(THINKING_ANSWER);
  });

  it('shows TTFB, reasoning next to "Thought for 2s", the tool, first answer text and the answer in the latency card', async () => {
    await openThinking();
    fireEvent.click(screen.getByRole('tab', { name: /Turns/ }));
    const card = await screen.findByRole('region', { name: 'Latency of turn 1' });
    const row = (name: string) =>
      [...within(card).getByText(name).closest('tr')!.querySelectorAll('td')].map((td) => td.textContent);
    expect(row('Time to first byte')).toEqual(['660 ms', '—', '—']);
    expect(row('Reasoning')).toEqual(['1.74 s', '2.00 s', '−260 ms']);
    expect(row('Tool web.run')).toEqual(['800 ms', '—', '—']);
    expect(row('Time to first answer text')).toEqual(['2.51 s', '—', '—']);
    expect(row('Answer')).toEqual(['460 ms', '—', '—']);
  });

  it('follows the phases while the turn streams', async () => {
    const full = thinkingCapture();
    const send = full.calls[0]!;
    const chunks = full.chunks.get(send.callId)!;
    const open: StoredCall = { ...send, lastChunkTime: chunks[4]!.time };
    for (const k of ['endTime', 'outcome', 'bodyBytes', 'chunkCount'] as const) delete open[k];
    const client = clientWith([]);
    // Up to the first thought's text: waiting, then reasoning, nothing else yet.
    client.put([open], chunks.slice(0, 5));
    render(<App client={client} mode="tab" />);
    await waitFor(() => expect(segments().map(([l]) => l)).toEqual(['waiting', 'streaming', 'reasoning']));
    expect(document.querySelector('.tl-row.live')).not.toBeNull();
    // The web.run call and its result arrive.
    client.put([{ ...open, lastChunkTime: chunks[6]!.time }], chunks.slice(5, 7));
    await waitFor(() => expect(segments().map(([l]) => l)).toContain('tool web.run'));
    // Everything: the answer segment appears and the row is no longer live.
    client.put(full.calls, chunks.slice(7));
    await waitFor(() => expect(segments().at(-1)).toEqual(['answer', 460]));
    expect(document.querySelector('.tl-row.live')).toBeNull();
  });
});
