/**
 * Playwright fixtures: the fake ChatGPT (one per worker), a Chromium with the built extension loaded
 * (one per test, fresh profile), its service worker, and `stored()` — what the extension stored, read from
 * an extension page through the extension's own store code (test builds only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, test as base, chromium, type Page, type Worker } from '@playwright/test';
import type { StoredCall, StoredChunk } from '../src/store/schema';
import type { Flow } from '../test/flows';
import { CHROMIUM_FLAGS, findChromium } from './browsers';
import { runSteps, type StepResult } from './fake-chatgpt/runner';
import { FakeChatGPT } from './fake-chatgpt/server';

export const TEST_BUILD = resolve('dist-test/chrome');
export const RELEASE_BUILD = resolve('dist/chrome');

export type StoredWithChunks = StoredCall & { chunks: StoredChunk[] };

interface Fixtures {
  extensionPath: string | null;
  context: BrowserContext;
  extensionId: string;
  serviceWorker: () => Promise<Worker>;
  stored: () => Promise<StoredWithChunks[]>;
  play: (flow: Flow, page?: Page) => Promise<{ page: Page; results: StepResult[] }>;
}

export async function launchChromium(fake: FakeChatGPT, extensionPath: string | null) {
  const profile = mkdtempSync(join(tmpdir(), 'cfr-profile-'));
  const args = [...CHROMIUM_FLAGS, `--host-resolver-rules=${fake.hostResolverRules()}`];
  if (extensionPath)
    args.push(`--disable-extensions-except=${extensionPath}`, `--load-extension=${extensionPath}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args,
    ignoreHTTPSErrors: true,
  });
  const close = context.close.bind(context);
  context.close = async (...a) => {
    await close(...a);
    rmSync(profile, { recursive: true, force: true });
  };
  return context;
}

export async function getServiceWorker(context: BrowserContext): Promise<Worker> {
  const existing = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  return existing ?? context.waitForEvent('serviceworker', { timeout: 15_000 });
}

export const test = base.extend<Fixtures, { fake: FakeChatGPT }>({
  fake: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const fake = await new FakeChatGPT().start();
      await use(fake);
      await fake.close();
    },
    { scope: 'worker' },
  ],
  extensionPath: [TEST_BUILD, { option: true }],
  context: async ({ fake, extensionPath }, use) => {
    const context = await launchChromium(fake, extensionPath);
    await use(context);
    await context.close();
  },
  serviceWorker: async ({ context }, use) => {
    await use(() => getServiceWorker(context));
  },
  extensionId: async ({ serviceWorker }, use) => {
    const w = await serviceWorker();
    await use(new URL(w.url()).host);
  },
  stored: async ({ context, extensionId }, use) => {
    let page: Page | null = null;
    await use(async () => {
      if (!page || page.isClosed()) {
        page = await context.newPage();
        await page.goto(`chrome-extension://${extensionId}/extension/app/index.html`);
      }
      const r = (await page.evaluate(() =>
        (globalThis as unknown as { __cfrTest: { dump(): Promise<unknown> } }).__cfrTest.dump(),
      )) as { calls: StoredWithChunks[] };
      return r.calls;
    });
  },
  play: async ({ fake, context }, use) => {
    await use(async (flow, existing) => {
      fake.load(flow);
      const page = existing ?? (await context.newPage());
      if (!existing) await page.goto(flow.origin + flow.pagePath);
      const results = await page.evaluate(
        runSteps,
        flow.steps.map((s) => s.request),
      );
      return { page, results };
    });
  },
});

export { expect } from '@playwright/test';

/** Polls until `fn` returns a truthy value (captures land asynchronously, after the relay's batching). */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Stops the extension's service worker (as Chrome does after 30 s idle); the next message restarts it. */
export async function stopServiceWorker(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  // Every status each worker version went through, in order: a restart can follow a stop within ms.
  const history = new Map<string, string[]>();
  cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
    for (const v of e.versions) {
      if (!v.scriptURL.startsWith('chrome-extension://')) continue;
      history.set(v.versionId, [...(history.get(v.versionId) ?? []), v.runningStatus]);
    }
  });
  await cdp.send('ServiceWorker.enable');
  const mine = await until(async () => {
    for (const [id, states] of history) if (states.at(-1) === 'running') return id;
    return null;
  }, 'the running extension service worker');
  const before = history.get(mine)!.length;
  await cdp.send('ServiceWorker.stopWorker', { versionId: mine });
  const after = () => history.get(mine)!.slice(before);
  await until(async () => after().includes('stopped'), 'the worker to stop');
  return {
    stoppedAt: Date.now(),
    /** Resolves once the worker has been started again after the stop. */
    restarted: () =>
      until(
        async () => after().slice(after().indexOf('stopped')).includes('running'),
        'the worker to restart',
      ),
    detach: () => cdp.detach(),
  };
}
