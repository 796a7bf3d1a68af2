/** Shapes shared by several endpoint families. */
import { z } from 'zod';

export const record = z.record(z.string(), z.unknown());

/** `{"success": true}`: CES, Statsig. */
export const successResponse = z.looseObject({ success: z.boolean() });

/** `{"status": "…"}`: lat/r (`success`), sentinel ping (`OK`), stream_status (`COMPLETE`). */
export const statusResponse = z.looseObject({ status: z.string() });

/** Error bodies (docs/protocol.md §10): `{"detail": "…"}` or `{"detail": {"message": …, "code": …}}`. */
export const errorResponse = z.looseObject({
  detail: z.union([
    z.string(),
    z.looseObject({ message: z.string().nullish(), code: z.string().nullish() }),
    z.array(z.unknown()),
  ]),
});

/** The message model of streams and conversation trees (docs/protocol.md §5.3). */
export const message = z.looseObject({
  id: z.string(),
  author: z.looseObject({ role: z.string(), name: z.string().nullish(), metadata: record.nullish() }),
  create_time: z.number().nullish(),
  update_time: z.number().nullish(),
  content: z.looseObject({ content_type: z.string() }),
  status: z.string().nullish(),
  end_turn: z.boolean().nullish(),
  weight: z.number().nullish(),
  metadata: record.nullish(),
  recipient: z.string().nullish(),
  channel: z.string().nullish(),
});

/** A time written as ISO string (list endpoints) or Unix seconds (trees). */
export const time = z.union([z.string(), z.number()]);
