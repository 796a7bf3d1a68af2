// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { testCall } from '../store/test-call';
import { StoreHealthBanner } from './health-banner';
import { MockClient } from './mock-client';
import { OptionsPage } from './options';

afterEach(() => cleanup());
const DAY = 86_400_000;

describe('options page', () => {
  it('shows usage by kind, saves retention rules and applies them', async () => {
    const now = 1_800_000_000_000;
    const client = new MockClient({
      calls: [
        testCall({
          callId: 'old',
          startTime: now - 40 * DAY,
          endTime: now - 40 * DAY + 1,
          conversationId: 'c-1',
        }),
        testCall({ callId: 't', kind: 'ces', startTime: now - DAY, endTime: now - DAY + 1 }),
        testCall({ callId: 'new', startTime: now - DAY, endTime: now - DAY + 1, conversationId: 'c-2' }),
      ],
    });
    client.now = now;
    render(<OptionsPage client={client} />);
    const byKind = await screen.findByRole('table', { name: /By kind: 3 calls/ });
    expect(within(byKind).getByRole('rowheader', { name: 'conversation' })).toBeTruthy();
    expect(within(byKind).getByRole('rowheader', { name: 'ces' })).toBeTruthy();

    fireEvent.click(screen.getByLabelText('Delete captures older than'));
    const days = screen.getByLabelText('Delete captures older than (days)') as HTMLInputElement;
    fireEvent.input(days, { target: { value: '30' } });
    fireEvent.change(days);
    await waitFor(async () => expect((await client.settings()).retention.keepDays).toBe(30));

    fireEvent.click(screen.getByRole('button', { name: 'Apply now' }));
    await screen.findByText('Deleted 1 calls; dropped the bodies of 0.');
    await waitFor(() => expect(screen.getByRole('table', { name: /By kind: 2 calls/ })).toBeTruthy());
  });

  it('refuses an out-of-range rule and keeps the saved value', async () => {
    const client = new MockClient({
      settings: { retention: { keepDays: 7, keepMegabytes: null, telemetryBodyDays: null } },
    });
    render(<OptionsPage client={client} />);
    const days = (await screen.findByLabelText('Delete captures older than (days)')) as HTMLInputElement;
    fireEvent.input(days, { target: { value: '0' } });
    fireEvent.change(days);
    expect((await client.settings()).retention.keepDays).toBe(7);
    await waitFor(() => expect(days.value).toBe('7'));
  });

  it('switches the recording scope', async () => {
    const client = new MockClient();
    render(<OptionsPage client={client} />);
    fireEvent.change(await screen.findByLabelText('Record'), { target: { value: 'chatgpt' } });
    await waitFor(async () => expect((await client.settings()).scope).toBe('chatgpt'));
  });
});

describe('store health banner', () => {
  it('says writes fail and since when, without a dismiss button while failing', async () => {
    const client = new MockClient({
      health: {
        failing: { since: 1000, count: 3, lastError: 'QuotaExceededError' },
        dropped: { since: 900, count: 2 },
        recoveredAt: null,
      },
    });
    render(<StoreHealthBanner client={client} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('3 writes failed');
    expect(alert.textContent).toContain('QuotaExceededError');
    expect(alert.textContent).toContain('2 captures were lost');
    expect(within(alert).queryByRole('button')).toBeNull();
  });

  it('after recovery says so and can be dismissed', async () => {
    const client = new MockClient({
      health: { failing: null, dropped: { since: 900, count: 1 }, recoveredAt: 2000 },
    });
    render(<StoreHealthBanner client={client} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Saving works again');
    expect(alert.textContent).toContain('1 capture was lost');
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });
});
