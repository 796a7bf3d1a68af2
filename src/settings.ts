/**
 * User settings, kept in extension storage (`storage.local`), read by the relay and the popup.
 * Validated by hand rather than with zod: the relay imports this module and runs at document_start on
 * every ChatGPT page load, so it must stay small.
 */
import { DEFAULT_MAX_BODY_BYTES, MAX_BODY_CAP_BYTES, MIN_BODY_CAP_BYTES } from './capture/limits';

export const SETTINGS_KEY = 'settings';

export interface Settings {
  /** Record calls at all (the popup's switch). */
  recording: boolean;
  /** Body size cap per request/response; beyond it bodies are cut and flagged `truncated`. */
  maxBodyBytes: number;
}

export const DEFAULT_SETTINGS: Settings = { recording: true, maxBodyBytes: DEFAULT_MAX_BODY_BYTES };

/** Reads stored settings; each invalid or missing field falls back to its default. */
export function readSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const max = r.maxBodyBytes;
  return {
    recording: typeof r.recording === 'boolean' ? r.recording : DEFAULT_SETTINGS.recording,
    maxBodyBytes:
      typeof max === 'number' &&
      Number.isInteger(max) &&
      max >= MIN_BODY_CAP_BYTES &&
      max <= MAX_BODY_CAP_BYTES
        ? max
        : DEFAULT_SETTINGS.maxBodyBytes,
  };
}

/** Strict check for writes: unlike `readSettings`, refuses invalid values instead of replacing them. */
export const settingsSchema = {
  parse(raw: unknown): Settings {
    const s = readSettings(raw);
    const r = raw as Partial<Record<keyof Settings, unknown>> | null;
    for (const key of ['recording', 'maxBodyBytes'] as const) {
      if (r?.[key] !== undefined && r[key] !== s[key]) throw new Error(`settings.${key}: invalid value`);
    }
    return s;
  },
};
