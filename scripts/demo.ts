/**
 * Demo: builds the test extension if it is missing or older than the sources, starts the fake ChatGPT,
 * launches Chromium with the extension, replays the seed flow (chat.openai.com, 2023), a thinking turn
 * with a web.run call (chatgpt.com, 2026, paced so its phases are visible) and the real 2026 flow
 * (chatgpt.com), and opens the popup page in a tab.
 *
 * - With `--screenshot DIR`, or when there is no display: writes PNGs of the list, a conversation's
 *   timeline, the details panel, the turns with their latency cards and the checks, and the thinking
 *   turn's phases (timeline, steps and latency card, light and dark), then exits. `--docs` also copies the
 *   thinking turn's timeline to docs/screenshot-timeline.png.
 * - With a display and no flag: leaves the browser open until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from '../e2e/browsers';
import { runSteps } from '../e2e/fake-chatgpt/runner';
import { FakeChatGPT } from '../e2e/fake-chatgpt/server';
import { type Flow, makeCanaries, realFlow2026, seedFlow, thinkingFlow2026 } from '../test/flows';

const args = process.argv.slice(2);
const shotAt = args.indexOf('--screenshot');
const shotDir = shotAt >= 0 ? resolve(args[shotAt + 1] ?? 'artifacts/demo') : null;
const headless = shotDir !== null || !process.env.DISPLAY;
const outDir = shotDir ?? (headless ? resolve('artifacts/demo') : null);
const EXTENSION = resolve('dist-test/chrome');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const manifest = join(EXTENSION, 'manifest.json');
  const built = existsSync(manifest) ? statSync(manifest).mtimeMs : 0;
  const sources = Math.max(newestMtime('src'), newestMtime('extension'), statSync('manifest.json').mtimeMs);
  if (built >= sources) return;
  console.log('Building the test extension (dist-test/chrome)…');
  const r = spawnSync('node', ['scripts/build.mjs', '--test', '--browser=chrome'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

async function play(fake: FakeChatGPT, page: Page, flow: Flow) {
  fake.load(flow);
  await page.goto(flow.origin + flow.pagePath);
  // tsx (esbuild keepNames) wraps named functions in `__name(…)`; the page needs that helper too.
  await page.evaluate(
    `var __name = (f) => f; (${runSteps.toString()})(${JSON.stringify(flow.steps.map((s) => s.request))})`,
  );
}

async function main() {
  buildIfNeeded();
  const fake = await new FakeChatGPT().start();
  const profile = mkdtempSync(join(tmpdir(), 'cfr-demo-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless,
    args: [
      ...CHROMIUM_FLAGS,
      `--host-resolver-rules=${fake.hostResolverRules()}`,
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
    ],
    ignoreHTTPSErrors: true,
    viewport: null,
  });
  const cleanup = async () => {
    await context.close().catch(() => {});
    await fake.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const id = new URL(worker.url()).host;

    const k = makeCanaries();
    const chat = context.pages()[0] ?? (await context.newPage());
    console.log('Replaying the seed flow on chat.openai.com…');
    await play(fake, chat, seedFlow(k));
    console.log('Replaying a thinking turn with a web.run call on chatgpt.com…');
    await play(fake, chat, thinkingFlow2026(k));
    console.log('Replaying the 2026 flow on chatgpt.com…');
    await play(fake, chat, realFlow2026(k));

    const popup = await context.newPage();
    await popup.setViewportSize({ width: 780, height: 580 });
    await popup.goto(`chrome-extension://${id}/extension/popup/index.html`);
    await popup.getByText('Roman Empire Fun Fact').waitFor();
    console.log(`Popup: chrome-extension://${id}/extension/popup/index.html`);
    console.log(`Full tab: chrome-extension://${id}/extension/app/index.html`);

    if (!outDir) {
      console.log('Browser open; press Ctrl-C to quit.');
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
      return;
    }
    mkdirSync(outDir, { recursive: true });
    const shot = async (name: string) => {
      // Let the frame settle (the list updates by animation frame).
      await popup.waitForTimeout(250);
      const path = join(outDir, name);
      await popup.screenshot({ path });
      console.log(`wrote ${path}`);
      return path;
    };
    await shot('1-list.png');
    await popup.getByText('Roman Empire Fun Fact').click();
    await popup.locator('.tl-row').nth(9).waitFor();
    await popup.locator('.tl-row').nth(3).hover();
    await shot('2-timeline.png');
    await popup.locator('.tl-row').nth(3).click();
    await popup.getByRole('complementary', { name: /Details of/ }).waitFor();
    await popup.mouse.move(0, 0);
    await shot('3-details.png');
    await popup.keyboard.press('Escape');
    await popup.getByRole('tab', { name: /Turns/ }).click();
    await shot('4-turns.png');
    await popup.getByRole('tab', { name: /Checks/ }).click();
    await shot('5-checks.png');
    await popup.getByRole('tab', { name: /Timeline/ }).click();
    await popup.emulateMedia({ colorScheme: 'dark' });
    await popup.locator('.tl-row').nth(7).click();
    await shot('7-dark-details.png');
    await popup.emulateMedia({ colorScheme: 'light' });
    // The thinking turn: its stream bar in phases, then its steps and latency card.
    await popup.getByRole('button', { name: 'Back to the list' }).click();
    await popup.locator('.conv-row', { hasText: 'tallest tower' }).click();
    await popup.locator('.tl-bar.phased').waitFor();
    await popup.locator('.tl-row').first().hover();
    const phases = await shot('8-thinking-timeline.png');
    await popup.mouse.move(0, 0);
    await popup.getByRole('tab', { name: /Turns/ }).click();
    await popup.locator('.turn-steps summary').first().click();
    await shot('9-thinking-turn.png');
    await popup.emulateMedia({ colorScheme: 'dark' });
    await shot('10-dark-thinking-turn.png');
    await popup.getByRole('tab', { name: /Timeline/ }).click();
    await popup.locator('.tl-bar.phased').waitFor();
    await shot('11-dark-thinking-timeline.png');
    await popup.emulateMedia({ colorScheme: 'light' });
    // The full-tab view on the 2026 conversation.
    const tab = await context.newPage();
    await tab.setViewportSize({ width: 1280, height: 800 });
    await tab.goto(`chrome-extension://${id}/extension/app/index.html`);
    await tab.locator('.conv-row').first().click();
    await tab.locator('.tl-row').nth(5).waitFor();
    await tab.locator('.tl-row').first().click();
    await tab.waitForTimeout(250);
    await tab.screenshot({ path: join(outDir, '6-tab-2026.png') });
    console.log(`wrote ${join(outDir, '6-tab-2026.png')}`);
    if (args.includes('--docs')) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(phases, 'docs/screenshot-timeline.png');
      console.log('wrote docs/screenshot-timeline.png');
    }
  } catch (err) {
    // Show what the page looked like when a step failed.
    const page = context.pages().at(-1);
    if (page && outDir) await page.screenshot({ path: join(outDir, 'error.png') }).catch(() => {});
    throw err;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
