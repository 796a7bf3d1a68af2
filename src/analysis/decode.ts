/**
 * The analysis layer's only door to the protocol decoders and schemas: stored chunks in, DecodedTurn and
 * validation results out. Decoding is the expensive step of the analysis, so a cache keeps one decoder
 * per call: a live stream is fed only the chunks that arrived since the last look, and a finished one
 * is decoded once.
 */
import { StreamDecoder } from '../protocol/decode';
import type { DecodedTurn, TimedChunk } from '../protocol/decoded';
import {
  decodeWebSocketFrames,
  type WebSocketDecodeOptions,
  type WebSocketFrame,
} from '../protocol/decoders/websocket';
import { decodeResumed } from '../protocol/resume';
import { validateBody } from '../protocol/schemas/index';
import { isEventStream, isLive, joinBody } from '../store/call-facts';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { ChunkMap } from './bodies';
import type { BodyIssue } from './types';

/** Inbound chunks in arrival order (seq), as the decoder consumes them. */
export function inbound(chunks: readonly StoredChunk[]): StoredChunk[] {
  return chunks.filter((c) => c.direction !== 'out').sort((a, b) => a.seq - b.seq);
}

function timed(c: StoredChunk): TimedChunk {
  return { time: c.time, data: c.data };
}

function decodeOptions(call: StoredCall): { aborted?: boolean; outcome?: string } {
  const opts: { aborted?: boolean; outcome?: string } = {};
  if (call.outcome !== undefined) opts.outcome = call.outcome;
  // A body the page cancelled is cut short like an aborted one.
  if (call.outcome === 'aborted' || call.outcome === 'cancelled') opts.aborted = true;
  return opts;
}

/** A resume call of a turn, with its request's offset (null when unreadable). */
export interface ResumeCall {
  call: StoredCall;
  offset: number | null;
}

function cacheKey(call: StoredCall, list: readonly StoredChunk[]): string {
  return `${call.callId}=${list.length}:${list.at(-1)?.seq ?? -1}:${call.endTime ?? ''}:${call.outcome ?? ''}`;
}

interface Entry {
  decoder: StreamDecoder;
  /** Seqs pushed so far, in order. */
  seqs: number[];
  final: DecodedTurn | null;
  /** What the final result was computed from: a later end event or late chunk invalidates it. */
  finalKey: string | null;
}

export class DecodeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly resumed = new Map<string, { key: string; turn: DecodedTurn; callId: string }>();

  /**
   * The call's decoded stream from the chunks loaded so far. While the call is open this is a snapshot
   * (the unterminated last event is not guessed at); once it ended, the body is finished and cached.
   */
  decode(call: StoredCall, chunks: readonly StoredChunk[] | undefined): DecodedTurn {
    const list = inbound(chunks ?? []);
    const live = isLive(call);
    const key = cacheKey(call, list);
    let entry = this.entries.get(call.callId);
    if (entry?.final && entry.finalKey === key) return entry.final;
    // Incremental only when what was pushed is a prefix of what we have now; otherwise start again.
    if (!entry || entry.final || !isPrefix(entry.seqs, list)) {
      entry = { decoder: new StreamDecoder(), seqs: [], final: null, finalKey: null };
      this.entries.set(call.callId, entry);
    }
    for (let i = entry.seqs.length; i < list.length; i++) {
      const c = list[i];
      if (!c) continue;
      entry.decoder.push(timed(c));
      entry.seqs.push(c.seq);
    }
    if (live) return entry.decoder.snapshot(decodeOptions(call));
    entry.final = entry.decoder.finish(decodeOptions(call));
    entry.finalKey = key;
    return entry.final;
  }

  /**
   * A send whose stream was continued by resume calls (docs/protocol.md §5.5, §6.3), decoded as one stream.
   * Not incremental: resumes are rare, so the whole sequence is decoded again whenever any part grew.
   */
  decodeWithResumes(call: StoredCall, chunks: ChunkMap, resumes: readonly ResumeCall[]): DecodedTurn {
    const original = inbound(chunks.get(call.callId) ?? []);
    const parts = resumes.map((r) => ({ ...r, list: inbound(chunks.get(r.call.callId) ?? []) }));
    const last = parts.at(-1)?.call ?? call;
    const key = [
      cacheKey(call, original),
      ...parts.map((p) => `${cacheKey(p.call, p.list)}@${p.offset}`),
    ].join('|');
    const cacheId = `resumed:${call.callId}`;
    const hit = this.resumed.get(cacheId);
    if (hit?.key === key) return hit.turn;
    const opts: { open?: boolean; aborted?: boolean; outcome?: string } = decodeOptions(last);
    if (isLive(last)) opts.open = true;
    const turn = decodeResumed(
      original.map(timed),
      parts.map((p) => ({ offset: p.offset, chunks: p.list.map(timed) })),
      opts,
    );
    this.resumed.set(cacheId, { key, turn, callId: call.callId });
    return turn;
  }

  /** Drop calls no longer shown (a long live session would otherwise keep every decoder). */
  retain(callIds: Iterable<string>): void {
    const keep = new Set(callIds);
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
    for (const [id, r] of this.resumed) if (!keep.has(r.callId)) this.resumed.delete(id);
  }

  get size(): number {
    return this.entries.size + this.resumed.size;
  }
}

