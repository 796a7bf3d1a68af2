/**
 * `websocket`: the HTTP calls that set up answer sockets (docs/protocol.md §5.5, §5.6). Both are sent with an
 * empty body; their URLs carry access tokens and are redacted by the recorder. The socket frames themselves
 * are decoded by decoders/websocket.ts, not validated here.
 */
import { z } from 'zod';
import type { SchemaFamily } from './family';

/** 2024 `register-websocket`: an Azure Web PubSub client URL. */
export const registerWebsocketResponse = z.looseObject({
  wss_url: z.string(),
  expires_at: z.string().nullish(),
});
/** 2026 `celsius/ws/user`: the user socket on ws.chatgpt.com. */
export const celsiusResponse = z.looseObject({ websocket_url: z.string() });

export const websocket: SchemaFamily = {
  response: z.union([registerWebsocketResponse, celsiusResponse]),
  routes: [
    { path: /\/register-websocket\/?$/, response: registerWebsocketResponse },
    { path: /\/celsius\/ws\/user\/?$/, response: celsiusResponse },
  ],
};
