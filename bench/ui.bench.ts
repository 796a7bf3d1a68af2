/**
 * UI benchmark, in Chromium with the test build (dist-test/chrome): the store is seeded with 1,000
 * conversations / ~100,000 calls, one of them 500 turns long, through the test-only seeding hook of the
 * full-tab page (extension/app/bench-seed.ts: generated records written with the store's own putCalls,
 * 5,000 calls per transaction — seconds, where replaying through the page hook would take many minutes).
 *
 * - popupInteractiveMs: navigation start → the conversation list rendered and laid out with its first rows
 *   (performance mark `cfr:list-interactive`), median of 5 runs, each right after the previous one (the
 *   database is open, as it is while the background records). Older pages keep loading after that;
 *   `listCompleteMs` says when all of them were in. `popupColdMs`: the same after 3 s idle, when Chromium
 *   has closed the database files and opening them again is part of the wait. The first rows come from the
 *   snapshot the previous view left (extension/ui-client.ts); `popupFreshMs` / `popupFreshColdMs` are the
 *   same measures for the first rows read from IndexedDB.
 * - timelineRenderMs: opening the 500-turn conversation, from the render that first has its analysis to
 *   the timeline committed and laid out (`cfr:conversation-analyzed` → `cfr:timeline-rendered`). Reading
 *   and analysing it come before; `conversationOpenMs` is navigation start → timeline rendered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from '../e2e/browsers';
import { median } from './stats';

const EXTENSION = resolve('dist-test/chrome');
const RUNS = 5;

export interface UiBench {
  popupInteractiveMs: number;
  /** The same after 3 s on about:blank: the browser has closed the database's backing store by then. */
  popupColdMs: number;
  /** Navigation start → the first rows read from IndexedDB on screen (rather than the last snapshot). */
  popupFreshMs: number;
  popupFreshColdMs: number;
  timelineRenderMs: number;
  listCompleteMs: number;
  conversationOpenMs: number;
  conversationReadMs: number;
  seeded: { calls: number; chunks: number; conversations: number; bigTurns: number; seedMs: number };
}

async function markTime(page: Page, name: string, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => performance.getEntriesByName(n)[0]?.startTime ?? null,
    name,
    { timeout: timeoutMs, polling: 5 },
  );
  return (await handle.jsonValue()) as number;
}

export async function benchUi(): Promise<UiBench> {
  const profile = mkdtempSync(join(tmpdir(), 'cfr-bench-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${EXTENSION}`, `--load-extension=${EXTENSION}`],
    viewport: { width: 780, height: 580 },
  });
  try {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const base = `chrome-extension://${new URL(worker.url()).host}/extension`;

    const seeder = await context.newPage();
    await seeder.goto(`${base}/app/index.html`);
    const BIG_AT = 500;
    const seeded = (await seeder.evaluate(
      (bigAt) =>
        (
          globalThis as unknown as {
            __cfrBench: {
              seed(
                o: object,
              ): Promise<{ calls: number; chunks: number; conversationIds: string[]; ms: number }>;
            };
          }
        ).__cfrBench.seed({
          conversations: 1000,
          bigAt,
          bigTurns: 500,
          turnsEach: [14, 15],
          telemetryPerTurn: 3,
          eventsPerReply: 6,
          seed: 11,
        }),
      BIG_AT,
    )) as { calls: number; chunks: number; conversationIds: string[]; ms: number };
    await seeder.close();
    const bigId = seeded.conversationIds[BIG_AT]!;

    const page = await context.newPage();
    // Warm-up: the first open pays for compiling the extension's scripts and opening the database files.
    await page.goto(`${base}/popup/index.html`);
    await markTime(page, 'cfr:list-complete');

    const interactive: number[] = [];
    const fresh: number[] = [];
    const complete: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${base}/popup/index.html`);
      interactive.push(await markTime(page, 'cfr:list-interactive'));
      fresh.push(await markTime(page, 'cfr:list-fresh'));
      complete.push(await markTime(page, 'cfr:list-complete'));
    }

    const cold: number[] = [];
    const freshCold: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto('about:blank');
      await page.waitForTimeout(3000);
      await page.goto(`${base}/popup/index.html`);
      cold.push(await markTime(page, 'cfr:list-interactive'));
      freshCold.push(await markTime(page, 'cfr:list-fresh'));
    }

    const render: number[] = [];
    const open: number[] = [];
    const read: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      await page.goto('about:blank');
      await page.goto(`${base}/popup/index.html#/c/${encodeURIComponent(bigId)}`);
      const rendered = await markTime(page, 'cfr:timeline-rendered');
      const analyzed = await markTime(page, 'cfr:conversation-analyzed');
      const readAt = await markTime(page, 'cfr:conversation-read');
      const rows = await page.locator('.tl-row').count();
      if (rows === 0) throw new Error('benchmark: the 500-turn timeline rendered no rows');
      if (i === 0) continue; // warm-up
      render.push(rendered - analyzed);
      open.push(rendered);
      read.push(readAt);
    }
    return {
      popupInteractiveMs: median(interactive),
      popupColdMs: median(cold),
      popupFreshMs: median(fresh),
      popupFreshColdMs: median(freshCold),
      timelineRenderMs: median(render),
      listCompleteMs: median(complete),
      conversationOpenMs: median(open),
      conversationReadMs: median(read),
      seeded: {
        calls: seeded.calls,
        chunks: seeded.chunks,
        conversations: seeded.conversationIds.length,
        bigTurns: 500,
        seedMs: seeded.ms,
      },
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// `npx tsx bench/ui.bench.ts` runs it alone and prints every figure.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchUi().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
