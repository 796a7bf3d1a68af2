/**
 * `conversation_update`: the sidebar's changes to conversations (docs/protocol.md §13, acheong08/ChatGPT
 * `V1.py` `change_title` / `delete_conversation`): `PATCH …/conversation/{id}` with `{"title": "…"}`
 * (rename), `{"is_visible": false}` (delete, which hides), `{"is_archived": true}` (archive), and
 * `PATCH …/conversations` with `{"is_visible": false}` (clear all). Each is answered `{"success": true}`.
 * Reading a body: ../conversation-update.ts.
 */
import { z } from 'zod';
import { successResponse } from './common';
import type { SchemaFamily } from './family';

/** The members the web app is known to change; any may be absent, unknown ones pass. */
export const conversationUpdateRequest = z.looseObject({
  title: z.string().optional(),
  is_visible: z.boolean().optional(),
  is_archived: z.boolean().optional(),
});

export const conversationUpdate: SchemaFamily = {
  request: conversationUpdateRequest,
  response: successResponse,
};
