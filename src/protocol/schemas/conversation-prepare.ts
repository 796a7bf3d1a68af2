/**
 * `conversation_prepare`: `POST …/f/conversation/prepare` while the user types (docs/protocol.md §3.4). The
 * body is "like the send body, with partial_query"; no verbatim request is public, so only the typed fields
 * that the captures name are checked.
 */
import { z } from 'zod';
import type { SchemaFamily } from './family';

export const prepareRequest = z.looseObject({
  action: z.string().optional(),
  parent_message_id: z.string().optional(),
  conversation_id: z.string().nullish(),
  model: z.string().optional(),
  /** The text typed so far; its exact shape is not captured. */
  partial_query: z.unknown().optional(),
  client_prepare_state: z.string().optional(),
});

export const prepareResponse = z.looseObject({ status: z.string(), conduit_token: z.string() });

export const conversationPrepare: SchemaFamily = { request: prepareRequest, response: prepareResponse };
