/**
 * `statsig`: the Statsig SDK on ab.chatgpt.com (docs/protocol.md §2, §9). 2024 `rgstr` bodies are JSON; 2026
 * logged-out ones are gzip (`gz=1`) and arrive as binary. `initialize` fetches the feature gates.
 */
import { z } from 'zod';
import { record, successResponse } from './common';
import type { SchemaFamily } from './family';

export const statsigEvent = z.looseObject({
  eventName: z.string(),
  time: z.union([z.number(), z.string()]).optional(),
  user: record.nullish(),
  value: z.unknown().optional(),
  metadata: record.nullish(),
});

/** `rgstr` / `log_event` / `log_event_beacon`: a batch of events. */
export const rgstrRequest = z.looseObject({
  events: z.array(statsigEvent),
  statsigMetadata: record.optional(),
});

export const initializeRequest = z.looseObject({
  user: record.nullish(),
  statsigMetadata: record.optional(),
});
/** The gates and configs, when something changed since the client's `sinceTime`. */
export const initializeUpdates = z.looseObject({
  feature_gates: z.unknown(),
  dynamic_configs: z.unknown().optional(),
  layer_configs: z.unknown().optional(),
  has_updates: z.boolean().optional(),
  time: z.number().optional(),
});
/**
 * "Nothing changed since `sinceTime`": `{"has_updates": false}` (statsig-io/js-client-monorepo
 * `InitializeResponse`, the no-updates branch; docs/protocol.md §13).
 */
export const initializeNoUpdates = z.looseObject({ has_updates: z.literal(false) });
export const initializeResponse = z.union([initializeUpdates, initializeNoUpdates]);

export const statsig: SchemaFamily = {
  request: z.union([rgstrRequest, initializeRequest]),
  response: z.union([successResponse, initializeResponse]),
  routes: [
    { path: /\/(?:rgstr|log_event|log_event_beacon)\/?$/, request: rgstrRequest, response: successResponse },
    { path: /\/initialize\/?$/, request: initializeRequest, response: initializeResponse },
  ],
};
