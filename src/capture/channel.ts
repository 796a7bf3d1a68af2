/**
 * The private hook ↔ relay channel (docs/architecture.md, "Channel"). Both content scripts run at document_start,
 * before any page script. The hook makes a MessageChannel and hands one port to the relay in a
 * synchronously dispatched, cancelable DOM event; whichever of the two runs first, the other completes the
 * exchange while still at document_start. The relay cancels the event when it takes the port, and both
 * stop listening at that moment. Later page scripts can dispatch the same event name but nobody is
 * listening any more, and they never see the port, so they can neither read captures nor inject fake ones.
 *
 * Messages on the port are JSON strings: Firefox needs structured-clonable data between worlds, and a
 * string is the cheapest such thing. hook → relay: a JSON array of capture events (a bundle); the relay
 * forwards bundles unparsed and the background parses them.
 */
export const HANDSHAKE_EVENT = 'chatgpt-flow-recorder:handshake';
export const HOOK_HELLO = 'hook';
export const RELAY_HELLO = 'relay';

/** relay → hook: current settings (first message, and again whenever they change). */
export interface SettingsMessage {
  type: 'settings';
  recording: boolean;
  maxBodyBytes: number;
}

/** The runtime port name the relay delivers capture batches on (one per tab, reconnected after restarts). */
export const CAPTURE_PORT = 'capture';

/** background → relay on CAPTURE_PORT: the batch is committed (ok) or must be re-sent (not ok). */
export interface CaptureAck {
  batchId: string;
  ok: boolean;
  error?: string;
}

/**
 * The runtime port name extension pages (popup, full-tab view) open to receive live 'stored' broadcasts.
 * The background posts only to open ports, so nothing is sent while no view is open.
 */
export const LIVE_PORT = 'live';
