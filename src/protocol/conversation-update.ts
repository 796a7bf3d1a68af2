/**
 * Reading a `conversation_update` request body (schemas/conversation-update.ts has its zod schema): kept
 * apart from zod, as the conversation list reads rename titles with it on the popup's first screen.
 */
import { field, isRecord, own, parseJson, str } from './json';

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
