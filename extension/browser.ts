/**
 * The one module that imports webextension-polyfill (STYLE.md): drop it once every target browser ships
 * promise-based `browser.*`. Also the typed sender for the message protocol in src/messages.ts.
 */
import browser from 'webextension-polyfill';
import type { MessageName, Reply, Request, Responses } from '../src/messages';

export { browser };

export async function send<N extends MessageName>(name: N, body: Request<N>): Promise<Responses[N]> {
  const reply = (await browser.runtime.sendMessage({ name, body })) as Reply<N> | undefined;
  if (!reply) throw new Error(`${name}: no answer`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
