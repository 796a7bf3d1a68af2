/**
 * `conversation`: the send (`POST …/conversation`, `…/f/conversation`, `/backend-anon/…`), the resume
 * (`…/f/conversation/resume`), and the WebSocket-era JSON answer (docs/protocol.md §4, §5.5, §5.6). The streamed
 * answer itself is not JSON: the stream decoders handle it.
 */
import { z } from 'zod';
import { record } from './common';
import type { SchemaFamily } from './family';

const inputContent = z.looseObject({ content_type: z.string(), parts: z.array(z.unknown()).optional() });

/** 2023 on: `author.role`. */
const authoredMessage = z.looseObject({
  id: z.string(),
  author: z.looseObject({ role: z.string() }),
  content: inputContent,
  create_time: z.number().optional(),
  metadata: record.optional(),
});

/** December 2022 – early 2023: `role` directly on the message, like the 2022 response frames (§5.2, §13). */
const roleMessage = z.looseObject({
  id: z.string(),
  role: z.string(),
  content: inputContent,
  metadata: record.optional(),
});

const inputMessage = z.union([authoredMessage, roleMessage]);

/** 2023 through 2026 shapes (§4); fields added over time are optional. */
export const sendRequest = z.looseObject({
  action: z.string(),
  messages: z.array(inputMessage).optional(),
  /** A client UUID (2023 new chat), "client-created-root" (2025–26 new chat) or the previous answer's id. */
  parent_message_id: z.string(),
  /** Absent on a new chat's first send. */
  conversation_id: z.string().nullish(),
  model: z.string(),
  timezone_offset_min: z.number().optional(),
  timezone: z.string().optional(),
  /** Starter prompts; only on the first turn of 2023 chats, `[]` afterwards. */
  suggestions: z.array(z.string()).optional(),
  history_and_training_disabled: z.boolean().optional(),
  arkose_token: z.string().nullish(),
  conversation_mode: z.looseObject({ kind: z.string() }).optional(),
  force_paragen: z.boolean().optional(),
  force_rate_limit: z.boolean().optional(),
  websocket_request_id: z.string().optional(),
  supported_encodings: z.array(z.string()).optional(),
  supports_buffering: z.boolean().optional(),
  system_hints: z.array(z.unknown()).optional(),
  enable_message_followups: z.boolean().optional(),
  client_contextual_info: record.optional(),
  paragen_cot_summary_display_override: z.string().optional(),
  force_parallel_switch: z.string().optional(),
  client_prepare_state: z.string().optional(),
});

/** `f/conversation/resume`: `offset` counts the SSE events already consumed (§5.5). */
export const resumeRequest = z.looseObject({ conversation_id: z.string(), offset: z.number().int().min(0) });

/** §5.6 step 3: the answer comes over the Azure socket, tagged with `response_id`. */
export const websocketAnswer = z.looseObject({
  wss_url: z.string(),
  conversation_id: z.string(),
  response_id: z.string(),
});

export const conversation: SchemaFamily = {
  request: z.union([sendRequest, resumeRequest]),
  response: websocketAnswer,
  routes: [
    { path: /\/conversation\/resume\/?$/, request: resumeRequest },
    { path: /\/conversation\/?$/, request: sendRequest, response: websocketAnswer },
  ],
};
