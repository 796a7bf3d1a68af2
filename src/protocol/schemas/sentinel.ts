/**
 * `sentinel`: anti-abuse calls (docs/protocol.md §2, §3.3–3.5): chat-requirements (2024–25), its 2026
 * prepare/finalize pair, ping heartbeats, and the 2023 Arkose `dx` blob. Token values are secrets; the
 * recorder redacts them before validation, so only their type is checked.
 */
import { z } from 'zod';
import { statusResponse } from './common';
import type { SchemaFamily } from './family';

const required = z.looseObject({ required: z.boolean(), dx: z.string().nullish() });
const proofOfWork = z.looseObject({
  required: z.boolean(),
  seed: z.string().optional(),
  difficulty: z.string().optional(),
});

export const chatRequirementsRequest = z.union([
  z.looseObject({ conversation_mode_kind: z.string() }),
  z.looseObject({ p: z.string() }),
]);
export const chatRequirementsResponse = z.looseObject({
  persona: z.string(),
  token: z.string(),
  arkose: required.optional(),
  turnstile: required.optional(),
  proofofwork: proofOfWork.optional(),
});

export const prepareRequest = z.looseObject({ p: z.string() });
export const prepareResponse = z.looseObject({
  persona: z.string(),
  prepare_token: z.string(),
  turnstile: required.optional(),
  proofofwork: proofOfWork.optional(),
  so: z.unknown().optional(),
});

export const finalizeRequest = z.looseObject({
  prepare_token: z.string(),
  proofofwork: z.string().optional(),
  turnstile: z.string().optional(),
});
export const finalizeResponse = z.looseObject({
  persona: z.string(),
  token: z.string(),
  expire_after: z.number(),
  expire_at: z.number(),
});

export const arkoseDxResponse = z.looseObject({ object: z.string(), data: z.string() });

export const sentinel: SchemaFamily = {
  request: z.union([chatRequirementsRequest, finalizeRequest]),
  response: z.union([
    chatRequirementsResponse,
    prepareResponse,
    finalizeResponse,
    arkoseDxResponse,
    statusResponse,
  ]),
  routes: [
    {
      path: /\/sentinel\/chat-requirements\/prepare\/?$/,
      request: prepareRequest,
      response: prepareResponse,
    },
    {
      path: /\/sentinel\/chat-requirements\/finalize\/?$/,
      request: finalizeRequest,
      response: finalizeResponse,
    },
    {
      path: /\/sentinel\/chat-requirements\/?$/,
      request: chatRequirementsRequest,
      response: chatRequirementsResponse,
    },
    { path: /\/sentinel\/ping\/?$/, response: statusResponse },
    { path: /\/sentinel\/arkose\/dx\/?$/, response: arkoseDxResponse },
  ],
};
