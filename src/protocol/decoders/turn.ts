/**
 * What all stream variants share: the turn being built (ids, titles, moderation, errors, events), the
 * typed frames that any variant may carry, the legacy frame shapes, and assembling the DecodedTurn.
 */
import type {
  DecodedEvent,
  DecodedMessage,
  DecodedTurn,
  Moderation,
  StreamFormat,
  ToolPhase,
  TurnPhases,
} from '../decoded';
import { field, isRecord, type JsonRecord, own, str, strField } from '../json';
import { ITEM_FRAMES, isStreamFrameType, streamFrameIssue } from '../schemas/stream-frames';
import type { SseComment, SseEvent } from '../sse';
import {
  ContentClock,
  contentSizeOf,
  isAnswerCandidate,
  isAssistantSide,
  pickAnswer,
  roleOf,
  textOf,
  toDecodedMessage,
} from './message';

export interface DecodeOptions {
  /** The page or the network aborted the body (user pressed Stop, navigation…). */
  aborted?: boolean;
  /** How the call ended, as recorded (`complete`, `error`, `aborted`); absent while it is still open. */
  outcome?: string;
}

/** A DecodedEvent plus, internally, which message's answer-eligible text it grew (resolved at the end). */
interface TurnEvent extends DecodedEvent {
  textOf?: string;
}

export interface EventExtras {
  flag?: string;
  /** Id of the message whose answer-eligible text this event grew. */
  textOf?: string;
}

export class TurnState {
  conversationId: string | null = null;
  /** From `input_message` (v1): the most direct statement of this turn's user message. */
  inputMessageId: string | null = null;
  /** From a user echo (legacy snapshot or v1 root). */
  userEchoId: string | null = null;
  inputRequestId: string | null = null;
  echoRequestId: string | null = null;
  steRequestId: string | null = null;
  inputTurnTraceId: string | null = null;
  steTurnTraceId: string | null = null;
  steModel: string | null = null;
  readonly titles: string[] = [];
  readonly moderation: Moderation[] = [];
  readonly errors: string[] = [];
  readonly events: TurnEvent[] = [];
  readonly unknown: string[] = [];
  done = false;
  messageStreamComplete = false;

  noteConversation(id: unknown): void {
    if (this.conversationId === null && typeof id === 'string' && id.length > 0) this.conversationId = id;
  }

  addEvent(ev: SseEvent, label: string, extras: EventExtras = {}): void {
    const out: TurnEvent = { time: ev.time, label, content: false, data: ev.data };
    if (ev.event !== undefined) out.event = ev.event;
    if (extras.flag !== undefined) out.flag = extras.flag;
    if (extras.textOf !== undefined) out.textOf = extras.textOf;
    this.events.push(out);
  }

  addComment(c: SseComment): void {
    // Comments are keep-alives; they mark the timeline but carry nothing to decode.
    this.events.push({ time: c.time, label: 'comment', content: false, data: c.comment });
  }

  /** Kept raw and flagged, never dropped (§11). */
  addUnknown(ev: SseEvent, label: string, flag: string): void {
    this.unknown.push(ev.data);
    this.addEvent(ev, label, { flag });
  }

  /** A user message seen in the stream (legacy echo, v1 root). */
  noteUserMessage(message: unknown): void {
    const id = strField(message, 'id');
    if (id !== null) this.userEchoId = id;
    const requestId = strField(field(message, 'metadata'), 'request_id');
    if (requestId !== null) this.echoRequestId = requestId;
  }
}

