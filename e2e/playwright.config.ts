import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  outputDir: '../test-results',
  use: { trace: 'off' },
  projects: [
    { name: 'main', testIgnore: /live\.spec\.ts$/ },
    // Timing assertions (chunk → screen within 250 ms) run alone, once everything else is done.
    { name: 'timing', testMatch: /live\.spec\.ts$/, dependencies: ['main'] },
  ],
});
