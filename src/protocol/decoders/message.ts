/**
 * The message model shared by every stream variant (2022 role-on-message, legacy snapshots, v1 roots,
 * conversation/{id} nodes): extraction into DecodedMessage and the answer rules of docs/protocol.md §6.
 */
import type { DecodedMessage, ImageRef, MessagePart, Reasoning, Source, Thought } from '../decoded';
import { field, isRecord, type JsonRecord, own, str } from '../json';

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
  return str(field(content, 'text')) ?? str(field(content, 'content')) ?? str(field(content, 'result')) ?? '';
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
  return (
    str(field(content, 'text')) ??
    str(field(content, 'content')) ??
    str(field(content, 'result')) ??
    ''
  ).length;
}

/**
 * How much content a message has, in characters (plus one per non-text part and per thought): what grows
 * when text, code, thoughts or image parts arrive. Used for the content times of every message, not only
 * the answer (docs/protocol.md §13: phases of a turn).
 */
export function contentSizeOf(message: unknown): number {
  const content = field(message, 'content');
  if (!isRecord(content)) return 0;
  let n = 0;
  const parts = own(content, 'parts');
  if (Array.isArray(parts)) for (const part of parts) n += typeof part === 'string' ? part.length : 1;
  for (const key of ['text', 'content', 'result']) {
    const v = own(content, key);
    if (typeof v === 'string') n += v.length;
  }
  const thoughts = own(content, 'thoughts');
  if (Array.isArray(thoughts)) {
    for (const t of thoughts) {
      n += 1 + (str(field(t, 'summary'))?.length ?? 0) + (str(field(t, 'content'))?.length ?? 0);
    }
  }
  return n;
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

const REASONING_TYPES = new Set(['thoughts', 'reasoning_recap']);

/**
 * What a message is (docs/protocol.md §13), before the answer is chosen: every answer candidate is
 * `answer` here; buildTurn makes the candidates that were not chosen `commentary`.
 */
export function partOf(message: unknown): MessagePart {
  const role = roleOf(message);
  if (role === 'user') return 'user';
  if (role === 'system' || role === 'developer') return 'system';
  if (role === 'tool') return 'tool_result';
  if (role !== 'assistant') return 'other';
  const recipient = str(field(message, 'recipient'));
  if (recipient !== null && recipient !== 'all') return 'tool_call';
  const type = contentTypeOf(message);
  const channel = channelOf(message);
  if ((type !== null && REASONING_TYPES.has(type)) || channel === 'analysis') return 'reasoning';
  if (isAnswerCandidate(message)) return 'answer';
  if (channel === 'commentary' || isThinkingPreamble(message)) return 'commentary';
  return 'other';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** "Thought for 3s", "Thought for 1m 5s", "Thought for 12 seconds" → seconds; null when it says no time. */
export function secondsFromRecap(recap: string): number | null {
  const m = /(?:(\d+)\s*m(?:in(?:ute)?s?)?\b\s*)?(?:(\d+(?:\.\d+)?)\s*s(?:ec(?:ond)?s?)?\b)/i.exec(recap);
  if (m) return Number(m[1] ?? 0) * 60 + Number(m[2]);
  const minutes = /(\d+)\s*m(?:in(?:ute)?s?)?\b/i.exec(recap);
  return minutes ? Number(minutes[1]) * 60 : null;
}

function reasoningOf(content: unknown, metadata: JsonRecord): Reasoning {
  const thoughts: Thought[] = [];
  const raw = field(content, 'thoughts');
  if (Array.isArray(raw)) {
    for (const t of raw) {
      thoughts.push({
        summary: str(field(t, 'summary')),
        content: str(field(t, 'content')) ?? '',
        finished: bool(field(t, 'finished')),
      });
    }
  }
  // The recap message's text, or the "Thought for 7s" the app stores on the thoughts message itself
  // (`metadata.finished_text`, patched in when reasoning ends; gpt4free OpenaiChat.py reads it).
  const recap =
    (field(content, 'content_type') === 'reasoning_recap' ? str(field(content, 'content')) : null) ??
    str(own(metadata, 'finished_text'));
  const seconds =
    num(own(metadata, 'finished_duration_sec')) ?? (recap === null ? null : secondsFromRecap(recap));
  return { thoughts, recap, seconds };
}

/** Web sources: `search_result_groups[].entries[]` and `content_references[].items[]`, by URL, first kept. */
function sourcesOf(metadata: JsonRecord): Source[] {
  const out: Source[] = [];
  const seen = new Set<string>();
  const add = (entry: unknown) => {
    const url = str(field(entry, 'url'));
    if (url === null || seen.has(url)) return;
    seen.add(url);
    out.push({ url, title: str(field(entry, 'title')), snippet: str(field(entry, 'snippet')) });
  };
  const groups = own(metadata, 'search_result_groups');
  if (Array.isArray(groups)) {
    for (const g of groups) {
      const entries = field(g, 'entries');
      if (Array.isArray(entries)) for (const e of entries) add(e);
    }
  }
  const refs = own(metadata, 'content_references');
  if (Array.isArray(refs)) {
    for (const r of refs) {
      const items = field(r, 'items');
      if (Array.isArray(items)) for (const i of items) add(i);
    }
  }
  return out;
}

/** `image_asset_pointer` parts (image generation results, uploads). */
function imagesOf(content: unknown): ImageRef[] {
  const parts = field(content, 'parts');
  if (!Array.isArray(parts)) return [];
  const out: ImageRef[] = [];
  for (const part of parts) {
    const pointer = str(field(part, 'asset_pointer'));
    if (pointer === null) continue;
    const meta = field(part, 'metadata');
    out.push({
      assetPointer: pointer,
      width: num(field(part, 'width')),
      height: num(field(part, 'height')),
      genId: str(field(field(meta, 'dalle'), 'gen_id')) ?? str(field(field(meta, 'generation'), 'gen_id')),
    });
  }
  return out;
}

/**
 * Extract a DecodedMessage: the fields of every message, its part, tool name, reasoning, sources and
 * images, and the raw content of tool calls, tool results and other messages. `clone` copies what is
 * kept by reference (metadata, raw content) so that a live snapshot handed out earlier does not change
 * when later v1 operations mutate the document it came from. Times are the caller's (see withTimes).
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
  const part = partOf(message);
  const content = own(message, 'content');
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
    part,
  };
  const author = own(message, 'author');
  if (isRecord(author) && Object.hasOwn(author, 'name')) decoded.name = str(own(author, 'name'));
  if (Object.hasOwn(message, 'recipient')) decoded.recipient = str(own(message, 'recipient'));
  if (Object.hasOwn(message, 'channel')) decoded.channel = str(own(message, 'channel'));
  if (part === 'tool_call') decoded.tool = str(own(message, 'recipient'));
  else if (part === 'tool_result') decoded.tool = decoded.name ?? null;
  if (part === 'reasoning') decoded.reasoning = reasoningOf(content, metadata);
  const sources = sourcesOf(metadata);
  if (sources.length > 0) decoded.sources = sources;
  const images = imagesOf(content);
  if (images.length > 0) decoded.images = images;
  if ((part === 'tool_call' || part === 'tool_result' || part === 'other') && content !== undefined) {
    decoded.content = clone ? structuredClone(content) : content;
  }
  return decoded;
}

/** When a message appeared and when its content first and last grew (epoch ms), as a variant tracked it. */
export interface MessageTimes {
  seen: number;
  first: number | null;
  last: number | null;
}

/** Track content times per message id: call after every frame that touched the message. */
export class ContentClock {
  private readonly times = new Map<string, MessageTimes>();

  /** `before`/`after`: content sizes of this message before and after the frame (before = -1: new). */
  note(id: string, time: number, before: number, after: number): void {
    let t = this.times.get(id);
    if (!t) {
      t = { seen: time, first: null, last: null };
      this.times.set(id, t);
    }
    if (after > Math.max(before, 0)) {
      t.first ??= time;
      t.last = time;
    }
  }

  get(id: string): MessageTimes | undefined {
    return this.times.get(id);
  }

  /** The message with its times set. */
  stamp(message: DecodedMessage): DecodedMessage {
    const t = this.times.get(message.id);
    message.seenTime = t?.seen ?? null;
    message.firstContentTime = t?.first ?? null;
    message.lastContentTime = t?.last ?? null;
    return message;
  }
}