function errorText(value: unknown): string {
  if (typeof value === 'string') return value;
  const message = strField(value, 'message');
  if (message !== null) return message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Handle a typed frame (docs/protocol.md §5.4, §13; schemas/stream-frames.ts). Every known type is checked
 * against its schema (drift is flagged on the event) and recorded on the timeline; the ones that carry ids,
 * titles, errors, moderation or completion also feed the turn. Unknown types are kept raw and flagged.
 * Returns false when the object is not a typed frame at all.
 */
export function handleTypedFrame(state: TurnState, ev: SseEvent, obj: JsonRecord): boolean {
  const type = str(own(obj, 'type'));
  if (type === null) return false;
  state.noteConversation(own(obj, 'conversation_id'));
  if (!isStreamFrameType(type)) {
    state.addUnknown(ev, type, `unknown frame type "${type}"`);
    return true;
  }
  const issue = streamFrameIssue(type, obj);
  const flags: string[] = [];
  if (issue !== null) flags.push(`${type} does not match its schema at ${issue}`);
  switch (type) {
    case 'input_message': {
      const message = own(obj, 'input_message');
      const id = strField(message, 'id');
      if (id !== null) state.inputMessageId = id;
      const meta = field(message, 'metadata');
      state.inputRequestId = strField(meta, 'request_id') ?? state.inputRequestId;
      state.inputTurnTraceId = strField(meta, 'turn_trace_id') ?? state.inputTurnTraceId;
      state.noteConversation(strField(message, 'conversation_id'));
      if (id === null && issue === null) flags.push('input_message without an id');
      break;
    }
    case 'title_generation': {
      const title = str(own(obj, 'title'));
      if (title !== null) state.titles.push(title);
      break;
    }
    case 'server_ste_metadata': {
      const meta = own(obj, 'metadata');
      state.steRequestId = strField(meta, 'request_id') ?? state.steRequestId;
      state.steTurnTraceId = strField(meta, 'turn_trace_id') ?? state.steTurnTraceId;
      state.steModel = strField(meta, 'model_slug') ?? state.steModel;
      break;
    }
    case 'message_stream_complete':
      state.messageStreamComplete = true;
      break;
    case 'error': {
      const message = own(obj, 'message') ?? own(obj, 'error') ?? obj;
      state.errors.push(errorText(message));
      break;
    }
    case 'moderation':
      state.moderation.push(moderationOf(obj));
      break;
    default:
      // Timeline marks (markers, metadata, async status, handoff…): analysis reads their fields from the
      // raw data when needed. The item stream is a newer message model this decoder does not apply yet.
      if (ITEM_FRAMES.has(type)) flags.push(`${type}: item-stream frames are not decoded into messages`);
  }
  state.addEvent(ev, type, flags.length > 0 ? { flag: flags.join('; ') } : {});
  return true;
}

function moderationOf(obj: JsonRecord): Moderation {
  const response = own(obj, 'moderation_response');
  const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
  return {
    messageId: str(own(obj, 'message_id')),
    isCompletion: bool(own(obj, 'is_completion')),
    flagged: bool(field(response, 'flagged')),
    blocked: bool(field(response, 'blocked')),
    moderationId: strField(response, 'moderation_id'),
  };
}

/** Latest snapshot per message id (§6.1 rule 2: each snapshot replaces the previous one). */
export class SnapshotStore {
  private readonly byId = new Map<string, { message: JsonRecord; seq: number }>();
  private seq = 0;
  private readonly clock = new ContentClock();

  /** Store a snapshot that arrived at `time`; returns the one it replaced, for content detection. */
  put(id: string, message: JsonRecord, time: number): { previous: JsonRecord | null } {
    const prev = this.byId.get(id);
    // Map.set keeps an existing key in place: iteration order is "first seen", seq is "last updated".
    this.byId.set(id, { message, seq: ++this.seq });
    this.clock.note(id, time, prev ? contentSizeOf(prev.message) : -1, contentSizeOf(message));
    return { previous: prev?.message ?? null };
  }

  get size(): number {
    return this.byId.size;
  }

  /** Messages in the order first seen, with their content times. */
  messages(): DecodedMessage[] {
    const out: DecodedMessage[] = [];
    for (const { message } of this.byId.values()) {
      const m = toDecodedMessage(message, false);
      if (m) out.push(this.clock.stamp(m));
    }
    return out;
  }

  /** §6.1 rule 4: the candidate whose snapshot came last, preferring channel `final` (§13). */
  answer(): DecodedMessage | null {
    const candidates = [...this.byId.values()]
      .filter((entry) => isAnswerCandidate(entry.message))
      .sort((a, b) => b.seq - a.seq);
    const best = pickAnswer(candidates, (entry) => entry.message);
    const m = best ? toDecodedMessage(best.message, false) : null;
    return m ? this.clock.stamp(m) : null;
  }
}

/**
 * Legacy frame shapes (§5.3, §6.1): a snapshot (`message` object), a moderation result (no `message`,
 * `moderation_response`), an error (`message: null`, non-null `error`). Returns false if `obj` is none of them.
 */
export function handleLegacyFrame(
  state: TurnState,
  snapshots: SnapshotStore,
  ev: SseEvent,
  obj: JsonRecord,
): boolean {
  const message = own(obj, 'message');
  if (isRecord(message)) {
    state.noteConversation(own(obj, 'conversation_id'));
    const id = str(own(message, 'id'));
    if (id === null) {
      state.addUnknown(ev, 'snapshot', 'snapshot without a message id');
      return true;
    }
    if (roleOf(message) === 'user') state.noteUserMessage(message);
    const { previous } = snapshots.put(id, message, ev.time);
    let grew: string | undefined;
    if (isAnswerCandidate(message)) {
      const text = textOf(message);
      const before = previous ? textOf(previous) : '';
      // A final frame that repeats the text unchanged adds nothing (fixture b).
      if (text.length > 0 && text !== before) grew = id;
    }
    const error = own(obj, 'error');
    if (error !== null && error !== undefined) state.errors.push(errorText(error));
    state.addEvent(ev, 'snapshot', grew === undefined ? {} : { textOf: grew });
    return true;
  }
  if (Object.hasOwn(obj, 'moderation_response') || own(obj, 'type') === 'moderation') {
    state.noteConversation(own(obj, 'conversation_id'));
    state.moderation.push(moderationOf(obj));
    state.addEvent(ev, 'moderation');
    return true;
  }
  // `{"message": null, "error": …}` (§5.3), and the 2026 `{"error": "…", "error_code": …}` the app treats
  // as a stream error wherever it arrives (its WebSocket reader checks `data.error` first; §13).
  if (
    (message === null || message === undefined) &&
    own(obj, 'error') !== null &&
    own(obj, 'error') !== undefined
  ) {
    state.noteConversation(own(obj, 'conversation_id'));
    state.errors.push(errorText(own(obj, 'error')));
    state.addEvent(ev, 'error');
    return true;
  }
  return false;
}

/** Events every variant treats alike. Returns true if handled. */
export function handleCommonEvent(state: TurnState, ev: SseEvent): boolean {
  if (ev.event === 'ping') {
    // Spring-2023 keep-alive: the data is a timestamp, not JSON (§5.3, fixture d).
    state.addEvent(ev, 'ping');
    return true;
  }
  const trimmed = ev.data.trim();
  if (trimmed === '[DONE]') {
    state.done = true;
    state.addEvent(ev, 'done');
    return true;
  }
  if (trimmed === '') {
    state.addEvent(ev, 'empty');
    return true;
  }
  return false;
}

export interface VariantSummary {
  /** Every message in the order first seen. */
  messages: DecodedMessage[];
  answer: DecodedMessage | null;
  /** §6.1 rule 5 / §6.2 rule 7. */
  complete: boolean;
}

export interface VariantDecoder {
  readonly format: StreamFormat;
  readonly state: TurnState;
  handle(ev: SseEvent): void;
  summary(): VariantSummary;
}

export type Terminator =
  | '[DONE]'
  | 'message_stream_complete'
  | 'aborted'
  | 'error'
  | 'end-of-body'
  | 'open'
  | 'websocket';

export function terminatorOf(state: TurnState, opts: DecodeOptions, open: boolean): Terminator {
  if (state.done) return '[DONE]';
  if (state.messageStreamComplete) return 'message_stream_complete';
  if (opts.aborted === true || opts.outcome === 'aborted') return 'aborted';
  if (opts.outcome === 'error') return 'error';
  return open ? 'open' : 'end-of-body';
}

function lastModel(messages: readonly DecodedMessage[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && m.role === 'assistant' && m.model !== null) return m.model;
  }
  return null;
}

