/**
 * Browser differences, in one named place (used by vite.config.ts). Chrome gets a service worker; Firefox
 * gets `background.scripts` (an event page; @crxjs needs it for its Firefox build) and its gecko settings.
 * Neither manifest carries the other browser's keys (e2e/release-build.spec.ts checks the built ones).
 */
export type Target = 'chrome' | 'firefox';
export const TARGETS: readonly Target[] = ['chrome', 'firefox'];

export const GECKO_ID = 'chatgpt-flow-recorder@flow-recorder.dev';
/** Firefox 128 is the first with `"world": "MAIN"` content scripts, which the page hook needs. */
export const FIREFOX_MIN_VERSION = '128.0';
export const CHROME_MIN_VERSION = '116';

type Json = Record<string, unknown>;

export function manifestFor(base: Json, target: Target): Json {
  const m: Json = structuredClone(base);
  const bg = m.background as { service_worker: string; type?: string };
  if (target === 'chrome') {
    m.minimum_chrome_version = CHROME_MIN_VERSION;
    return m;
  }
  m.background = { scripts: [bg.service_worker], type: 'module' };
  m.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN_VERSION,
      // Nothing is collected or transmitted: captures stay in the browser. addons.mozilla.org requires the
      // key; Firefox reads it from 140 and older versions ignore it (web-ext lint warns about that, no error).
      data_collection_permissions: { required: ['none'] },
    },
  };
  return m;
}
