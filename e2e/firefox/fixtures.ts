/**
 * Playwright fixtures for the Firefox e2e tests: the fake ChatGPT and its tunnel proxy (one per worker), a
 * fresh Firefox with the test build installed (one per test, so each test starts with an empty database),
 * `play(flow)` and `stored(page)`, read through the test build's query channel in a ChatGPT page.
 */
import { test as base } from '@playwright/test';
import type { Browser, Page } from 'puppeteer-core';
import type { Flow } from '../../test/flows';
import { runSteps, type StepResult } from '../fake-chatgpt/runner';
import { FakeChatGPT } from '../fake-chatgpt/server';
import type { StoredWithChunks } from '../fixtures';
import { launchFirefox } from './launch';
import { TunnelProxy } from './proxy';
import { queryExtension } from './query';

interface Fixtures {
  firefox: Browser;
  play: (flow: Flow) => Promise<{ page: Page; results: StepResult[] }>;
  stored: (page: Page) => Promise<StoredWithChunks[]>;
}

export const test = base.extend<Fixtures, { fake: FakeChatGPT; tunnel: TunnelProxy }>({
  fake: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const fake = await new FakeChatGPT().start();
      await use(fake);
      await fake.close();
    },
    { scope: 'worker' },
  ],
  tunnel: [
    async ({ fake }, use) => {
      const proxy = await new TunnelProxy(() => fake.port).start();
      await use(proxy);
      await proxy.close();
    },
    { scope: 'worker' },
  ],
  firefox: async ({ tunnel }, use) => {
    const { browser } = await launchFirefox(tunnel);
    await use(browser);
    await browser.close();
  },
  play: async ({ fake, firefox }, use) => {
    await use(async (flow) => {
      fake.load(flow);
      const page = await firefox.newPage();
      await page.goto(flow.origin + flow.pagePath);
      const results = await page.evaluate(
        runSteps,
        flow.steps.map((s) => s.request),
      );
      return { page, results };
    });
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
  stored: async ({}, use) => {
    await use(async (page) => (await queryExtension<{ calls: StoredWithChunks[] }>(page, 'dump')).calls);
  },
});

export { expect } from '@playwright/test';
