/** `gen_title`: `POST …/conversation/gen_title/{conversation_id}` (2023–24, docs/protocol.md §3.6). */
import { z } from 'zod';
import type { SchemaFamily } from './family';

/** `message_id` is the assistant message being titled; some clients add `model`. */
export const genTitleRequest = z.looseObject({ message_id: z.string(), model: z.string().optional() });
export const genTitleResponse = z.looseObject({ title: z.string() });

export const genTitle: SchemaFamily = { request: genTitleRequest, response: genTitleResponse };