/** Answer candidates that were not chosen are commentary (text to all before a tool call, say). */
function finalPart(m: DecodedMessage, answerId: string | null): DecodedMessage {
  return m.part === 'answer' && m.id !== answerId ? { ...m, part: 'commentary' } : m;
}

const minOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
const maxOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * Each tool call with its result: the first later unpaired tool result by the same tool, else the first
 * later unpaired result before the next call (results named differently from the recipient).
 */
function toolPhases(messages: readonly DecodedMessage[]): ToolPhase[] {
  const used = new Set<number>();
  const out: ToolPhase[] = [];
  messages.forEach((call, i) => {
    if (call.part !== 'tool_call') return;
    let found = -1;
    for (let j = i + 1; j < messages.length && found < 0; j++) {
      const r = messages[j];
      if (r?.part === 'tool_result' && !used.has(j) && r.tool === call.tool) found = j;
    }
    for (let j = i + 1; j < messages.length && found < 0; j++) {
      const r = messages[j];
      if (r?.part === 'tool_call') break;
      if (r?.part === 'tool_result' && !used.has(j)) found = j;
    }
    const result = found >= 0 ? messages[found] : undefined;
    if (found >= 0) used.add(found);
    const start = call.seenTime ?? call.firstContentTime ?? null;
    if (start === null) return;
    out.push({
      tool: call.tool ?? call.recipient ?? 'unknown',
      callId: call.id,
      resultId: result?.id ?? null,
      start,
      end: result ? (result.lastContentTime ?? result.seenTime ?? null) : null,
    });
  });
  return out;
}

