/**
 * User settings, kept in extension storage (`storage.local`), read by the relay, the background, the popup
 * and the options page. Validated by hand rather than with zod: the relay imports this module and runs at
 * document_start on every ChatGPT page load, so it must stay small.
 */
import { DEFAULT_MAX_BODY_BYTES, MAX_BODY_CAP_BYTES, MIN_BODY_CAP_BYTES } from './capture/limits';

export const SETTINGS_KEY = 'settings';

/**
 * Which calls the page hook records: `all` (every call the ChatGPT page makes, whatever its host: Statsig,
 * Datadog, file uploads…) or `chatgpt` (only ChatGPT's own hosts: chatgpt.com, chat.openai.com and their
 * subdomains such as ab.chatgpt.com and ws.chatgpt.com; see `isChatGptHost`).
 */
export type RecordingScope = 'all' | 'chatgpt';

/** How long captures are kept; `null` switches a rule off. Applied by the background (store/retention.ts). */
export interface Retention {
  /** Delete calls older than this many days (1–3650). */
  keepDays: number | null;
  /** Keep at most this many MiB of captures, oldest deleted first (10–1,000,000). */
  keepMegabytes: number | null;
  /** Drop telemetry (CES, Statsig) bodies older than this many days (0–3650), keeping the calls. */
  telemetryBodyDays: number | null;
}

export interface Settings {
  /** Record calls at all (the popup's switch). */
  recording: boolean;
  /** Body size cap per request/response in bytes; beyond it bodies are cut and flagged `truncated`. */
  maxBodyBytes: number;
  scope: RecordingScope;
  retention: Retention;
}

export const DEFAULT_SETTINGS: Settings = {
  recording: true,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  scope: 'all',
  retention: { keepDays: null, keepMegabytes: null, telemetryBodyDays: null },
};

const RETENTION_RANGES: Record<keyof Retention, [number, number]> = {
  keepDays: [1, 3650],
  keepMegabytes: [10, 1_000_000],
  telemetryBodyDays: [0, 3650],
};

const intIn = (v: unknown, [lo, hi]: [number, number]): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function readRetention(raw: unknown): Retention {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const out = { ...DEFAULT_SETTINGS.retention };
  for (const key of Object.keys(RETENTION_RANGES) as (keyof Retention)[]) {
    const v = r[key];
    if (v === null || intIn(v, RETENTION_RANGES[key])) out[key] = v;
  }
  return out;
}

/** Reads stored settings; each invalid or missing field falls back to its default. */
export function readSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    recording: typeof r.recording === 'boolean' ? r.recording : DEFAULT_SETTINGS.recording,
    maxBodyBytes: intIn(r.maxBodyBytes, [MIN_BODY_CAP_BYTES, MAX_BODY_CAP_BYTES])
      ? r.maxBodyBytes
      : DEFAULT_SETTINGS.maxBodyBytes,
    scope: r.scope === 'all' || r.scope === 'chatgpt' ? r.scope : DEFAULT_SETTINGS.scope,
    retention: readRetention(r.retention),
  };
}

/** Strict check for writes: unlike `readSettings`, refuses invalid values instead of replacing them. */
export const settingsSchema = {
  /** @throws Error `settings.<field>: invalid value` for the first field that is present but invalid. */
  parse(raw: unknown): Settings {
    const s = readSettings(raw);
    const r = raw as Partial<Record<keyof Settings, unknown>> | null;
    for (const key of ['recording', 'maxBodyBytes', 'scope'] as const) {
      if (r?.[key] !== undefined && r[key] !== s[key]) throw new Error(`settings.${key}: invalid value`);
    }
    const given = r?.retention as Record<string, unknown> | undefined;
    for (const key of Object.keys(RETENTION_RANGES) as (keyof Retention)[]) {
      if (given?.[key] !== undefined && given[key] !== s.retention[key]) {
        throw new Error(`settings.retention.${key}: invalid value`);
      }
    }
    return s;
  },
};

/** ChatGPT's own hosts: chatgpt.com, chat.openai.com and their subdomains (the `chatgpt` scope). */
export function isChatGptHost(host: string): boolean {
  const h = host.toLowerCase();
  return (
    h === 'chatgpt.com' ||
    h.endsWith('.chatgpt.com') ||
    h === 'chat.openai.com' ||
    h.endsWith('.chat.openai.com')
  );
}
