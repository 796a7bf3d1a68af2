/** User settings, kept in extension storage (`storage.local`), read by the relay and the popup. */
import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from './capture/limits';

export const SETTINGS_KEY = 'settings';

export const settingsSchema = z.object({
  recording: z.boolean().default(true),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(DEFAULT_MAX_BODY_BYTES),
});
export type Settings = z.infer<typeof settingsSchema>;

export function readSettings(raw: unknown): Settings {
  const parsed = settingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : settingsSchema.parse({});
}
