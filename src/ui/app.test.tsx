// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredCall } from '../store/schema';
import { App } from './app';
import { ConversationIndex } from './list-model';
import type { MockClient } from './mock-client';
import { clientWith, REAL_ID, realCapture, SEED_ID, seedCapture } from './test-data';

beforeEach(() => {
  history.replaceState(null, '', '#/');
});
afterEach(() => cleanup());

const rowsOf = (list: HTMLElement) => within(list).getAllByRole('listitem');
const timelineLabels = () =>
  [...document.querySelectorAll('.tl-row')].map((r) =>
    r.querySelector('.tl-name')?.textContent?.replace(/\s+/g, ' ').trim(),
  );

async function openSeed(opts: Parameters<typeof seedCapture>[0] = {}) {
  const client = clientWith([seedCapture(opts), realCapture()], { tabCount: 12 });
  render(<App client={client} mode="popup" />);
  fireEvent.click(await screen.findByText('Roman Empire Fun Fact'));
  // The conversation view is imported on first open: on a busy machine (the whole suite on 2 cores) that
  // alone has taken over a second, the default wait.
  await screen.findByRole('tab', { name: /Timeline/ }, { timeout: 5000 });
  await waitFor(() => expect(document.querySelectorAll('.tl-row').length).toBe(10), { timeout: 5000 });
  return client;
}

/**
 * Holds `client`'s first-page read until `release()` and logs, in `order`, when the read ends ('read') and
 * when the storage estimate is asked ('estimate').
 */
function holdReadLogEstimate(client: MockClient) {
  const order: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const recent = client.recentCalls.bind(client);
  client.recentCalls = async (limit, before) => {
    await held;
    order.push('read');
    return recent(limit, before);
  };
  const estimate = client.storageEstimate.bind(client);
  client.storageEstimate = () => {
    order.push('estimate');
    return estimate();
  };
  return { order, release: () => release() };
}

