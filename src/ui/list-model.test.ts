import { describe, expect, it, vi } from 'vitest';
import { summarizeConversations } from '../analysis/index';
import { type ListRows, titleBodyIds } from '../store/list-rows';
import { generateSample } from './dev/sample-data';
import { ConversationIndex } from './list-model';
import { MockClient } from './mock-client';
import { clientWith, REAL_ID, realCapture, SEED_ID, seedCapture } from './test-data';

const settle = async (index: ConversationIndex, client: MockClient) => {
  for (let i = 0; i < 100 && !index.state().complete; i++) await new Promise((r) => setTimeout(r, 1));
  return client;
};

describe('ConversationIndex', () => {
  it('shows the newest page first, then reads older pages, never the whole store at once', async () => {
    const sample = generateSample({ conversations: 30, seed: 3 });
    const client = new MockClient({ calls: sample.calls, chunks: sample.chunks });
    let updates = 0;
    const index = new ConversationIndex(client, () => updates++, { firstPage: 40, page: 100 });
    await index.start();
    const first = index.state();
    expect(first.complete).toBe(false);
    expect(first.loadedCalls).toBeLessThan(sample.calls.length);
    // The newest conversation is there from the first page on.
    expect(first.conversations[0]?.id).toBe(sample.conversationIds.at(-1));
    await settle(index, client);
    const done = index.state();
    expect(done.complete).toBe(true);
    expect(done.loadedCalls).toBe(sample.calls.length);
    expect(client.fullReads).toBe(0);
    const expected = summarizeConversations(sample.calls);
    expect(done.conversations.map((c) => [c.id, c.counts.total])).toEqual(
      expected.map((c) => [c.id, c.counts.total]),
    );
    expect(updates).toBeGreaterThan(1);
  });

  it('titles from gen_title, searches title, prompt, URL and (once indexed) reply text', async () => {
    const client = clientWith([seedCapture(), realCapture()]);
    const index = new ConversationIndex(client, () => {});
    await index.start();
    const seed = index.state().conversations.find((c) => c.id === SEED_ID)!;
    expect(index.titleOf(seed)).toBe('Roman Empire Fun Fact');
    expect(index.filter('roman empire fun', null).map((c) => c.id)).toEqual([SEED_ID]);
    expect(index.filter('How true is that', null).map((c) => c.id)).toEqual([SEED_ID]);
    expect(index.filter('backend-anon/f/conversation', null).map((c) => c.id)).toEqual([REAL_ID]);
    // Reply text is not decoded for the list; after indexing it is searchable.
    expect(index.filter('vespasian', null)).toEqual([]);
    await index.indexReplies();
    expect(index.filter('vespasian', null).map((c) => c.id)).toEqual([SEED_ID]);
  });

  it('filters by the kinds a conversation contains', async () => {
    const client = clientWith([seedCapture(), realCapture()]);
    const index = new ConversationIndex(client, () => {});
    await index.start();
    expect(index.filter('', 'gen_title').map((c) => c.id)).toEqual([SEED_ID]);
    expect(index.filter('', 'statsig').map((c) => c.id)).toEqual([REAL_ID]);
    expect(index.filter('', 'conversation')).toHaveLength(2);
  });

  it('re-reads only the calls a change names, and everything after a delete', async () => {
    const seed = seedCapture();
    const client = clientWith([seed]);
    const index = new ConversationIndex(client, () => {});
    await index.start();
    const real = realCapture();
    client.put(real.calls, [...real.chunks.values()].flat());
    await index.apply({ callIds: real.calls.map((c) => c.callId), tabId: 2 });
    expect(index.flush()).toBe(true);
    expect(index.state().conversations.map((c) => c.id)).toEqual([REAL_ID, SEED_ID]);
    expect(index.flush()).toBe(false);
    await client.deleteCalls(real.calls.map((c) => c.callId));
    await index.apply({ callIds: [], tabId: null });
    expect(index.state().conversations.map((c) => c.id)).toEqual([SEED_ID]);
  });

  it('reads title bodies only for titles: every gen_title, the latest sidebar list per page', () => {
    const seed = seedCapture();
    const ids = titleBodyIds(seed.calls);
    const kinds = ids.map((id) => seed.calls.find((c) => c.callId === id)?.kind);
    expect(kinds.sort()).toEqual(['conversations_list', 'gen_title']);
  });

  it('shows the last snapshot at once, then the rows read from the store', async () => {
    const client = clientWith([seedCapture()]);
    const first = new ConversationIndex(client, () => {});
    await first.start();
    expect(client.snapshot?.rows.map((s) => s.id)).toEqual([SEED_ID]);
    // Next open: the store has changed since (a new conversation); the snapshot shows until it is read.
    const real = realCapture();
    client.put(real.calls, [...real.chunks.values()].flat());
    const seen: string[][] = [];
    const index = new ConversationIndex(client, () =>
      seen.push(index.state().conversations.map((c) => c.id)),
    );
    const started = index.start();
    expect(index.state().fromSnapshot).toBe(true);
    expect(seen[0]).toEqual([SEED_ID]);
    await started;
    expect(index.state().fromSnapshot).toBe(false);
    expect(index.state().conversations.map((c) => c.id)).toEqual([REAL_ID, SEED_ID]);
    await client.clearAll();
    expect(client.listSnapshot()).toBeNull();
  });

  describe('stored rows (the background keeps the newest rows: src/store/list-rows.ts)', () => {
    /** Rows as a view or the background would have built them from `client`'s store, with their time. */
    const rowsOf = async (client: MockClient, savedAt: number): Promise<ListRows> => {
      const index = new ConversationIndex(
        new MockClient({ calls: await client.allCalls(), chunks: [] }),
        () => {},
      );
      await index.start();
      return { savedAt, rows: [...index.state().conversations] };
    };
    const opened = (client: MockClient) => {
      const seen: { ids: string[]; fromSnapshot: boolean }[] = [];
      const index = new ConversationIndex(client, () =>
        seen.push({
          ids: index.state().conversations.map((c) => c.id),
          fromSnapshot: index.state().fromSnapshot,
        }),
      );
      return { index, seen };
    };

    it('without a snapshot, shows the stored rows before the store is read, then the rows read', async () => {
      const client = clientWith([seedCapture()]);
      client.stored = await rowsOf(client, 1000);
      const real = realCapture();
      client.put(real.calls, [...real.chunks.values()].flat());
      const { index, seen } = opened(client);
      await index.start();
      expect(seen[0]).toEqual({ ids: [SEED_ID], fromSnapshot: true });
      expect(seen.at(-1)).toEqual({ ids: [REAL_ID, SEED_ID], fromSnapshot: false });
    });

    it("the newer of the last view's snapshot and the stored rows is shown", async () => {
      const client = clientWith([seedCapture()]);
      const older = await rowsOf(client, 1000);
      const real = realCapture();
      client.put(real.calls, [...real.chunks.values()].flat());
      const newer = await rowsOf(client, 2000);
      // The stored rows are newer than the snapshot: they replace it.
      client.snapshot = older;
      client.stored = newer;
      let view = opened(client);
      await view.index.start();
      expect(view.seen.map((s) => s.ids)).toEqual([[SEED_ID], [REAL_ID, SEED_ID], [REAL_ID, SEED_ID]]);
      expect(view.seen[1]?.fromSnapshot).toBe(true);
      // The snapshot is newer: the stored rows are not shown over it.
      client.snapshot = { ...newer, savedAt: 3000 };
      client.stored = older;
      view = opened(client);
      await view.index.start();
      expect(view.seen.every((s) => s.ids.length === 2)).toBe(true);
    });

    it('a row titled only in its stream, on screen before the store is read, gets its title once it is', async () => {
      // One-turn chats: the sidebar list says "New chat"; the title is in the stream only.
      const sample = generateSample({ conversations: 3, style: 'v1', turns: () => 1, seed: 7 });
      const client = new MockClient({ calls: sample.calls, chunks: sample.chunks });
      // Rows without the stream titles (as an earlier version kept them), shown before the store is read.
      client.stored = await rowsOf(client, Date.now());
      let release: () => void = () => {};
      const held = new Promise<void>((r) => (release = r));
      const recent = client.recentCalls.bind(client);
      client.recentCalls = async (limit, before) => {
        await held;
        return recent(limit, before);
      };
      // What the list view does after each render: titles for the rows in view.
      const pending: Promise<void>[] = [];
      const index: ConversationIndex = new ConversationIndex(client, () => {
        pending.push(index.ensureTitles(index.state().conversations));
      });
      const started = index.start();
      await vi.waitFor(() => expect(index.state().fromSnapshot).toBe(true));
      await Promise.all(pending);
      release();
      await started;
      await Promise.all(pending);
      const titles = index.state().conversations.map((s) => index.titleOf(s));
      expect(titles).toHaveLength(3);
      expect(titles.every((t) => t && t !== 'New chat')).toBe(true);
    });

    it('stored rows that arrive after the store was read are not shown', async () => {
      const client = clientWith([seedCapture(), realCapture()]);
      let deliver: (rows: ListRows) => void = () => {};
      client.storedListRows = () => new Promise<ListRows | null>((r) => (deliver = r));
      const stale = await rowsOf(clientWith([seedCapture()]), Date.now() + 60_000);
      const { index, seen } = opened(client);
      await index.start();
      deliver(stale);
      await new Promise((r) => setTimeout(r, 5));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((s) => !s.fromSnapshot)).toBe(true);
      expect(index.state().conversations.map((c) => c.id)).toEqual([REAL_ID, SEED_ID]);
    });
  });
});
