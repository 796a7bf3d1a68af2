/**
 * Full-snapshot streams (docs/protocol.md §5.2, §5.3, §6.1): December 2022 frames with `role` on the message,
 * and the 2023–24 "legacy" frames with `author.role`, `status`, moderation and error frames, `event: ping`.
 */
import { isRecord, parseJson } from '../json';
import type { SseEvent } from '../sse';
import {
  handleCommonEvent,
  handleLegacyFrame,
  handleTypedFrame,
  SnapshotStore,
  type TurnState,
  type VariantDecoder,
  type VariantSummary,
} from './turn';

export class LegacyDecoder implements VariantDecoder {
  readonly format = 'legacy' as const;
  private readonly snapshots = new SnapshotStore();

  constructor(readonly state: TurnState) {}

  handle(ev: SseEvent): void {
    const state = this.state;
    if (handleCommonEvent(state, ev)) return;
    const parsed = parseJson(ev.data);
    if (!parsed.ok) {
      // docs/protocol.md §6.1 rule 1: data that is not JSON is skipped, but kept and flagged.
      state.addEvent(ev, 'invalid', { flag: `bad JSON: ${parsed.error}` });
      return;
    }
    const obj = parsed.value;
    if (!isRecord(obj)) {
      state.addUnknown(ev, 'unknown', 'frame is not a JSON object');
      return;
    }
    if (handleLegacyFrame(state, this.snapshots, ev, obj)) return;
    // Typed frames are a v1 invention, but decoding one here costs nothing and loses nothing.
    if (handleTypedFrame(state, ev, obj)) return;
    state.addUnknown(ev, 'unknown', 'unknown frame shape');
  }

  summary(): VariantSummary {
    const messages = this.snapshots.messages();
    const answer = this.snapshots.answer();
    // docs/protocol.md §6.1 rule 5; 2022 frames have no status, and there the last frame before [DONE] is the
    // final one.
    const complete =
      answer !== null &&
      (answer.status === 'finished_successfully' || (answer.status === null && this.state.done));
    return { messages, answer, complete };
  }
}
