/**
 * Reading what the analysis needs out of stored calls: headers, request bodies (kept on the call) and
 * small response bodies (kept as chunks). Every reader tolerates absent, truncated or drifted bodies:
 * it returns null instead of throwing, because the store keeps whatever the page sent.
 */
import { conversationIdFromUrl } from '../protocol/classify';
import { field, isRecord, type JsonRecord, parseJson, str, strField } from '../protocol/json';
import { header, joinBody } from '../store/call-facts';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { LatRReport } from './types';

/** Chunks per call, as the UI loads them; a missing entry means "not loaded", not "empty". */
export type ChunkMap = ReadonlyMap<string, readonly StoredChunk[]>;

export function parseObject(text: string | null | undefined): JsonRecord | null {
  if (!text) return null;
  const parsed = parseJson(text);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : null;
}

/** The request body as JSON, when it is text and an object. */
export function requestJson(call: StoredCall): JsonRecord | null {
  if (call.requestBodyEncoding !== 'text' || call.requestTruncated) return null;
  return parseObject(call.requestBody);
}

/** The response body as text, when its chunks were loaded and it is text. */
export function responseText(call: StoredCall, chunks: ChunkMap | undefined): string | null {
  const list = chunks?.get(call.callId);
  if (!list || list.length === 0) return null;
  if (call.responseBodyEncoding === 'base64') return null;
  return joinBody(list, 'text');
}

export function responseJson(call: StoredCall, chunks: ChunkMap | undefined): JsonRecord | null {
  return parseObject(responseText(call, chunks));
}

const RESUME_PATH = /\/conversation\/resume\/?$/;

/** A send that starts a turn, as opposed to resuming a stream (`f/conversation/resume`). */
export function isTurnPost(call: StoredCall): boolean {
  return call.kind === 'conversation' && call.method.toUpperCase() === 'POST' && !isResume(call);
}

export function isResume(call: StoredCall): boolean {
  return call.kind === 'conversation' && RESUME_PATH.test(pathOf(call.url));
}

export function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  const noQuery = q === -1 ? url : url.slice(0, q);
  const scheme = noQuery.indexOf('://');
  if (scheme === -1) return noQuery;
  const slash = noQuery.indexOf('/', scheme + 3);
  return slash === -1 ? '/' : noQuery.slice(slash);
}

export function hostOf(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(url);
  return m?.[1]?.toLowerCase() ?? null;
}

/** What a conversation POST asked for (docs/protocol.md §4). */
export interface SendRequest {
  action: string | null;
  conversationId: string | null;
  /** The key is present (even if null); distinguishes "no conversation_id" from "not parsed". */
  hasConversationId: boolean;
  parentMessageId: string | null;
  model: string | null;
  /** Null when the key is absent. */
  suggestions: string[] | null;
  userMessageId: string | null;
  prompt: string | null;
}

export function parseSendRequest(call: StoredCall): SendRequest | null {
  const body = requestJson(call);
  if (!body) return null;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const users = messages.filter((m) => strField(field(m, 'author'), 'role') === 'user');
  const prompts = users.map(messageText).filter((t) => t.length > 0);
  const rawSuggestions = field(body, 'suggestions');
  const conversationId = strField(body, 'conversation_id');
  return {
    action: strField(body, 'action'),
    conversationId,
    hasConversationId: conversationId !== null,
    parentMessageId: strField(body, 'parent_message_id'),
    model: strField(body, 'model'),
    suggestions: Array.isArray(rawSuggestions)
      ? rawSuggestions.filter((s): s is string => typeof s === 'string')
      : null,
    userMessageId: strField(users.at(-1), 'id'),
    prompt: prompts.length > 0 ? prompts.join('\n\n') : null,
  };
}

/** String parts of `content.parts` (or `content.text`), joined: images and other parts are skipped. */
function messageText(message: unknown): string {
  const content = field(message, 'content');
  const parts = field(content, 'parts');
  if (Array.isArray(parts)) return parts.filter((p): p is string => typeof p === 'string').join('');
  return strField(content, 'text') ?? '';
}

/** Ids by which a lat/r report names its send (docs/protocol.md §7 "request id"). */
export function sendRequestIds(call: StoredCall): string[] {
  const ids: string[] = [];
  for (const name of ['x-oai-request-id', 'cf-ray']) {
    const v = header(call.responseHeaders, name);
    if (v) ids.push(v);
  }
  return ids;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function parseLatR(call: StoredCall): LatRReport | null {
  const b = requestJson(call);
  if (!b) return null;
  return {
    serverRequestId: str(b.server_request_id),
    model: str(b.model),
    countTokens: num(b.count_tokens),
    preflightTimeMs: num(b.preflight_time_ms),
    tsFirstTokenMs: num(b.ts_first_token_ms),
    tsMedianTokenWithoutFirstMs: num(b.ts_median_token_without_first_ms),
    tsMeanTokenWithoutFirstMs: num(b.ts_mean_token_without_first_ms),
    tsP95TokenWithoutFirstMs: num(b.ts_p95_token_without_first_ms),
    tsP99TokenWithoutFirstMs: num(b.ts_p99_token_without_first_ms),
    tsMaxTokenTimeMs: num(b.ts_max_token_time_ms),
    tsMinTokenTimeMs: num(b.ts_min_token_time_ms),
    tsTotalRequestMs: num(b.ts_total_request_ms),
  };
}

/** `server_request_id` of a lat/r body, without building the whole report. */
export function latRRequestId(call: StoredCall): string | null {
  return strField(requestJson(call), 'server_request_id');
}

/** Conversation id named in the URL path (gen_title/{id}, conversation/{id}). */
export function urlConversationId(call: StoredCall): string | null {
  return conversationIdFromUrl(call.url);
}

/** Title of a gen_title response, a conversation_get response, or null. */
export function titleOfResponse(call: StoredCall, chunks: ChunkMap | undefined): string | null {
  const title = strField(responseJson(call, chunks), 'title');
  return title && title.trim().length > 0 ? title : null;
}

/** id → title from a conversations list response (`items[]`). */
export function listTitles(call: StoredCall, chunks: ChunkMap | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const items = field(responseJson(call, chunks), 'items');
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const id = strField(item, 'id');
    const title = strField(item, 'title');
    if (id && title) out.set(id.toLowerCase(), title);
  }
  return out;
}

/** Message ids of a conversation_get response's `mapping` (history loaded when a chat is opened). */
export function mappingIds(call: StoredCall, chunks: ChunkMap | undefined): string[] {
  const mapping = field(responseJson(call, chunks), 'mapping');
  return isRecord(mapping) ? Object.keys(mapping) : [];
}

/**
 * The last `title_generation` of a stream, found without decoding the stream: only data lines that
 * mention the frame type are parsed. The list view uses this; the detail view has the decoder's title.
 */
export function scanStreamTitle(text: string): string | null {
  let title: string | null = null;
  let from = 0;
  for (;;) {
    const at = text.indexOf('title_generation', from);
    if (at === -1) return title;
    const start = text.lastIndexOf('\n', at) + 1;
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    from = end;
    const line = text.slice(start, end).trim();
    if (!line.startsWith('data:')) continue;
    const frame = parseObject(line.slice(5).trim());
    if (frame && frame.type === 'title_generation') title = str(frame.title) ?? title;
  }
}
