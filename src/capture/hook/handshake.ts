/**
 * The hook's side of the private channel to the relay (src/capture/channel.ts explains the exchange).
 */
import { HANDSHAKE_EVENT, HOOK_HELLO, RELAY_HELLO } from '../channel';
import type { Intrinsics } from './intrinsics';
import type { PageWindow } from './types';

/**
 * Makes the private MessageChannel and offers its second port to the relay in a cancelable DOM event,
 * now and whenever the relay says hello, until the relay takes it (cancels the event). Returns the port the
 * hook keeps (port1); the relay's messages arrive on it.
 */
export function offerPort(win: PageWindow, js: Intrinsics): MessagePort {
  const channel = new win.MessageChannel();
  // The port is handed over once: the relay cancels the event when it takes the port, and from then on
  // the hook stops listening, so a page script replaying the handshake gets nothing (the relay's settings
  // arrive later, after an async storage read, while page scripts already run).
  let handedOver = false;
  const offer = () => {
    if (handedOver) return;
    const ev = new win.MessageEvent(HANDSHAKE_EVENT, {
      data: HOOK_HELLO,
      ports: [channel.port2],
      cancelable: true,
    });
    if (!js.dispatchEvent(win, ev)) {
      handedOver = true;
      js.removeEventListener(win, HANDSHAKE_EVENT, onHello, true);
    }
  };
  const onHello = (e: Event) => {
    // Through the browser's getter: a page that replaced MessageEvent's `data` before the relay's hello
    // would otherwise keep the port from ever being handed over (and every capture from leaving).
    if (js.messageData(e) === RELAY_HELLO) offer();
  };
  js.addEventListener(win, HANDSHAKE_EVENT, onHello, true);
  offer();
  return channel.port1;
}
