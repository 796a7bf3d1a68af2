/**
 * Plays a generated conversation into a MockClient the way the background writes a live one: the calls
 * first, then the stream's chunks a few at a time, each write followed by a change notification.
 */
import type { StoredCall, StoredChunk } from '../../store/schema';
import type { MockClient } from '../mock-client';
import { generateSample } from './sample-data';

export function streamInto(
  client: MockClient,
  opts: { seed?: number; startTime?: number; everyMs?: number; eventsPerReply?: number } = {},
): () => void {
  const sample = generateSample({
    conversations: 1,
    turns: () => 2,
    seed: opts.seed ?? 1,
    startTime: opts.startTime ?? Date.now(),
    eventsPerReply: opts.eventsPerReply ?? 60,
    style: 'v1',
    prefix: 'live',
  });
  const calls = [...sample.calls].sort((a, b) => a.startTime - b.startTime);
  const chunksOf = new Map<string, StoredChunk[]>();
  for (const c of sample.chunks) chunksOf.set(c.callId, [...(chunksOf.get(c.callId) ?? []), c]);
  let i = 0;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const step = () => {
    const full = calls[i];
    if (!full) return;
    const chunks = chunksOf.get(full.callId) ?? [];
    if (seq < chunks.length) {
      const part = chunks.slice(0, seq + 1);
      const last = part[part.length - 1]!;
      const open: StoredCall = { ...full, lastChunkTime: last.time };
      delete open.endTime;
      delete open.outcome;
      client.put([open], [last]);
      seq++;
    } else {
      client.put([full]);
      i++;
      seq = 0;
    }
    timer = setTimeout(step, opts.everyMs ?? 80);
  };
  step();
  return () => {
    if (timer) clearTimeout(timer);
  };
}
