/**
 * Browser differences, in one named place (used by vite.config.ts). Chrome gets a service worker; Firefox
 * gets `background.scripts` (an event page; @crxjs needs it for its Firefox build) and its gecko settings.
 * Neither manifest carries the other browser's keys.
 */
export type Target = 'chrome' | 'firefox';
export const TARGETS: readonly Target[] = ['chrome', 'firefox'];

export const GECKO_ID = 'chatgpt-flow-recorder@flow-recorder.dev';
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
      data_collection_permissions: { required: ['none'] },
    },
  };
  return m;
}
