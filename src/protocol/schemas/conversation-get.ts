/**
 * `conversation_get`: `GET …/conversation/{id}` (the message tree) and its `/stream_status` and
 * `/async-status` companions (docs/protocol.md §3.6, §5.5).
 */
import { z } from 'zod';
import { message, statusResponse, time } from './common';
import type { SchemaFamily } from './family';

export const conversationNode = z.looseObject({
  id: z.string(),
  message: message.nullish(),
  /** In 2026 the first node's parent is "client-created-root". */
  parent: z.string().nullish(),
  children: z.array(z.string()),
});

export const conversationTree = z.looseObject({
  title: z.string().nullable(),
  create_time: time.nullish(),
  update_time: time.nullish(),
  mapping: z.record(z.string(), conversationNode),
  current_node: z.string().nullable(),
  conversation_id: z.string().optional(),
  moderation_results: z.array(z.unknown()).optional(),
});

export const conversationGet: SchemaFamily = {
  response: z.union([conversationTree, statusResponse]),
  routes: [
    { path: /\/(?:stream_status|async-status)\/?$/, response: statusResponse },
    { path: /\/conversation\/[^/]+\/?$/, response: conversationTree },
  ],
};
