import { describe, expect, it } from 'vitest';
import { analyzeConversation } from '../analysis/index';
import type { StoredCall } from '../store/schema';
import { SEED_ID, seedCapture } from './test-data';
import { buildTimeline, flatten, tickStep, turnNote, xPercent } from './timeline-model';

function seedTimeline(opts: Parameters<typeof seedCapture>[0] = {}) {
  const cap = seedCapture(opts);
  const conv = analyzeConversation(cap.calls, cap.chunks, { conversationId: SEED_ID });
  if (!conv) throw new Error('no conversation');
  const calls = new Map<string, StoredCall>(cap.calls.map((c) => [c.callId, c]));
  return { conv, model: buildTimeline(conv, calls), cap };
}

describe('buildTimeline on the seed flow', () => {
  const { model } = seedTimeline();

  it('groups calls by turn and numbers them within the group, in time order', () => {
    expect(model.groups.map((g) => [g.title, g.note])).toEqual([
      ['Turn 1', 'new chat'],
      ['Turn 2', 'continuation'],
    ]);
    const labels = model.groups.map((g) => g.calls.map((c) => `${c.n} ${c.label}`));
    expect(labels[0]).toEqual([
      '1 prompt_library',
      '2 ces',
      '3 accounts/check',
      '4 conversation (stream)',
      '5 conversations',
      '6 lat/r',
      '7 gen_title',
    ]);
    expect(labels[1]).toEqual(['1 conversation (stream)', '2 lat/r', '3 auth/session']);
    for (const g of model.groups) {
      const starts = g.calls.map((c) => c.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    expect(model.callCount).toBe(10);
  });

  it('splits each bar into waiting and receiving', () => {
    const send = model.groups[0]!.calls[3]!;
    expect(send.role).toBe('send');
    expect(send.stream).toBe(true);
    expect(send.waitingMs).toBe(400);
    expect(send.receivingMs).toBeGreaterThan(100);
    expect(send.totalMs).toBe(send.end - send.start);
    expect(model.origin).toBe(model.groups[0]!.calls[0]!.start);
  });

  it('lists the kinds present for the legend, sends first', () => {
    expect(model.kinds[0]).toBe('conversation');
    expect(model.kinds).toContain('ces');
    expect(model.kinds).not.toContain('statsig');
  });

  it('flattens to headers and rows, leaving out collapsed groups', () => {
    expect(flatten(model)).toHaveLength(12);
    const collapsed = flatten(model, new Set(['turn-0']));
    expect(collapsed.map((i) => i.type)).toEqual(['group', 'group', 'call', 'call', 'call']);
  });
});

describe('a live stream', () => {
  it('ends its bar at the last chunk so far and has no total', () => {
    const { model } = seedTimeline({ liveAt: { step: 7, chunks: 5 } });
    const send = model.groups[1]!.calls.find((c) => c.role === 'send')!;
    expect(send.live).toBe(true);
    expect(send.totalMs).toBeNull();
    expect(send.end).toBeGreaterThan(send.headers!);
    expect(model.groups[1]!.live).toBe(true);
  });
});

describe('helpers', () => {
  it('names turns by what their request did', () => {
    expect(turnNote({ action: 'next', isContinuation: false })).toBe('new chat');
    expect(turnNote({ action: 'next', isContinuation: true })).toBe('continuation');
    expect(turnNote({ action: 'variant', isContinuation: true })).toBe('regenerate');
    expect(turnNote({ action: 'continue', isContinuation: true })).toBe('continue generating');
  });
  it('maps times to percent and picks round ticks', () => {
    expect(xPercent(50, 0, 200)).toBe(25);
    expect(xPercent(-5, 0, 200)).toBe(0);
    expect(xPercent(500, 0, 200)).toBe(100);
    expect(xPercent(5, 5, 5)).toBe(0);
    expect(tickStep(5000)).toBe(1000);
    expect(tickStep(2486)).toBe(500);
    expect(tickStep(300_000)).toBe(50_000);
  });
});
