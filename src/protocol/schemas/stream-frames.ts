/**
 * Typed frames of the conversation stream (`data: {"type": "…", …}` between v1 deltas; docs/protocol.md
 * §5.4 table, §13). One schema per type. The list follows the ChatGPT web app's own stream-event mapper
 * (a public copy of the 2026 chatgpt.com bundle: every `case` of the function that turns a stream event
 * into a client event, plus `stream_handoff`, read by its WebSocket handoff) and the captures named in
 * §5.4. Loose objects: unknown members pass; a missing or mistyped known member is schema drift, which the
 * decoder flags on the event (the frame is kept raw, never dropped).
 */
import { type ZodType, z } from 'zod';
import { record } from './common';

const id = z.string();
const conversationId = { conversation_id: id.nullish() };

/** 2026-04 image generation: `async_status` 7 while the picture renders (a capture of that stream). */
const conversationAsyncStatus = z.looseObject({ ...conversationId, async_status: z.number() });

const moderationResponse = z.looseObject({
  flagged: z.boolean().nullish(),
  blocked: z.boolean().nullish(),
  moderation_id: z.string().nullish(),
});

/** The item stream (`add-item` … `delete-item`): a newer message model; recognised, not decoded yet. */
const itemFrame = (required: Record<string, ZodType>) => z.looseObject({ ...conversationId, ...required });

export const STREAM_FRAMES = {
  resume_conversation_token: z.looseObject({
    ...conversationId,
    kind: z.string().nullish(),
    token: z.string(),
  }),
  input_message: z.looseObject({
    ...conversationId,
    input_message: z.looseObject({ id, author: z.looseObject({ role: z.string() }).nullish() }),
  }),
  message_marker: z.looseObject({ ...conversationId, message_id: id, marker: z.string(), event: z.string() }),
  title_generation: z.looseObject({ ...conversationId, title: z.string() }),
  server_ste_metadata: z.looseObject({ ...conversationId, metadata: record }),
  message_stream_complete: z.looseObject(conversationId),
  conversation_detail_metadata: z.looseObject({
    ...conversationId,
    blocked_features: z.array(z.unknown()).nullish(),
    model_limits: z.array(z.unknown()).nullish(),
    limits_progress: z
      .array(z.looseObject({ feature_name: z.string(), remaining: z.number().nullish() }))
      .nullish(),
    default_model_slug: z.string().nullish(),
  }),
  stream_handoff: z.looseObject({
    ...conversationId,
    turn_exchange_id: z.string().nullish(),
    options: z.array(z.looseObject({ type: z.string(), topic_id: z.string().nullish() })),
  }),
  /** No captured sample (§5.4): third-party clients read `message` or `error.message`. */
  error: z.looseObject({ message: z.string().nullish(), error: z.unknown().optional() }),
  conversation_async_status: conversationAsyncStatus,
  moderation: z.looseObject({
    ...conversationId,
    message_id: z.string().nullish(),
    is_completion: z.boolean().nullish(),
    moderation_response: moderationResponse,
  }),
  url_moderation: z.looseObject({
    ...conversationId,
    message_id: z.string().nullish(),
    url_moderation_result: z.looseObject({ full_url: z.string(), is_safe: z.boolean() }),
  }),
  num_variants_in_stream: z.looseObject({
    num_variants_in_stream: z.number(),
    display_treatment: z.string().nullish(),
  }),
  system_hint_suggestion: z.looseObject({
    action_label: z.string().nullish(),
    system_hint: z.string().nullish(),
    chips: z.array(z.unknown()).nullish(),
  }),
  gizmo_inline_review: z.looseObject({ gizmo_id: z.string() }),
  instant_answer_debug: z.looseObject({ ...conversationId, payload: z.unknown().optional() }),
  display_crisis_helpline_message: z.looseObject({
    ...conversationId,
    message_id: z.string().nullish(),
    text: z.string().nullish(),
    links: z.array(z.unknown()).nullish(),
  }),
  display_crisis_helpline_modal: record,
  toast: record,
  perf_stats: record,
  beacon_ui_response: record,
  survey_campaign_effect: record,
  ads: record,
  'add-item': itemFrame({ item: z.unknown() }),
  'replace-item': itemFrame({ item: z.unknown(), item_id: id }),
  'stream-item-start': itemFrame({ item: z.unknown(), item_id: id }),
  'stream-item-patch': itemFrame({ item_id: id, patches: z.array(z.unknown()) }),
  'stream-item-done': itemFrame({ item_id: id }),
  'delete-item': itemFrame({ item_id: id }),
} satisfies Record<string, ZodType>;

export type StreamFrameType = keyof typeof STREAM_FRAMES;

/** Frames of the item stream: recognised, but their content is not decoded into messages yet. */
export const ITEM_FRAMES: ReadonlySet<string> = new Set([
  'add-item',
  'replace-item',
  'stream-item-start',
  'stream-item-patch',
  'stream-item-done',
  'delete-item',
]);

export function isStreamFrameType(type: string): type is StreamFrameType {
  return Object.hasOwn(STREAM_FRAMES, type);
}

/**
 * Check a typed frame against its schema. `null` when it matches; else the first issue as
 * `<json pointer>: <message>`. Never throws.
 */
export function streamFrameIssue(type: StreamFrameType, frame: unknown): string | null {
  const result = STREAM_FRAMES[type].safeParse(frame);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((k) => `/${String(k)}`).join('');
  return `${path || '/'}: ${issue?.message ?? 'invalid'}`;
}
