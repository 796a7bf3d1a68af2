/**
 * Finds the system browsers for the e2e tests. Playwright and Puppeteer cannot download browsers on these
 * machines, so: an env var (CHROMIUM_PATH / FIREFOX_PATH), then the Debian paths, then Playwright's cache.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function fromPlaywrightCache(prefix: string, rel: string): string | null {
  const root = process.env.PLAYWRIGHT_BROWSERS_PATH ?? join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(root)) return null;
  for (const d of readdirSync(root)
    .filter((d) => d.startsWith(prefix))
    .sort()
    .reverse()) {
    const p = join(root, d, rel);
    if (existsSync(p)) return p;
  }
  return null;
}

export function findChromium(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  const found =
    candidates.find((p): p is string => !!p && existsSync(p)) ??
    fromPlaywrightCache('chromium-', 'chrome-linux/chrome');
  if (!found) {
    throw new Error(
      'No Chromium found for the e2e tests. Install one (Debian: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    );
  }
  return found;
}

export function findFirefox(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error(
      'No Firefox found for the e2e tests. Install one (Debian: `sudo apt-get install firefox-esr`) or set FIREFOX_PATH to a Firefox binary (128 or newer).',
    );
  }
  return found;
}

/** Flags Chromium needs as root on a machine without network (see README, Development). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--ignore-certificate-errors',
];
