/**
 * The message model shared by every stream variant (2022 role-on-message, legacy snapshots, v1 roots,
 * conversation/{id} nodes): extraction into DecodedMessage and the answer rules of wire-formats §6.
 */
import type { DecodedMessage } from '../decoded';
import { field, isRecord, own, str } from '../json';

/** `message.author.role`, or `message.role` in December 2022 frames (§5.2). */
export function roleOf(message: unknown): string | null {
  return str(field(field(message, 'author'), 'role')) ?? str(field(message, 'role'));
}

export function contentTypeOf(message: unknown): string | null {
  return str(field(field(message, 'content'), 'content_type'));
}

/**
 * The string parts of `content.parts`, concatenated (image pointers and other objects skipped), or
 * `content.text` (code, execution output) / `content.content` (reasoning_recap).
 */
export function textOf(message: unknown): string {
  const content = field(message, 'content');
  const parts = field(content, 'parts');
  if (Array.isArray(parts)) {
    let text = '';
    for (const part of parts) if (typeof part === 'string') text += part;
    return text;
  }
  return str(field(content, 'text')) ?? str(field(content, 'content')) ?? '';
}

/** Length of `textOf` without building the string: v1 checks it on every frame (§ performance). */
export function textLengthOf(message: unknown): number {
  const content = field(message, 'content');
  const parts = field(content, 'parts');
  if (Array.isArray(parts)) {
    let n = 0;
    for (const part of parts) if (typeof part === 'string') n += part.length;
    return n;
  }
  return (str(field(content, 'text')) ?? str(field(content, 'content')) ?? '').length;
}

const TEXT_CONTENT = new Set(['text', 'multimodal_text']);

/** `message.channel`, or null when absent (streams before 2024 have none). */
export function channelOf(message: unknown): string | null {
  return str(field(message, 'channel'));
}

/**
 * A thinking preamble: the short "I'm going to…" note a thinking model shows before it reasons
 * (`metadata.is_thinking_preamble_message: true`, sent on `channel: "commentary"`; docs/protocol.md §13).
 */
export function isThinkingPreamble(message: unknown): boolean {
  return field(field(message, 'metadata'), 'is_thinking_preamble_message') === true;
}

/**
 * Could this message be the answer (docs/protocol.md §6.1 rule 4, §6.2 rule 6, §13 channels)? Assistant,
 * addressed to everyone, with text content, on the `final` channel or on none (streams before channels),
 * and not a thinking preamble. `commentary` (progress notes, preambles) and any other named channel are
 * never the answer. A missing recipient counts as `all`: no capture shows an answer without it, and
 * treating it as a tool call would lose the text of an unseen variant.
 */
export function isAnswerCandidate(message: unknown): boolean {
  if (roleOf(message) !== 'assistant') return false;
  const recipient = field(message, 'recipient');
  if (recipient !== undefined && recipient !== null && recipient !== 'all') return false;
  const type = contentTypeOf(message);
  if (type === null || !TEXT_CONTENT.has(type)) return false;
  const channel = channelOf(message);
  if (channel !== null && channel !== 'final') return false;
  return !isThinkingPreamble(message);
}

/**
 * The answer among candidates given latest first: the first on channel `final` (§13: the answer is chosen
 * by channel, never by position), else the first candidate (older streams without channels, §6.1, §6.2).
 */
export function pickAnswer<T>(latestFirst: readonly T[], message: (t: T) => unknown): T | undefined {
  return latestFirst.find((t) => channelOf(message(t)) === 'final') ?? latestFirst[0];
}

/** Assistant-side: what DecodedTurn.messages lists (answer, tool calls and outputs, reasoning). */
export function isAssistantSide(role: string): boolean {
  return role !== 'user' && role !== 'system' && role !== 'developer';
}

/**
 * Extract a DecodedMessage. `clone` copies the metadata so that a live snapshot handed out earlier does not
 * change when later v1 operations mutate the document it came from.
 */
export function toDecodedMessage(message: unknown, clone: boolean): DecodedMessage | null {
  if (!isRecord(message)) return null;
  const id = str(own(message, 'id'));
  if (id === null) return null;
  const rawMeta = own(message, 'metadata');
  const metadata: Record<string, unknown> = isRecord(rawMeta)
    ? clone
      ? structuredClone(rawMeta)
      : rawMeta
    : {};
  const endTurn = own(message, 'end_turn');
  const decoded: DecodedMessage = {
    id,
    role: roleOf(message) ?? 'unknown',
    contentType: contentTypeOf(message),
    text: textOf(message),
    status: str(own(message, 'status')),
    endTurn: typeof endTurn === 'boolean' ? endTurn : null,
    model: str(own(metadata, 'model_slug')) ?? str(own(metadata, 'resolved_model_slug')),
    parentId: str(own(metadata, 'parent_id')),
    finishDetails: own(metadata, 'finish_details') ?? null,
    metadata,
  };
  const author = own(message, 'author');
  if (isRecord(author) && Object.hasOwn(author, 'name')) decoded.name = str(own(author, 'name'));
  if (Object.hasOwn(message, 'recipient')) decoded.recipient = str(own(message, 'recipient'));
  if (Object.hasOwn(message, 'channel')) decoded.channel = str(own(message, 'channel'));
  return decoded;
}
