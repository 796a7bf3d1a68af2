/**
 * `conversations_list`: the sidebar, `GET …/conversations?offset=0&limit=28&order=updated`
 * (docs/protocol.md §3.6).
 */
import { z } from 'zod';
import { time } from './common';
import type { SchemaFamily } from './family';

export const conversationListItem = z.looseObject({
  id: z.string(),
  title: z.string().nullable(),
  create_time: time,
  update_time: time.nullish(),
  mapping: z.unknown().optional(),
  current_node: z.string().nullish(),
  gizmo_id: z.string().nullish(),
  is_archived: z.boolean().optional(),
  workspace_id: z.string().nullish(),
});

export const conversationsListResponse = z.looseObject({
  items: z.array(conversationListItem),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  has_missing_conversations: z.boolean().optional(),
});

export const conversationsList: SchemaFamily = { response: conversationsListResponse };
