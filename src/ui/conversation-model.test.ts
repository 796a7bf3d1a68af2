import { describe, expect, it } from 'vitest';
import { PROVISIONAL_PREFIX } from '../analysis/index';
import type { StoredCall } from '../store/schema';
import { ConversationLoader } from './conversation-model';
import { MockClient } from './mock-client';
import { clientWith, SEED_ID, seedCapture } from './test-data';

describe('ConversationLoader', () => {
  it('analyses a stored conversation from its page session', async () => {
    const client = clientWith([seedCapture()]);
    const loader = new ConversationLoader(client, SEED_ID, () => {});
    await loader.load();
    const s = loader.state();
    expect(s.conversation?.title).toBe('Roman Empire Fun Fact');
    expect(s.conversation?.turns.map((t) => t.isContinuation)).toEqual([false, true]);
    expect(s.missing).toBe(false);
  });

  it('follows a new chat while it streams: provisional id → server id, text growing chunk by chunk', async () => {
    const full = seedCapture();
    const upTo = (n: number) => full.calls.filter((c) => Number(c.callId.split('-')[1]) <= n);
    const send = full.calls.find((c) => c.callId === 'seed-3')!;
    const sendChunks = full.chunks.get('seed-3')!;
    // Before the first chunk: no end, no conversation id yet.
    const open: StoredCall = { ...send, conversationId: null };
    for (const k of [
      'endTime',
      'outcome',
      'firstChunkTime',
      'lastChunkTime',
      'bodyBytes',
      'chunkCount',
    ] as const)
      delete open[k];
    const client = new MockClient({ calls: [...upTo(2), open] });
    const loader = new ConversationLoader(client, `${PROVISIONAL_PREFIX}seed-3`, () => {});
    await loader.load();
    expect(loader.state().conversation?.turns[0]?.live).toBe(true);
    expect(loader.state().conversation?.turns[0]?.assistantText).toBe('');

    const lengths: number[] = [];
    for (let n = 3; n <= sendChunks.length; n += 6) {
      const part = sendChunks.slice(0, n);
      const call: StoredCall = { ...open, conversationId: SEED_ID, lastChunkTime: part.at(-1)!.time };
      client.put([call], part.slice(-6));
      await loader.apply({ callIds: [call.callId], tabId: 1 });
      expect(loader.flush()).toBe(true);
      lengths.push(loader.state().conversation!.turns[0]!.assistantText.length);
    }
    expect(loader.state().id).toBe(SEED_ID);
    expect(new Set(lengths).size).toBeGreaterThan(2);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));

    // The end and the calls after it arrive: the turn is complete and lat/r is linked.
    client.put(full.calls, sendChunks);
    await loader.apply({ callIds: full.calls.map((c) => c.callId), tabId: 1 });
    loader.flush();
    const t0 = loader.state().conversation!.turns[0]!;
    expect(t0.live).toBe(false);
    expect(t0.reported?.tsFirstTokenMs).toBe(640.6);
    expect(loader.state().conversation!.turns).toHaveLength(2);
  });

  it('reports a conversation that is not stored', async () => {
    const loader = new ConversationLoader(new MockClient(), 'nope', () => {});
    await loader.load();
    expect(loader.state().missing).toBe(true);
  });
});
