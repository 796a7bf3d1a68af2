/**
 * Benchmark seeding, compiled in only in test builds (dist-test/): fills the store with generated
 * conversations straight through the store's own `putCalls`, in large transactions, from an extension
 * page (same origin as the background, so the same database). bench/ui.bench.ts calls it; it takes seconds
 * where replaying 100,000 calls through the page hook would take many minutes.
 */
import { clearAll, openCaptureDb, putCalls } from '../../src/store/db';
import type { StoredChunk } from '../../src/store/schema';
import type { SampleOptions } from '../../src/ui/dev/sample-data';

export interface SeedResult {
  calls: number;
  chunks: number;
  conversationIds: string[];
  ms: number;
}

if (__TEST_BUILD__) {
  const seed = async (
    opts: Omit<SampleOptions, 'turns' | 'broken'> & {
      bigAt?: number;
      bigTurns?: number;
      turnsEach?: number[];
      /** Also write each send's turn summary (as the background does when a turn ends). */
      summaries?: boolean;
    },
  ): Promise<SeedResult> => {
    const t0 = performance.now();
    const each = opts.turnsEach ?? [14, 15];
    // Loaded here, not at the top: a static import would keep the sample generator's word list in the
    // release bundle (its module has top-level side effects the bundler must preserve).
    const { generateSample } = await import('../../src/ui/dev/sample-data');
    const sample = generateSample({
      ...opts,
      turns: (i) => (i === opts.bigAt ? (opts.bigTurns ?? 500) : (each[i % each.length] ?? 14)),
    });
    const db = await openCaptureDb();
    await clearAll(db);
    const chunksOf = new Map<string, StoredChunk[]>();
    for (const c of sample.chunks) {
      const list = chunksOf.get(c.callId);
      if (list) list.push(c);
      else chunksOf.set(c.callId, [c]);
    }
    const BATCH = 5000;
    for (let i = 0; i < sample.calls.length; i += BATCH) {
      const calls = sample.calls.slice(i, i + BATCH);
      await putCalls(
        db,
        calls,
        calls.flatMap((c) => chunksOf.get(c.callId) ?? []),
      );
    }
    if (opts.summaries) {
      const { summarizeTurn } = await import('../../src/insights/summary');
      const { summarizable } = await import('../../src/store/summaries');
      const { RollupDelta } = await import('../../src/insights/rollup');
      const { flushRollups } = await import('../../src/store/rollups');
      const sends = sample.calls.filter(summarizable);
      for (let i = 0; i < sends.length; i += BATCH) {
        // With their rollups, as the background writes them (src/store/summaries.ts).
        const tx = db.transaction(['turnSummaries', 'dailyRollups'], 'readwrite');
        const delta = new RollupDelta();
        const puts = sends.slice(i, i + BATCH).map((c) => {
          const s = summarizeTurn(c, chunksOf.get(c.callId));
          delta.turn(undefined, s);
          return tx.objectStore('turnSummaries').put(s);
        });
        await Promise.all([Promise.all(puts).then(() => flushRollups(tx, delta)), tx.done]);
      }
    }
    // The list's newest rows, as the background builds and keeps them after a write (src/store/list-rows.ts).
    const { buildListRows } = await import('../../src/store/list-rows-keeper');
    const { sessionRows } = await import('../list-rows-area');
    await sessionRows.write({ savedAt: Date.now(), rows: await buildListRows(db) });
    db.close();
    return {
      calls: sample.calls.length,
      chunks: sample.chunks.length,
      conversationIds: sample.conversationIds,
      ms: performance.now() - t0,
    };
  };
  (globalThis as Record<string, unknown>).__cfrBench = { seed };
}
