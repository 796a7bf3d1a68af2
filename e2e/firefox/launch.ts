/**
 * Firefox ESR driven by puppeteer-core over WebDriver BiDi (Playwright cannot load Firefox extensions),
 * with the built extension installed and the ChatGPT hosts served by the fake ChatGPT.
 *
 * How Firefox reaches the fake (checked on Firefox ESR 153):
 * - a PAC script (`network.proxy.autoconfig_url`) sends chatgpt.com, chat.openai.com and ab.chatgpt.com
 *   to TunnelProxy, which pipes the TLS connection to the fake's HTTPS server (so SSE streams over time);
 *   every other host goes DIRECT;
 * - `acceptInsecureCerts` (a BiDi session capability) makes Firefox accept the fake's self-signed
 *   certificate for every request of the session, fetches included, not only navigations.
 *
 * Host permission: Firefox MV3 treats `host_permissions` as user-grantable. With
 * `extensions.originControls.grantByDefault` (true by default in Firefox 127+) they are granted at install,
 * also for an extension installed over BiDi; set to false, the content scripts are simply not injected.
 * It is set explicitly so the tests do not depend on the default.
 */
import { resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { findFirefox } from '../browsers';
import { FAKE_HOSTS } from '../fake-chatgpt/server';
import type { TunnelProxy } from './proxy';

export const FIREFOX_TEST_BUILD = resolve('dist-test/firefox');

export interface FirefoxWithExtension {
  browser: Browser;
  extensionId: string;
}

export async function launchFirefox(
  proxy: TunnelProxy,
  extensionPath: string | null = FIREFOX_TEST_BUILD,
): Promise<FirefoxWithExtension> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: findFirefox(),
    headless: true,
    acceptInsecureCerts: true,
    extraPrefsFirefox: {
      'network.proxy.type': 2,
      'network.proxy.autoconfig_url': proxy.pacUrl(FAKE_HOSTS),
      'extensions.originControls.grantByDefault': true,
    },
  });
  try {
    const extensionId = extensionPath ? await browser.installExtension(extensionPath) : '';
    return { browser, extensionId };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
