/**
 * Reads through the UiClient, using its optional fast paths when it has them and the basic methods when
 * it does not (another implementation of the interface still works, only slower).
 */
import type { StoredCall, StoredChunk } from '../store/schema';
import type { UiClient } from './client';

/** Chunks of many calls; with `afterSeq`, only the new ones. */
export async function readChunks(
  client: UiClient,
  callIds: readonly string[],
  afterSeq?: ReadonlyMap<string, number>,
): Promise<Map<string, StoredChunk[]>> {
  if (callIds.length === 0) return new Map();
  if (client.chunksOf) return client.chunksOf(callIds, afterSeq);
  const lists = await Promise.all(callIds.map((id) => client.chunks(id)));
  const out = new Map<string, StoredChunk[]>();
  callIds.forEach((id, i) => {
    const after = afterSeq?.get(id) ?? -1;
    const list = (lists[i] ?? []).filter((c) => c.seq > after);
    if (list.length > 0) out.set(id, list);
  });
  return out;
}

export async function readCallsById(client: UiClient, callIds: readonly string[]): Promise<StoredCall[]> {
  if (callIds.length === 0) return [];
  if (client.callsById) return client.callsById(callIds);
  const want = new Set(callIds);
  return (await client.allCalls()).filter((c) => want.has(c.callId));
}

/** Adds `incoming` chunks to `into` (by call, ordered by seq, no duplicate seq); returns the calls touched. */
export function mergeChunks(into: Map<string, StoredChunk[]>, incoming: ReadonlyMap<string, StoredChunk[]>) {
  for (const [id, list] of incoming) {
    const prev = into.get(id);
    if (!prev || prev.length === 0) {
      into.set(
        id,
        [...list].sort((a, b) => a.seq - b.seq),
      );
      continue;
    }
    const lastSeq = prev[prev.length - 1]!.seq;
    // The common case (a live stream) only appends; a fresh array keeps earlier snapshots unchanged.
    if (list.every((c) => c.seq > lastSeq)) {
      into.set(id, [...prev, ...[...list].sort((a, b) => a.seq - b.seq)]);
      continue;
    }
    const bySeq = new Map<number, StoredChunk>();
    for (const c of prev) bySeq.set(c.seq, c);
    for (const c of list) bySeq.set(c.seq, c);
    into.set(
      id,
      [...bySeq.values()].sort((a, b) => a.seq - b.seq),
    );
  }
}

/** The last seq held per call, for reading only newer chunks. */
export function lastSeqs(chunks: ReadonlyMap<string, readonly StoredChunk[]>, callIds: Iterable<string>) {
  const out = new Map<string, number>();
  for (const id of callIds) {
    const list = chunks.get(id);
    const last = list?.[list.length - 1];
    if (last) out.set(id, last.seq);
  }
  return out;
}
