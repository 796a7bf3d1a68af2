/**
 * A stream whose format was not recognised (no v1 declaration, no snapshot frames, or a delta encoding
 * other than "v1", docs/protocol.md §6.2 rule 1). Everything is kept raw and flagged; typed frames, which do
 * not depend on the encoding, are still read so that ids and errors are not lost.
 */
import { isRecord, parseJson } from '../json';
import type { SseEvent } from '../sse';
import {
  handleCommonEvent,
  handleTypedFrame,
  type TurnState,
  type VariantDecoder,
  type VariantSummary,
} from './turn';

export class UnknownDecoder implements VariantDecoder {
  readonly format = 'unknown' as const;

  constructor(readonly state: TurnState) {}

  handle(ev: SseEvent): void {
    const state = this.state;
    if (ev.event === 'delta_encoding') {
      state.addUnknown(ev, 'delta_encoding', `unsupported delta encoding ${ev.data.trim()}`);
      return;
    }
    if (handleCommonEvent(state, ev)) return;
    const parsed = parseJson(ev.data);
    if (parsed.ok && isRecord(parsed.value) && handleTypedFrame(state, ev, parsed.value)) return;
    state.addUnknown(ev, ev.event ?? 'unknown', 'stream format not recognised');
  }

  summary(): VariantSummary {
    return { messages: [], answer: null, complete: false };
  }
}
