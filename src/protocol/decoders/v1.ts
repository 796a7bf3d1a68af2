/**
 * Delta encoding "v1" (docs/protocol.md §5.4, §6.2): JSON operations `{p, o, v, c}` on one document per
 * channel, typed frames between them, and the occasional legacy snapshot.
 */
import type { DecodedMessage } from '../decoded';
import { field, isRecord, type JsonRecord, own, parseJson, strField } from '../json';
import type { SseEvent } from '../sse';
import { DeltaEngine, type Roots } from './delta';
import {
  ContentClock,
  contentSizeOf,
  isAnswerCandidate,
  pickAnswer,
  roleOf,
  textLengthOf,
  toDecodedMessage,
} from './message';
import {
  handleCommonEvent,
  handleLegacyFrame,
  handleTypedFrame,
  SnapshotStore,
  type TurnState,
  type VariantDecoder,
  type VariantSummary,
} from './turn';

const OP_KEYS = ['p', 'o', 'v', 'c'] as const;

/** A delta operation, as opposed to a typed frame (which has a string `type`) or a legacy snapshot. */
function isOperation(obj: JsonRecord): boolean {
  if (typeof own(obj, 'type') === 'string') return false;
  return OP_KEYS.some((k) => Object.hasOwn(obj, k));
}

function messageOf(doc: unknown): unknown {
  return field(doc, 'message');
}

export class V1Decoder implements VariantDecoder {
  readonly format = 'v1' as const;
  private readonly roots: Roots = new Map();
  private readonly engine = new DeltaEngine(this.roots);
  /** Legacy `{"message": …}` frames inside a v1 stream (docs/protocol.md §5.4, last paragraph). */
  private readonly snapshots = new SnapshotStore();
  /**
   * Every message installed on any channel, by id, in the order first seen: a root replaced by the next
   * message on the same `c` is kept (its object is no longer mutated). `c` and `seq` order the answer rule.
   */
  private readonly seen = new Map<string, { raw: JsonRecord; c: number; seq: number }>();
  private seq = 0;
  private readonly clock = new ContentClock();
  /** Rule 2: the last `c`, `p`, `o` seen; typed frames in between do not reset them. */
  private c: number | undefined;
  private p: string | undefined;
  private o: string | undefined;

  constructor(readonly state: TurnState) {}

  handle(ev: SseEvent): void {
    const state = this.state;
    if (ev.event === 'delta_encoding') {
      const parsed = parseJson(ev.data);
      const ok = parsed.ok && parsed.value === 'v1';
      state.addEvent(
        ev,
        'delta_encoding',
        ok ? {} : { flag: `unsupported delta encoding ${ev.data.trim()}` },
      );
      return;
    }
    if (handleCommonEvent(state, ev)) return;
    const parsed = parseJson(ev.data);
    if (!parsed.ok) {
      state.addEvent(ev, ev.event === 'delta' ? 'delta' : 'invalid', { flag: `bad JSON: ${parsed.error}` });
      return;
    }
    const obj = parsed.value;
    if (!isRecord(obj)) {
      state.addUnknown(ev, ev.event === 'delta' ? 'delta' : 'unknown', 'frame is not a JSON object');
      return;
    }
    if (isOperation(obj)) this.applyOperation(ev, obj);
    else if (handleTypedFrame(state, ev, obj)) return;
    else if (handleLegacyFrame(state, this.snapshots, ev, obj)) return;
    else state.addUnknown(ev, ev.event === 'delta' ? 'delta' : 'unknown', 'unknown frame shape');
  }

  private applyOperation(ev: SseEvent, obj: JsonRecord): void {
    const state = this.state;
    const rc = own(obj, 'c');
    const rp = own(obj, 'p');
    const ro = own(obj, 'o');
    if (rc !== undefined && !(typeof rc === 'number' && Number.isInteger(rc) && rc >= 0)) {
      state.addEvent(ev, 'delta', { flag: 'c is not a channel number' });
      return;
    }
    if ((rp !== undefined && typeof rp !== 'string') || (ro !== undefined && typeof ro !== 'string')) {
      state.addEvent(ev, 'delta', { flag: 'p or o is not a string' });
      return;
    }
    // Rule 2: absent c, p, o are inherited from the previous delta frame. With nothing to inherit, c is 0
    // and p the root (what every captured first frame states explicitly).
    const c = rc ?? this.c ?? 0;
    const p = rp ?? this.p ?? '';
    const o = ro ?? this.o;
    this.c = c;
    this.p = p;
    this.o = o;
    if (o === undefined) {
      state.addEvent(ev, 'delta', { flag: 'no operation given and none to inherit' });
      return;
    }

    const beforeDoc = this.roots.get(c);
    const beforeMsg = messageOf(beforeDoc);
    const beforeId = strField(beforeMsg, 'id');
    const beforeLen = textLengthOf(beforeMsg);
    const beforeSize = contentSizeOf(beforeMsg);
    const error = this.engine.apply(c, p, o, own(obj, 'v'));
    const afterDoc = this.roots.get(c);
    const afterMsg = messageOf(afterDoc);
    const afterId = strField(afterMsg, 'id');
    if (afterId !== null && isRecord(afterMsg)) {
      const entry = this.seen.get(afterId);
      if (entry) {
        entry.raw = afterMsg;
        entry.c = c;
      } else this.seen.set(afterId, { raw: afterMsg, c, seq: ++this.seq });
      this.clock.note(afterId, ev.time, afterId === beforeId ? beforeSize : -1, contentSizeOf(afterMsg));
    }

    if (afterDoc !== beforeDoc) {
      // A new document on this channel: the next message (rule 3, add on "").
      state.noteConversation(field(afterDoc, 'conversation_id'));
      if (roleOf(afterMsg) === 'user') state.noteUserMessage(afterMsg);
    }
    let grew: string | undefined;
    if (afterId !== null && isAnswerCandidate(afterMsg)) {
      const afterLen = textLengthOf(afterMsg);
      if (afterId !== beforeId ? afterLen > 0 : afterLen > beforeLen) grew = afterId;
    }
    const extras: { flag?: string; textOf?: string } = {};
    if (error !== null) extras.flag = error;
    if (grew !== undefined) extras.textOf = grew;
    state.addEvent(ev, 'delta', extras);
  }

  summary(): VariantSummary {
    const byId = new Map<string, DecodedMessage>();
    const candidates: { c: number; seq: number; raw: JsonRecord; message: DecodedMessage }[] = [];
    for (const [id, entry] of this.seen) {
      const message = toDecodedMessage(entry.raw, true);
      if (!message) continue;
      byId.set(id, this.clock.stamp(message));
      if (isAnswerCandidate(entry.raw)) candidates.push({ ...entry, message });
    }
    for (const message of this.snapshots.messages()) if (!byId.has(message.id)) byId.set(message.id, message);

    // Rule 6: the last root (highest c, then latest installed) that can be the answer, preferring channel
    // "final" (§13).
    candidates.sort((a, b) => b.c - a.c || b.seq - a.seq);
    const pick = pickAnswer(candidates, (r) => r.raw);
    const answer = pick?.message ?? this.snapshots.answer();
    // Rule 7: finished_successfully and the stream said so.
    const complete =
      answer !== null &&
      answer.status === 'finished_successfully' &&
      (this.state.done || this.state.messageStreamComplete);
    return { messages: [...byId.values()], answer, complete };
  }
}