describe('conversation list', () => {
  it('lists conversations newest first with title, host, turns, calls and state', async () => {
    const client = clientWith([seedCapture(), realCapture()], { tabCount: 12 });
    render(<App client={client} mode="popup" />);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    await waitFor(() => expect(rowsOf(list)).toHaveLength(2));
    const [first, second] = rowsOf(list);
    // The 2026 capture is newer; it has no title, so its first prompt stands in.
    expect(first!.textContent).toContain('“test”');
    expect(first!.textContent).toContain('chatgpt.com');
    expect(second!.textContent).toContain('Roman Empire Fun Fact');
    expect(second!.textContent).toContain('chat.openai.com');
    expect(second!.textContent).toContain('2 turns');
    expect(second!.textContent).toContain('10 calls');
    expect(second!.textContent).toContain('Done');
    expect(screen.getByText('12 calls in this tab')).toBeTruthy();
    expect(screen.getByRole('switch', { name: 'Recording' })).toBeTruthy();
  });

  it('asks for the storage estimate only once the list has its first rows (it slows the first read)', async () => {
    const client = clientWith([seedCapture()]);
    const { order, release } = holdReadLogEstimate(client);
    render(<App client={client} mode="popup" />);
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await screen.findByText('Roman Empire Fun Fact');
    await waitFor(() => expect(order).toEqual(['read', 'estimate']));
  });

  it('with the last snapshot on screen, the storage estimate still waits for the store to be read', async () => {
    const client = clientWith([seedCapture()]);
    await new ConversationIndex(client, () => {}).start(); // leaves the snapshot
    expect(client.snapshot).not.toBeNull();
    const { order, release } = holdReadLogEstimate(client);
    render(<App client={client} mode="popup" />);
    await screen.findByText('Roman Empire Fun Fact'); // the snapshot's row
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await waitFor(() => expect(order).toEqual(['read', 'estimate']));
  });

  it('searches and filters by kind', async () => {
    const client = clientWith([seedCapture(), realCapture()]);
    render(<App client={client} mode="popup" />);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    await waitFor(() => expect(rowsOf(list)).toHaveLength(2));
    const search = screen.getByLabelText('Search conversations');
    fireEvent.input(search, { target: { value: 'roman' } });
    await waitFor(() => expect(rowsOf(screen.getByRole('list', { name: 'Conversations' }))).toHaveLength(1));
    expect(screen.getByText('Roman Empire Fun Fact')).toBeTruthy();
    // Reply text: found once the reply index is built (it starts when someone searches).
    fireEvent.input(search, { target: { value: 'vespasian' } });
    await waitFor(() => expect(screen.queryByText('Roman Empire Fun Fact')).toBeTruthy());
    fireEvent.input(search, { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Filter by kind'), { target: { value: 'statsig' } });
    await waitFor(() => expect(screen.queryByText('Roman Empire Fun Fact')).toBeNull());
    expect(rowsOf(screen.getByRole('list', { name: 'Conversations' }))[0]!.textContent).toContain('“test”');
  });

  it('shows a new conversation as soon as the store reports it', async () => {
    const client = clientWith([seedCapture()]);
    render(<App client={client} mode="popup" />);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    await waitFor(() => expect(rowsOf(list)).toHaveLength(1));
    const real = realCapture();
    client.put(real.calls, [...real.chunks.values()].flat(), 2);
    await waitFor(() => expect(rowsOf(screen.getByRole('list', { name: 'Conversations' }))).toHaveLength(2));
    expect(rowsOf(screen.getByRole('list', { name: 'Conversations' }))[0]!.textContent).toContain('“test”');
  });

  it('turns recording off and on', async () => {
    const client = clientWith([seedCapture()]);
    render(<App client={client} mode="popup" />);
    const toggle = (await screen.findByRole('switch', { name: 'Recording' })) as HTMLInputElement;
    await waitFor(() => expect(toggle.checked).toBe(true));
    fireEvent.click(toggle);
    await waitFor(async () => expect((await client.settings()).recording).toBe(false));
  });

  it('asks for host access when it is missing', async () => {
    const client = clientWith([], { hostAccess: { granted: false, origins: ['https://chatgpt.com/*'] } });
    render(<App client={client} mode="popup" />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('chatgpt.com');
    fireEvent.click(within(alert).getByRole('button', { name: 'Allow access' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('clears everything only after confirming', async () => {
    const client = clientWith([seedCapture()]);
    render(<App client={client} mode="popup" />);
    await screen.findByText('Roman Empire Fun Fact');
    fireEvent.click(screen.getByRole('button', { name: 'Clear everything…' }));
    const dialog = screen.getByRole('alertdialog');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(await client.callCount()).toBe(10);
    fireEvent.click(screen.getByRole('button', { name: 'Clear everything…' }));
    fireEvent.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Clear everything' }),
    );
    await screen.findByText('Nothing recorded yet.');
    expect(await client.callCount()).toBe(0);
  });
});

describe('conversation timeline', () => {
  it('shows the calls in time order, numbered within each turn, the continuation recognized', async () => {
    await openSeed();
    expect(timelineLabels()).toEqual([
      '1 prompt_library',
      '2 ces',
      '3 accounts/check',
      '4 conversation (stream)',
      '5 conversations',
      '6 lat/r',
      '7 gen_title',
      '1 conversation (stream)',
      '2 lat/r',
      '3 auth/session',
    ]);
    const groups = [...document.querySelectorAll('.tl-group')].map((g) => g.textContent);
    expect(groups[0]).toContain('Turn 1');
    expect(groups[0]).toContain('new chat');
    expect(groups[1]).toContain('Turn 2');
    expect(groups[1]).toContain('continuation');
    // Rows describe their timing to assistive technology (and on hover, to everyone).
    const send = document.querySelectorAll<HTMLElement>('.tl-row')[3]!;
    expect(send.getAttribute('aria-label')).toMatch(/waiting 400 ms, receiving .* total/);
    fireEvent.mouseEnter(send);
    expect(document.querySelector('.tl-tip')?.textContent).toContain('Waiting400 ms');
    // A legend names the colours.
    const legend = screen.getByRole('list', { name: 'Legend' });
    expect(legend.textContent).toContain('conversation');
    expect(legend.textContent).toContain('waiting');
  });

  it('opens details on click: request, status, headers, bodies, decoded stream, schema; Esc closes', async () => {
    await openSeed();
    const send = document.querySelectorAll<HTMLElement>('.tl-row')[3]!;
    fireEvent.click(send);
    const details = await screen.findByRole('complementary', { name: /Details of conversation/ });
    expect(details.textContent).toContain('POST https://chat.openai.com/backend-api/conversation');
    expect(details.textContent).toContain('200');
    expect(details.textContent).toContain('Request body: matches its schema');
    expect(details.textContent).toMatch(/Stream \(legacy\): \d+ events/);
    expect(details.textContent).toContain('The ancient Romans used urine as a cleaning agent');
    // JSON folds: the request body's keys are listed.
    expect(details.textContent).toContain('parent_message_id');
    // Headers are folded (and not rendered) until opened.
    const headers = within(details)
      .getByText(/Request headers/)
      .closest('details')!;
    expect(headers.textContent).not.toContain('oai-device-id');
    headers.open = true;
    fireEvent(headers, new Event('toggle'));
    await waitFor(() => expect(headers.textContent).toContain('oai-device-id'));
    fireEvent.keyDown(document, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('complementary', { name: /Details of/ })).toBeNull());
  });

  it('labels a call whose body the page cancelled', async () => {
    const seed = seedCapture();
    const send = seed.calls.find((c) => c.kind === 'conversation')!;
    send.outcome = 'cancelled';
    render(<App client={clientWith([seed])} mode="popup" />);
    fireEvent.click(await screen.findByText('Roman Empire Fun Fact'));
    await waitFor(() => expect(document.querySelectorAll('.tl-row').length).toBe(10));
    fireEvent.click(document.querySelectorAll<HTMLElement>('.tl-row')[3]!);
    const details = await screen.findByRole('complementary', { name: /Details of conversation/ });
    expect(within(details).getByText('cancelled by the page').className).toContain('badge');
  });

  it('moves focus to the conversation title on open, and back to its row on return', async () => {
    await openSeed();
    await waitFor(() => expect(document.activeElement?.tagName).toBe('H2'));
    expect(document.activeElement?.textContent).toBe('Roman Empire Fun Fact');
    fireEvent.click(screen.getByRole('button', { name: 'Back to the list' }));
    await waitFor(() =>
      expect((document.activeElement as HTMLElement | null)?.classList.contains('conv-row')).toBe(true),
    );
    expect(document.activeElement?.textContent).toContain('Roman Empire Fun Fact');
  });

  it('makes the timeline one Tab stop that follows the focused row (roving tabindex)', async () => {
    await openSeed();
    const tabbable = () =>
      [...document.querySelectorAll<HTMLElement>('.tl-row')].filter((r) => r.tabIndex === 0);
    expect(tabbable()).toHaveLength(1);
    const rows = document.querySelectorAll<HTMLElement>('.tl-row');
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: 'ArrowDown' });
    expect(tabbable()).toEqual([document.querySelectorAll<HTMLElement>('.tl-row')[1]]);
  });

  it('opens details from the keyboard', async () => {
    await openSeed();
    const rows = document.querySelectorAll<HTMLElement>('.tl-row');
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(document.querySelectorAll<HTMLElement>('.tl-row')[1]);
    // Enter on a button is a click.
    fireEvent.click(document.activeElement!);
    expect(await screen.findByRole('complementary', { name: 'Details of ces' })).toBeTruthy();
  });

  it('shows a latency card per turn with TTFT next to lat/r and the difference', async () => {
    await openSeed();
    fireEvent.click(screen.getByRole('tab', { name: /Turns/ }));
    const card = await screen.findByRole('region', { name: 'Latency of turn 1' });
    const ttft = within(card).getByText('Time to first text').closest('tr')!;
    const cells = [...ttft.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells[1]).toBe('641 ms'); // ts_first_token_ms 640.6 from lat/r
    expect(cells[0]).toMatch(/ms$/);
    expect(cells[2]).toMatch(/^[+−±]/);
    expect(card.textContent).toContain('Gap p95');
    expect(card.textContent).toContain('Max stall');
    const turn2 = screen.getByRole('article', { name: 'Turn 2, continuation' });
    expect(turn2.textContent).toContain('How true is that?');
  });

  it('makes a failed flow check visible', async () => {
    await openSeed({ brokenContinuation: true });
    const checksTab = screen.getByRole('tab', { name: /Checks/ });
    expect(checksTab.textContent).toContain('1 failed');
    expect(screen.getByRole('button', { name: '1 flow check failed' })).toBeTruthy();
    fireEvent.click(checksTab);
    const list = await screen.findByRole('list', { name: 'Flow checks' });
    const failed = list.querySelector('.check-fail')!;
    expect(failed.textContent).toContain('Failed:');
    expect(failed.textContent).toContain('suggestions');
    expect(failed.textContent).toContain('turn 2');
  });

  it('shows the message tree', async () => {
    await openSeed();
    fireEvent.click(screen.getByRole('tab', { name: /Message tree/ }));
    const tree = await screen.findByRole('list', { name: 'Message tree' });
    expect(tree.textContent).toContain('Tell me a random fun fact about the Roman Empire');
    expect(tree.textContent).toContain('How true is that?');
  });

  it('deletes the conversation after confirming', async () => {
    const client = await openSeed();
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
    await screen.findByText('Conversation deleted.');
    expect(client.deleted[0]).toHaveLength(10);
    expect(screen.queryByText('Roman Empire Fun Fact')).toBeNull();
  });

  it('updates by itself while a reply streams: new calls appear, the bar grows, the text grows', async () => {
    const full = seedCapture();
    const send = full.calls.find((c) => c.callId === 'seed-7')!;
    const chunks = full.chunks.get('seed-7')!;
    const open: StoredCall = { ...send, lastChunkTime: chunks[4]!.time };
    for (const k of ['endTime', 'outcome', 'bodyBytes', 'chunkCount'] as const) delete open[k];
    const before = full.calls.filter((c) => Number(c.callId.split('-')[1]) < 7);
    const client = clientWith([]);
    client.put(
      [...before, open],
      [
        ...[...full.chunks.entries()].filter(([id]) => id < 'seed-7').flatMap(([, l]) => l),
        ...chunks.slice(0, 5),
      ],
    );
    render(<App client={client} mode="popup" />);
    fireEvent.click(await screen.findByText('Roman Empire Fun Fact'));
    await screen.findByRole('tab', { name: /Turns/ });
    fireEvent.click(screen.getByRole('tab', { name: /Turns/ }));
    const reply = () => document.querySelector('[data-turn-reply="1"]')?.textContent ?? '';
    await waitFor(() =>
      expect(screen.getByRole('article', { name: 'Turn 2, continuation' }).textContent).toContain(
        'streaming',
      ),
    );
    const seen = [reply().length];
    for (let n = 10; n <= chunks.length; n += 8) {
      client.put([{ ...open, lastChunkTime: chunks[n - 1]!.time }], chunks.slice(n - 8, n));
      await waitFor(() => expect(reply().length).toBeGreaterThan(seen.at(-1)!));
      seen.push(reply().length);
    }
    expect(seen.length).toBeGreaterThan(3);
    // The rest arrives: the stream ends, lat/r and auth/session appear in the timeline.
    client.put(full.calls, chunks);
    fireEvent.click(screen.getByRole('tab', { name: /Timeline/ }));
    await waitFor(() => expect(document.querySelectorAll('.tl-row').length).toBe(10));
    expect(document.querySelector('.tl-row.live')).toBeNull();
  });
});

describe('real 2026 flow', () => {
  it('opens from the hash (Open in tab) and labels 2026 endpoints', async () => {
    history.replaceState(null, '', `#/c/${REAL_ID}`);
    const client = clientWith([realCapture()]);
    render(<App client={client} mode="tab" />);
    await waitFor(() => expect(document.querySelectorAll('.tl-row').length).toBeGreaterThan(10));
    const labels = timelineLabels();
    expect(labels[0]).toBe('1 conversation (stream)');
    expect(labels).toContain('2 sentinel/chat-requirements/prepare');
    expect(labels.some((l) => l?.endsWith('statsig'))).toBe(true);
    // "Open in tab" is only offered in the popup.
    expect(screen.queryByRole('button', { name: 'Open in tab' })).toBeNull();
  });

  it('opens the full tab on the current conversation from the popup', async () => {
    const client = await openSeed();
    fireEvent.click(screen.getByRole('button', { name: 'Open in tab' }));
    expect(client.opened).toEqual([SEED_ID]);
  });
});
