// ISOLATED world, document_start: takes the hook's private port and forwards its events to the background.
import { HANDSHAKE_EVENT, HOOK_HELLO, RELAY_HELLO, type SettingsMessage } from '../../src/capture/channel';
import { RelayQueue } from '../../src/capture/relay-queue';
import { readSettings, SETTINGS_KEY } from '../../src/settings';
import { browser, send } from '../browser';
import { installTestQuery } from './test-query';

let hookPort: MessagePort | null = null;

const queue = new RelayQueue({
  deliver: async (batchId, events) => {
    try {
      const r = await send('capture/batch', { batchId, events: events as never });
      return r.ok;
    } catch (err) {
      // The extension was reloaded, updated or removed while this tab stayed open: this relay is orphaned
      // for good. Tell the hook to stop recording so the page does no work for nothing.
      if (!browser.runtime?.id) stopHook();
      throw err;
    }
  },
});

function stopHook() {
  queue.close();
  const msg: SettingsMessage = { type: 'settings', recording: false, maxBodyBytes: 0 };
  hookPort?.postMessage(JSON.stringify(msg));
}

function onHello(e: Event) {
  const m = e as MessageEvent;
  const port = m.ports?.[0];
  if (m.data !== HOOK_HELLO || !port) return;
  window.removeEventListener(HANDSHAKE_EVENT, onHello, true);
  connect(port);
}
window.addEventListener(HANDSHAKE_EVENT, onHello, true);
window.dispatchEvent(new MessageEvent(HANDSHAKE_EVENT, { data: RELAY_HELLO }));

function connect(port: MessagePort) {
  hookPort = port;
  port.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    try {
      queue.push(JSON.parse(e.data));
    } catch {}
  };
  const push = (raw: unknown) => {
    const s = readSettings(raw);
    const msg: SettingsMessage = { type: 'settings', recording: s.recording, maxBodyBytes: s.maxBodyBytes };
    port.postMessage(JSON.stringify(msg));
  };
  browser.storage.local.get(SETTINGS_KEY).then(
    (r) => push(r[SETTINGS_KEY]),
    () => push(undefined),
  );
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[SETTINGS_KEY]) push(changes[SETTINGS_KEY].newValue);
  });
}

if (__TEST_BUILD__) installTestQuery();