function isPrefix(seqs: readonly number[], list: readonly StoredChunk[]): boolean {
  if (seqs.length > list.length) return false;
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== list[i]?.seq) return false;
  return true;
}

/** One-off decode without a cache. */
export function decodeCall(call: StoredCall, chunks: readonly StoredChunk[] | undefined): DecodedTurn {
  return new DecodeCache().decode(call, chunks);
}

/**
 * Bodies of one call that the schemas do not recognize (schema drift). Truncated bodies are not judged
 * (a cut body cannot match), and event streams are the decoders' business (they flag unknown frames).
 */
export function bodyIssues(call: StoredCall, chunks: readonly StoredChunk[] | undefined): BodyIssue[] {
  const issues: BodyIssue[] = [];
  const check = (side: 'request' | 'response', body: string | null, encoding: 'text' | 'base64') => {
    const ctx: { url: string; status?: number } = { url: call.url };
    if (side === 'response' && call.status !== undefined) ctx.status = call.status;
    const r = validateBody(call.kind, side, body, encoding, ctx);
    if (r.status !== 'unrecognized') return;
    issues.push({
      callId: call.callId,
      side,
      status: r.status,
      path: r.issue?.path ?? null,
      message: r.issue?.message ?? null,
    });
  };
  if (!call.requestTruncated) check('request', call.requestBody, call.requestBodyEncoding);
  if (chunks && chunks.length > 0 && call.truncated !== true && !isEventStream(call) && !isLive(call)) {
    const encoding = call.responseBodyEncoding ?? 'text';
    check('response', joinBody(inbound(chunks), encoding), encoding);
  }
  return issues;
}

/** The send's response says the answer is not in it but on a WebSocket (docs/protocol.md §5.5, §5.6). */
export function answerOnSocket(response: DecodedTurn): boolean {
  if (response.format === 'websocket-json') return true;
  return response.text === '' && response.events.some((e) => e.label === 'stream_handoff');
}

/**
 * The answer of a send that was handed to a WebSocket: the frames of the page session's sockets from the
 * send on, filtered by conversation and (2024) the send's `response_id`. Null when no frame carried it.
 */
export function socketAnswer(
  post: StoredCall,
  response: DecodedTurn,
  sockets: readonly StoredCall[],
  chunks: ChunkMap,
): { decoded: DecodedTurn; socketIds: string[] } | null {
  const frames: WebSocketFrame[] = [];
  const used = new Set<string>();
  for (const s of sockets) {
    for (const c of chunks.get(s.callId) ?? []) {
      if (c.time < post.startTime) continue;
      const f: WebSocketFrame = { time: c.time, data: c.data };
      if (c.direction) f.direction = c.direction;
      frames.push(f);
      used.add(s.callId);
    }
  }
  if (frames.length === 0) return null;
  // Frames of several sockets (reconnects) merge into one timeline.
  frames.sort((a, b) => a.time - b.time);
  const opts: WebSocketDecodeOptions = {};
  if (response.conversationId) opts.conversationId = response.conversationId;
  if (response.responseId) opts.responseId = response.responseId;
  const open = sockets.some((s) => used.has(s.callId) && isLive(s));
  if (!open) opts.outcome = 'complete';
  const decoded = decodeWebSocketFrames(frames, opts);
  if (decoded.events.length === 0) return null;
  return { decoded, socketIds: [...used] };
}
