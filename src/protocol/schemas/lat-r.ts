/**
 * `lat_r`: the app's own latency report after each turn (docs/protocol.md §3.6). `server_request_id` is the
 * send's cf-ray (2023–25) or x-oai-request-id (2026): the link between the report and the send.
 */
import { z } from 'zod';
import { statusResponse } from './common';
import type { SchemaFamily } from './family';

const ms = z.number().optional();

export const latRequest = z.looseObject({
  server_request_id: z.string(),
  model: z.string().optional(),
  preflight_time_ms: ms,
  count_tokens: z.number().optional(),
  ts_first_token_ms: ms,
  ts_max_token_time_ms: ms,
  ts_mean_token_without_first_ms: ms,
  ts_median_token_without_first_ms: ms,
  ts_min_token_time_ms: ms,
  ts_p95_token_without_first_ms: ms,
  ts_p99_token_without_first_ms: ms,
  ts_std_dev_token_ms: ms,
  ts_total_request_ms: ms,
});

export const latR: SchemaFamily = { request: latRequest, response: statusResponse };
