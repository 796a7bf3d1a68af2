/**
 * `conversation_update`: the sidebar's changes to conversations (docs/protocol.md §13, acheong08/ChatGPT
 * `V1.py` `change_title` / `delete_conversation`): `PATCH …/conversation/{id}` with `{"title": "…"}`
 * (rename), `{"is_visible": false}` (delete, which hides), `{"is_archived": true}` (archive), and
 * `PATCH …/conversations` with `{"is_visible": false}` (clear all). Each is answered `{"success": true}`.
 */
import { z } from 'zod';
import { field, isRecord, own, parseJson, str } from '../json';
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

/** What a conversation update body asks for; `null` where the body does not say. */
export interface ConversationUpdate {
  /** The new title (a rename). */
  title: string | null;
  /** `false`: deleted from the sidebar (the app hides rather than deletes). */
  visible: boolean | null;
  archived: boolean | null;
}

/**
 * Read a `conversation_update` request body (the JSON text as recorded, or already parsed). Never throws:
 * anything that is not a JSON object gives all `null`.
 */
export function conversationUpdateOf(body: unknown): ConversationUpdate {
  let value = body;
  if (typeof body === 'string') {
    const parsed = parseJson(body);
    value = parsed.ok ? parsed.value : null;
  }
  const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
  if (!isRecord(value)) return { title: null, visible: null, archived: null };
  return {
    title: str(own(value, 'title')),
    visible: bool(field(value, 'is_visible')),
    archived: bool(field(value, 'is_archived')),
  };
}

/**
 * The conversation's new title when the body is a rename (`{"title": "…"}`), else null. The conversation
 * is the one the URL names (`conversationIdFromUrl`); the title holds from the call's start time on.
 */
export function titleFromUpdate(body: unknown): string | null {
  return conversationUpdateOf(body).title;
}
