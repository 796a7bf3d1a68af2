/**
 * Size limits, in one place: shared by the page hook, the relay, the background and the settings. Kept apart
 * from the zod schemas so the hook stays tiny.
 */

/** Default cap per request/response body, in bytes (5 MiB); the user can change it (settings). */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Smallest body cap the settings accept, in bytes. */
export const MIN_BODY_BYTES = 1024;
/** Largest body cap: one body must fit one runtime message to the background (Chrome caps one at 64 MiB). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
