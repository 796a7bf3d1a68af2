/**
 * Insights benchmark, in Chromium with the test build (dist-test/chrome): the store is seeded through the
 * full-tab page's test-only hook (extension/app/bench-seed.ts) with generated conversations of 10 turns and
 * their turn summaries (as the background writes them when each turn ends), then the Insights page is
 * opened: navigation start → every plot drawn (performance mark `cfr:insights-drawn`, the frame after the
 * render that has the data). Two sizes: 1,000 turns / ~10,000 calls and 10,000 turns / ~100,000 calls;
 * min/median/max over RUNS opens each (after a warm-up), and the ratio of the medians (goal ≤ 2: reading
 * and aggregating grow with the store, the page's fixed costs do not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from '../e2e/browsers';

const EXTENSION = resolve('dist-test/chrome');
const RUNS = 5;

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface InsightsBench {
  small: Spread & { turns: number; calls: number };
  large: Spread & { turns: number; calls: number };
  /** large.median / small.median. */
  ratio: number;
}

const spread = (xs: number[]): Spread => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { min: s[0]!, median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, max: s.at(-1)! };
};

async function drawnAt(page: Page): Promise<number> {
  const h = await page.waitForFunction(
    () => performance.getEntriesByName('cfr:insights-drawn')[0]?.startTime ?? null,
    null,
    {
      timeout: 120_000,
      polling: 5,
    },
  );
  return (await h.jsonValue()) as number;
}

async function measure(base: string, page: Page, conversations: number) {
  const seeder = await page.context().newPage();
  await seeder.goto(`${base}/app/index.html`);
  const seeded = (await seeder.evaluate(
    (n) =>
      (
        globalThis as unknown as {
          __cfrBench: { seed(o: object): Promise<{ calls: number; conversationIds: string[] }> };
        }
      ).__cfrBench.seed({
        conversations: n,
        turnsEach: [10],
        telemetryPerTurn: 6,
        eventsPerReply: 6,
        seed: 12,
        summaries: true,
      }),
    conversations,
  )) as { calls: number; conversationIds: string[] };
  await seeder.close();
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    await page.goto('about:blank');
    await page.goto(`${base}/insights/index.html`);
    const t = await drawnAt(page);
    const canvases = await page.locator('.ins-plot canvas').count();
    if (canvases < 8) throw new Error(`benchmark: only ${canvases} plots drawn`);
    if (i > 0) times.push(t);
    if (i === RUNS) {
      const marks = await page.evaluate(() =>
        performance
          .getEntriesByType('mark')
          .map((m) => `${m.name.replace('cfr:insights-', '')} ${m.startTime.toFixed(0)}`),
      );
      console.log(`      marks (${conversations * 10} turns): ${marks.join(', ')}`);
    }
  }
  return { ...spread(times), turns: conversations * 10, calls: seeded.calls };
}

export async function benchInsights(): Promise<InsightsBench> {
  const profile = mkdtempSync(join(tmpdir(), 'cfr-bench-insights-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${EXTENSION}`, `--load-extension=${EXTENSION}`],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const base = `chrome-extension://${new URL(worker.url()).host}/extension`;
    const page = await context.newPage();
    const small = await measure(base, page, 100);
    const large = await measure(base, page, 1000);
    return { small, large, ratio: large.median / small.median };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// `npx tsx bench/insights.bench.ts` runs it alone and prints every figure.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchInsights().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
