/**
 * An event-stream body cut into its events *as text*: each block runs to the blank line that dispatches
 * it, so the blocks concatenated give back the body exactly. The protocol's SSE framer gives parsed
 * events; export and import need the raw text of each event too (share-safe rewrites a stream event by
 * event, a HAR carries `_sseEvents` whose times are mapped back onto the body's blocks).
 */

export interface TimedText {
  time: number;
  data: string;
}

const EOL = /\r\n|\r|\n/g;

/** Splits a body into event blocks (the last one may be unterminated: a stream cut mid-event). */
export function splitSseBlocks(text: string): string[] {
  const blocks: string[] = [];
  let blockStart = 0;
  let hasContent = false;
  let i = 0;
  EOL.lastIndex = 0;
  while (i < text.length) {
    EOL.lastIndex = i;
    const m = EOL.exec(text);
    if (!m) break;
    const lineEnd = m.index + m[0].length;
    if (m.index === i) {
      // An empty line dispatches the event; blank lines before any field belong to the next block.
      if (hasContent) {
        blocks.push(text.slice(blockStart, lineEnd));
        blockStart = lineEnd;
        hasContent = false;
      }
    } else {
      hasContent = true;
    }
    i = lineEnd;
  }
  if (blockStart < text.length) blocks.push(text.slice(blockStart));
  return blocks;
}

/**
 * The body's blocks, each stamped with the arrival time of the chunk that completed it (as the protocol's
 * framer stamps events). `chunks` must be in arrival order.
 */
export function timedBlocks(chunks: readonly TimedText[]): TimedText[] {
  const text = chunks.map((c) => c.data).join('');
  const blocks = splitSseBlocks(text);
  const out: TimedText[] = [];
  let chunk = 0;
  let chunkEnd = chunks[0]?.data.length ?? 0;
  let offset = 0;
  for (const block of blocks) {
    offset += block.length;
    // The block's last character arrived with the chunk whose range holds offset - 1.
    while (chunkEnd < offset && chunk < chunks.length - 1) {
      chunk++;
      chunkEnd += chunks[chunk]?.data.length ?? 0;
    }
    out.push({ time: chunks[chunk]?.time ?? 0, data: block });
  }
  return out;
}

export interface SseBlockFields {
  event?: string;
  id?: string;
  /** `data:` lines joined with `\n` ('' when the block has none). */
  data: string;
  /** Comment lines (`: …`) joined with `\n`, when any. */
  comment?: string;
}

/** The fields of one block, by the EventSource rules (one optional space after the colon). */
export function parseSseBlock(block: string): SseBlockFields {
  const data: string[] = [];
  const comments: string[] = [];
  const out: SseBlockFields = { data: '' };
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line.length === 0) continue;
    if (line.startsWith(':')) {
      comments.push(line.slice(1).replace(/^ /, ''));
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') data.push(value);
    else if (name === 'event') out.event = value;
    else if (name === 'id') out.id = value;
  }
  out.data = data.join('\n');
  if (comments.length > 0) out.comment = comments.join('\n');
  return out;
}
