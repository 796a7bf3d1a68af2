/** Constants shared by the page hook and the extension; kept apart from the zod schemas so the hook stays tiny. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
