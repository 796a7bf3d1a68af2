/**
 * The typed sender of the message protocol (src/messages.ts), for extension pages. Kept out of browser.ts:
 * the relay imports that module at document_start on every ChatGPT page and must not bundle zod.
 */
import { parseReply, type Send } from '../src/messages';
import { browser } from './browser';

/**
 * Sends message `name` to the background and resolves to its typed response. Rejects with the
 * background's error (refused, invalid body, failed write), or when there is no answer or it is malformed.
 */
export const send: Send = async (name, body) => {
  const reply = parseReply(name, await browser.runtime.sendMessage({ name, body }));
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
};
