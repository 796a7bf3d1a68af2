/**
 * Firefox ESR: the hostile-page scenarios of the Chromium spec (hostile-page.spec.ts), same fake routes,
 * page code and assertions (hostile-checks.ts), recorded by the Firefox build and read back through the
 * test build's query channel.
 */
import type { Browser, Page } from 'puppeteer-core';
import type { FakeChatGPT } from './fake-chatgpt/server';
import { test } from './firefox/fixtures';
import type { StoredWithChunks } from './fixtures';
import {
  abortAfterLastByteKeepsNativeSemantics,
  earlyClonesActAsNative,
  type HostileDriver,
  hostilePageIsBlindAndRecordingGoesOn,
  jsonCancelSettlesAtOnce,
  readerCancelIsStoredAsCancelled,
  replacedTypedArraysNeitherSeeNorAlterCopies,
} from './hostile-checks';

/** Storage is read through the query channel of the last page opened (a ChatGPT page, where the relay runs). */
const driver = (
  firefox: Browser,
  fake: FakeChatGPT,
  stored: (page: Page) => Promise<StoredWithChunks[]>,
): HostileDriver => {
  let last: Page | null = null;
  return {
    fake,
    stored: () => stored(last!),
    open: async (url) => {
      const page = await firefox.newPage();
      await page.goto(url);
      last = page;
      return (fn) => page.evaluate(fn);
    },
  };
};

test('Firefox: a page that replaces postMessage and JSON.stringify (first in <head>, again later) sees no capture, and recording goes on', async ({
  firefox,
  fake,
  stored,
}) => {
  await hostilePageIsBlindAndRecordingGoesOn(driver(firefox, fake, stored));
});

test("Firefox: the page's reader.cancel() closes the connection and the call is stored as cancelled", async ({
  firefox,
  fake,
  stored,
}) => {
  await readerCancelIsStoredAsCancelled(driver(firefox, fake, stored));
});

test("Firefox: a JSON body aborted after its last byte arrived rejects the page's read with AbortError, as natively, and is stored whole", async ({
  firefox,
  fake,
  stored,
}) => {
  await abortAfterLastByteKeepsNativeSemantics(driver(firefox, fake, stored));
});

test("Firefox attack: the page's cancel() of a long JSON body settles at once and closes the connection, as natively", async ({
  firefox,
  fake,
  stored,
}) => {
  await jsonCancelSettlesAtOnce(driver(firefox, fake, stored));
});

test("Firefox attack: a page that replaces Uint8Array and lies through the byte-length getters neither sees nor alters the hook's byte copies", async ({
  firefox,
  fake,
  stored,
}) => {
  await replacedTypedArraysNeitherSeeNorAlterCopies(driver(firefox, fake, stored));
});

test("Firefox attack: the page's clone() right after its fetch, then cancel(): settles at once as natively, and both calls are stored once", async ({
  firefox,
  fake,
  stored,
}) => {
  await earlyClonesActAsNative(driver(firefox, fake, stored));
});
