/**
 * `ces`: ChatGPT's first-party analytics under `/ces/` (docs/protocol.md §3.6, §9): Segment analytics-next
 * events (`/v1/{t,p,i,g,a,s}` one event, `/v1/b` batch, `/v1/m` library metrics), the Statsig log
 * (`/v1/rgstr`), counters (`/statsc/flush`) and the Datadog logs intake (`/v1/telemetry/intake`, NDJSON).
 * Bodies are JSON sent as text/plain.
 */
import { z } from 'zod';
import { record, successResponse } from './common';
import type { SchemaFamily } from './family';
import { rgstrRequest } from './statsig';

/** Segment's event types; the single-event path is the type's first letter. */
export const segmentEvent = z.looseObject({
  type: z.enum(['track', 'page', 'identify', 'group', 'alias', 'screen']),
  event: z.string().optional(),
  timestamp: z.string().optional(),
  messageId: z.string().optional(),
  anonymousId: z.string().nullish(),
  userId: z.string().nullish(),
  properties: record.optional(),
  traits: record.optional(),
  context: record.optional(),
  integrations: record.optional(),
  writeKey: z.string().optional(),
  sentAt: z.string().optional(),
});

export const segmentBatch = z.looseObject({
  batch: z.array(segmentEvent),
  sentAt: z.string().optional(),
  writeKey: z.string().optional(),
});

/** `{"series":[{"type":"Counter","metric":"analytics_js.invoke",…}]}`. */
export const segmentMetrics = z.looseObject({
  series: z.array(z.looseObject({ type: z.string(), metric: z.string(), value: z.number().optional() })),
});

/** Counters and histograms; no verbatim body is public, so any JSON object is accepted. */
export const statscFlush = record;

/** One Datadog browser log per line; only the common fields are typed. */
export const telemetryLine = z.looseObject({
  message: z.string().optional(),
  status: z.string().optional(),
  date: z.number().optional(),
  service: z.string().optional(),
});
export const telemetryIntake = z.array(telemetryLine);

/** `{"success":true}` (Segment, rgstr) or 202 `{"ok":true,"error":null}` (telemetry intake). */
export const cesResponse = z.union([successResponse, z.looseObject({ ok: z.boolean(), error: z.unknown() })]);

export const ces: SchemaFamily = {
  request: z.union([segmentBatch, segmentMetrics, segmentEvent, rgstrRequest]),
  response: cesResponse,
  routes: [
    { path: /^\/ces\/v1\/b\/?$/, request: segmentBatch, response: cesResponse },
    { path: /^\/ces\/v1\/[tpigas]\/?$/, request: segmentEvent, response: cesResponse },
    { path: /^\/ces\/v1\/m\/?$/, request: segmentMetrics, response: cesResponse },
    { path: /^\/ces\/v1\/rgstr\/?$/, request: rgstrRequest, response: cesResponse },
    { path: /^\/ces\/statsc\/flush\/?$/, request: statscFlush, response: cesResponse },
    {
      path: /^\/ces\/v1\/telemetry\/intake\/?$/,
      request: telemetryIntake,
      response: cesResponse,
      ndjson: true,
    },
  ],
};