/** Phase times of the turn (docs/protocol.md §13; DESIGN "A turn is phases"), from the messages' times. */
function phasesOf(
  messages: readonly DecodedMessage[],
  answer: DecodedMessage | null,
  events: readonly DecodedEvent[],
  firstByte: number | null,
): TurnPhases {
  let reasoningStart: number | null = null;
  let reasoningEnd: number | null = null;
  let seconds: number | null = null;
  for (const m of messages) {
    if (m.part !== 'reasoning') continue;
    reasoningStart = minOf(reasoningStart, m.firstContentTime ?? m.seenTime ?? null);
    reasoningEnd = maxOf(reasoningEnd, m.lastContentTime ?? m.seenTime ?? null);
    seconds = m.reasoning?.seconds ?? seconds;
  }
  return {
    firstByte,
    firstAnswerText: events.find((e) => e.content)?.time ?? null,
    reasoningStart,
    reasoningEnd,
    toolCalls: toolPhases(messages),
    answerStart: answer?.firstContentTime ?? null,
    answerEnd: answer?.lastContentTime ?? null,
    end: events.at(-1)?.time ?? null,
    reportedThoughtSeconds: seconds,
  };
}

/**
 * Assemble the DecodedTurn. `firstByte`: arrival time of the body's first chunk (epoch ms), when the
 * caller saw the chunks; else the first event's time.
 */
export function buildTurn(
  format: StreamFormat,
  state: TurnState,
  summary: VariantSummary,
  terminator: string,
  firstByte: number | null = null,
): DecodedTurn {
  const answer = summary.answer;
  const answerId = answer?.id ?? null;
  const events: DecodedEvent[] = state.events.map((e) => {
    const { textOf: grew, ...rest } = e;
    return { ...rest, content: grew !== undefined && grew === answerId };
  });
  const messages = summary.messages.filter((m) => isAssistantSide(m.role)).map((m) => finalPart(m, answerId));
  const answerMessage = messages.find((m) => m.id === answerId) ?? answer;
  return {
    format,
    conversationId: state.conversationId,
    userMessageId: state.inputMessageId ?? state.userEchoId,
    assistantMessageId: answerId,
    messages,
    // Without an answer (stopped before the final message), the model the assistant's messages name.
    model: answer?.model ?? state.steModel ?? lastModel(summary.messages),
    text: answer?.text ?? '',
    status: answer?.status ?? null,
    finishDetails: answer?.finishDetails ?? null,
    title: state.titles.at(-1) ?? null,
    titles: [...state.titles],
    requestId: state.inputRequestId ?? state.echoRequestId ?? state.steRequestId,
    turnTraceId: state.inputTurnTraceId ?? state.steTurnTraceId,
    moderation: state.moderation.map((m) => ({ ...m })),
    errors: [...state.errors],
    streamComplete: state.done || state.messageStreamComplete,
    terminator,
    incomplete: !summary.complete,
    events,
    unknown: [...state.unknown],
    phases: phasesOf(messages, answerMessage, events, firstByte ?? events[0]?.time ?? null),
  };
}
