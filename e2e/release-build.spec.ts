/**
 * What `npm run package` zips, checked on the built output:
 * - the e2e query channel exists only in test builds: every marker of it is in dist-test/<browser> (so
 *   this test can fail) and in no file of the release builds in dist/<browser>;
 * - each browser's manifest has its own keys and none of the other's (extension/targets.ts).
 * Needs `npm run build && npm run build:test` first (npm test does both).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { FIREFOX_MIN_VERSION, GECKO_ID, TARGETS } from '../extension/targets';
import { TEST_ANSWER, TEST_PORT, TEST_QUERY } from '../extension/test-query-protocol';

// The background's dump marker and global (extension/background/test-channel.ts), the relay's window
// message markers and the runtime port name (extension/test-query-protocol.ts).
const MARKERS = ['CFR_TEST_CHANNEL', '__cfrTest', TEST_QUERY, TEST_ANSWER, TEST_PORT];

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function filesWith(dir: string, marker: string): string[] {
  return files(dir)
    .filter((f) => readFileSync(f, 'latin1').includes(marker))
    .map((f) => relative(dir, f));
}

for (const target of TARGETS) {
  test(`the ${target} release build has no trace of the test query channel`, () => {
    const release = resolve('dist', target);
    const testBuild = resolve('dist-test', target);
    for (const dir of [release, testBuild])
      expect(existsSync(join(dir, 'manifest.json')), `${dir} is built`).toBe(true);
    expect(files(release).length).toBeGreaterThan(5);
    for (const marker of MARKERS) {
      expect(filesWith(testBuild, marker), `${marker} in dist-test/${target}`).not.toEqual([]);
      expect(filesWith(release, marker), `${marker} in dist/${target}`).toEqual([]);
    }
  });
}

interface BuiltManifest {
  background: { service_worker?: string; scripts?: string[]; type?: string };
  browser_specific_settings?: {
    gecko?: { id?: string; strict_min_version?: string; data_collection_permissions?: unknown };
  };
  minimum_chrome_version?: string;
  host_permissions: string[];
  content_scripts: { js: string[]; matches: string[]; run_at?: string; world?: string }[];
}

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BuiltManifest;

test('each release manifest carries only its own browser keys, and the MAIN-world hook', () => {
  const chrome = manifestOf(resolve('dist/chrome'));
  const firefox = manifestOf(resolve('dist/firefox'));

  expect(chrome.background.service_worker).toBeTruthy();
  expect(chrome.background.scripts).toBeUndefined();
  expect(chrome.browser_specific_settings).toBeUndefined();

  expect(firefox.background.scripts).toHaveLength(1);
  expect(firefox.background.service_worker).toBeUndefined();
  expect(firefox.minimum_chrome_version).toBeUndefined();
  expect(firefox.browser_specific_settings).toEqual({
    gecko: {
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN_VERSION,
      // No data is collected or transmitted (AMO requires the key; Firefox < 140 ignores it).
      data_collection_permissions: { required: ['none'] },
    },
  });
  expect(FIREFOX_MIN_VERSION).toBe('128.0'); // the first Firefox with `"world": "MAIN"` content scripts

  for (const [target, m] of [
    ['chrome', chrome],
    ['firefox', firefox],
  ] as const) {
    const dir = resolve('dist', target);
    expect(m.host_permissions).toEqual(['https://chatgpt.com/*', 'https://chat.openai.com/*']);
    const main = m.content_scripts.filter((c) => c.world === 'MAIN');
    expect(main, `${target}: one MAIN-world script`).toHaveLength(1);
    expect(main[0]!.run_at).toBe('document_start');
    expect(main[0]!.matches).toEqual(m.host_permissions);
    for (const c of m.content_scripts)
      for (const js of c.js) expect(existsSync(join(dir, js)), `${target}: ${js} exists`).toBe(true);
    for (const js of m.background.scripts ?? [m.background.service_worker!])
      expect(existsSync(join(dir, js)), `${target}: ${js} exists`).toBe(true);
  }
});
