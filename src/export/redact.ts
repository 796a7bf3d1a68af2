/**
 * Redaction of a call's chunks on export (defence in depth: a store written by an older version may
 * predate a redaction rule). Text chunks are redacted as one stream (the redaction state is carried from
 * chunk to chunk, as in the hook's line buffer, so a pretty-printed key and its value in different chunks
 * are caught); if a secret spans two chunks mid-line (a store that did not cut its chunks at line ends),
 * that would still miss it, so the whole body is checked too and, when it differs, the chunks are merged
 * at line ends (where SSE values never continue) or, failing that, into one.
 */
import { type Carry, redactPiece, redactText } from '../capture/redact';
import { redactStoredChunk } from '../capture/sanitize';
import type { StoredChunk } from '../store/schema';

function merge(group: readonly StoredChunk[]): StoredChunk {
  const first = group[0];
  const last = group.at(-1);
  if (!first || !last) throw new Error('merge: empty group');
  const merged: StoredChunk = {
    callId: first.callId,
    seq: first.seq,
    time: last.time,
    bytes: group.reduce((n, c) => n + c.bytes, 0),
    data: group.map((c) => c.data).join(''),
  };
  if (first.direction) merged.direction = first.direction;
  return merged;
}

/** `chunks` in seq order, one direction (a response body). */
export function redactBodyChunks(
  chunks: readonly StoredChunk[],
  encoding: 'text' | 'base64' | undefined,
): StoredChunk[] {
  if (encoding === 'base64' || chunks.length < 2) return chunks.map((c) => redactStoredChunk(c, encoding));
  let carry: Carry = null;
  const each = chunks.map((c) => {
    const r = redactPiece(c.data, carry);
    carry = r.carry;
    return { ...c, data: r.text };
  });
  const whole = redactText(chunks.map((c) => c.data).join(''));
  if (whole === each.map((c) => c.data).join('')) return each;
  const groups: StoredChunk[][] = [];
  let group: StoredChunk[] = [];
  for (const c of chunks) {
    group.push(c);
    if (c.data.endsWith('\n') || c.data.endsWith('\r')) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  const lines = groups.map((g) => redactStoredChunk(merge(g), encoding));
  if (lines.map((c) => c.data).join('') === whole) return lines;
  const all = merge(chunks);
  return [{ ...all, data: whole }];
}
