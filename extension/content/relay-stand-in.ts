/**
 * Test support: a stand-in `browser` for the relay's unit tests (`vi.mock('../browser', () =>
 * import('./relay-stand-in'))`). Every batch the relay posts is kept in `posted` and acknowledged at once;
 * storage answers that no view is open, and `stand.storageChanged` is the relay's `storage.onChanged`
 * listener, for a test to report a change.
 */
import { VIEW_OPEN_KEY } from '../../src/capture/channel';

export const posted: { batchId: string; events: string[] }[] = [];
export const stand = {
  ack: null as ((m: unknown) => void) | null,
  storageChanged: null as ((changes: Record<string, { newValue?: unknown }>, area: string) => void) | null,
};

export const browser = {
  runtime: {
    id: 'ext',
    connect: () => ({
      postMessage: (m: { batchId: string; events: string[] }) => {
        posted.push(m);
        setTimeout(() => stand.ack?.({ batchId: m.batchId, ok: true }), 0);
      },
      onMessage: { addListener: (f: (m: unknown) => void) => (stand.ack = f) },
      onDisconnect: { addListener: () => {} },
      disconnect: () => {},
    }),
  },
  storage: {
    local: { get: async () => ({ [VIEW_OPEN_KEY]: false }) },
    onChanged: { addListener: (f: typeof stand.storageChanged) => (stand.storageChanged = f) },
  },
};
