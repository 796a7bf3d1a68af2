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
 *
 * The guards here are written by hand rather than with zod: the hook and the relay import this module and
 * run at document_start on every ChatGPT page load, so it must stay small. The relay ↔ background batch
 * itself is message `capture/batch` of the protocol in src/messages.ts (the background validates it).
 */
export const HANDSHAKE_EVENT = 'chatgpt-flow-recorder:handshake';
export const HOOK_HELLO = 'hook';
export const RELAY_HELLO = 'relay';

/** relay → hook: current settings (first message, and again whenever they change). */
export interface SettingsMessage {
  type: 'settings';
  recording: boolean;
  maxBodyBytes: number;
  /** Which calls are recorded (settings.ts `RecordingScope`); absent means `all`. */
  scope: 'all' | 'chatgpt';
}

/**
 * Reads a relay → hook port message (a JSON string): the settings, or null for anything else (not JSON,
 * another type, a field of the wrong type, a negative or fractional byte cap).
 */
export function readSettingsMessage(
  data: unknown,
  parse: (text: string) => unknown = JSON.parse,
): SettingsMessage | null {
  // No page-replaceable global here (`String`, `Number.isInteger`): the hook reads the relay's settings
  // after page scripts have run, and a page that replaced one would refuse or rewrite them.
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = parse(data);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  if (!('type' in v) || v.type !== 'settings') return null;
  if (!('recording' in v) || typeof v.recording !== 'boolean') return null;
  if (!('maxBodyBytes' in v) || !isByteCount(v.maxBodyBytes)) return null;
  const scope = 'scope' in v && v.scope === 'chatgpt' ? 'chatgpt' : 'all';
  return { type: 'settings', recording: v.recording, maxBodyBytes: v.maxBodyBytes, scope };
}

/** The runtime port name the relay delivers capture batches on (one per tab, reconnected after restarts). */
export const CAPTURE_PORT = 'capture';

/** background → relay on CAPTURE_PORT: the batch is committed (ok) or must be re-sent (not ok). */
export interface CaptureAck {
  batchId: string;
  ok: boolean;
  error?: string;
}

/** True when a message received on CAPTURE_PORT is a CaptureAck (the port also carries nothing else). */
export function isCaptureAck(m: unknown): m is CaptureAck {
  if (typeof m !== 'object' || m === null) return false;
  if (!('batchId' in m) || typeof m.batchId !== 'string') return false;
  if (!('ok' in m) || typeof m.ok !== 'boolean') return false;
  return !('error' in m) || m.error === undefined || typeof m.error === 'string';
}

/**
 * The batch id of a message received on CAPTURE_PORT, before it is validated: the ack must name the batch
 * even when the rest of the message is refused (else the relay would wait for its timeout). '' when absent.
 */
export function captureBatchId(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('batchId' in body)) return '';
  return String(body.batchId ?? '');
}

function isByteCount(n: unknown): n is number {
  return typeof n === 'number' && n >= 0 && n % 1 === 0;
}

/**
 * The runtime port name extension pages (popup, full-tab view) open to receive live 'stored' broadcasts.
 * The background posts only to open ports, so nothing is sent while no view is open.
 */
export const LIVE_PORT = 'live';

/**
 * `storage.local` key: true while at least one extension view holds a LIVE_PORT open (written by the
 * background). The relays read it to choose how long the hook's bundles may wait before they are sent
 * (`VIEW_OPEN_MAX_DELAY_MS` / `NO_VIEW_MAX_DELAY_MS`, src/capture/relay-queue.ts). Anything else than
 * `true` means no view is open.
 */
export const VIEW_OPEN_KEY = 'viewOpen';
