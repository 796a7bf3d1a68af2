/**
 * Chromium: a hostile page, and a page that cancels its reader. The scenarios and their assertions live in
 * hostile-checks.ts, shared with the Firefox spec (firefox-hostile.spec.ts).
 */
import type { BrowserContext } from '@playwright/test';
import type { FakeChatGPT } from './fake-chatgpt/server';
import { type StoredWithChunks, test } from './fixtures';
import {
  abortAfterLastByteKeepsNativeSemantics,
  earlyClonesActAsNative,
  type HostileDriver,
  hostilePageIsBlindAndRecordingGoesOn,
  jsonCancelSettlesAtOnce,
  readerCancelIsStoredAsCancelled,
  replacedTypedArraysNeitherSeeNorAlterCopies,
} from './hostile-checks';

const driver = (
  context: BrowserContext,
  fake: FakeChatGPT,
  stored: () => Promise<StoredWithChunks[]>,
): HostileDriver => ({
  fake,
  stored,
  open: async (url) => {
    const page = await context.newPage();
    await page.goto(url);
    return (fn) => page.evaluate(fn);
  },
});

test('a page that replaces postMessage and JSON.stringify (first in <head>, again later) sees no capture, and recording goes on', async ({
  context,
  fake,
  stored,
}) => {
  await hostilePageIsBlindAndRecordingGoesOn(driver(context, fake, stored));
});

test("the page's reader.cancel() closes the connection and the call is stored as cancelled", async ({
  context,
  fake,
  stored,
}) => {
  await readerCancelIsStoredAsCancelled(driver(context, fake, stored));
});

test("a JSON body aborted after its last byte arrived rejects the page's read with AbortError, as natively, and is stored whole", async ({
  context,
  fake,
  stored,
}) => {
  await abortAfterLastByteKeepsNativeSemantics(driver(context, fake, stored));
});

test("attack: the page's cancel() of a long JSON body settles at once and closes the connection, as natively", async ({
  context,
  fake,
  stored,
}) => {
  await jsonCancelSettlesAtOnce(driver(context, fake, stored));
});

test("attack: a page that replaces Uint8Array and lies through the byte-length getters neither sees nor alters the hook's byte copies", async ({
  context,
  fake,
  stored,
}) => {
  await replacedTypedArraysNeitherSeeNorAlterCopies(driver(context, fake, stored));
});

test("attack: the page's clone() right after its fetch, then cancel(): settles at once as natively, and both calls are stored once", async ({
  context,
  fake,
  stored,
}) => {
  await earlyClonesActAsNative(driver(context, fake, stored));
});
