/**
 * Every size limit of the extension, in one place (bytes or UTF-16 characters, as each name says). Plain
 * constants, kept apart from the zod schemas so the page hook and the relay, which import this module,
 * stay tiny.
 */

const MiB = 1024 * 1024;

/**
 * The largest runtime message Chrome delivers (JSON, in bytes). Not enforced by us: every limit below that
 * travels in one message stays well under it.
 */
export const RUNTIME_MESSAGE_MAX_BYTES = 64 * MiB;

// ---- Capture -------------------------------------------------------------------------------------------

/** Default body cap per request/response (settings `maxBodyBytes`); beyond it bodies are cut, `truncated`. */
export const DEFAULT_MAX_BODY_BYTES = 5 * MiB;
/** Smallest body cap the settings accept. */
export const MIN_BODY_CAP_BYTES = 1024;
/** Largest body cap the settings accept: one body must fit one runtime message to the background. */
export const MAX_BODY_CAP_BYTES = 32 * MiB;

/**
 * The capture event schema's bounds (src/capture/events.ts). The hook cuts values past them, so one odd
 * call (a long data: URL, a huge header) can never make the background refuse a whole batch; a HAR import
 * cuts or refuses the same way.
 */
export const MAX_URL_CHARS = 65_536;
/** Headers kept per request or response. */
export const MAX_HEADERS = 512;
export const MAX_HEADER_NAME_CHARS = 256;
export const MAX_HEADER_VALUE_CHARS = 16_384;
export const MAX_STATUS_TEXT_CHARS = 1024;
/** An HTTP method's length (the page may use any token; longer ones are cut, not refused). */
export const MAX_METHOD_CHARS = 32;

/** Streamed text without a line break is released for redaction past this many characters… */
export const REDACT_MAX_PENDING_CHARS = 256 * 1024;
/** …minus a tail this long (longer than any token), which waits for the next piece. */
export const REDACT_HOLD_BACK_CHARS = 8 * 1024;

/** Relay → background: characters of bundles per batch (one runtime message). */
export const RELAY_MAX_BATCH_CHARS = 16 * MiB;
/** Relay: a single bundle larger than this could never be delivered and is dropped at once. */
export const RELAY_MAX_ITEM_CHARS = 48 * MiB;
/** Relay: characters queued for delivery; past it new bundles are dropped. */
export const RELAY_MAX_QUEUE_CHARS = 256 * MiB;

// ---- Import --------------------------------------------------------------------------------------------

/** Largest import file accepted (checked with File.size before reading a byte). */
export const MAX_IMPORT_BYTES = 100 * MiB;
/** Most calls one import may hold (also the bound of a 'store/import' message). */
export const MAX_IMPORT_CALLS = 200_000;
/** Deepest JSON nesting an import file may have. */
export const MAX_JSON_DEPTH = 64;
/** Body data kept per imported call; beyond it chunks are dropped and the call is flagged truncated. */
export const MAX_CALL_CHARS = 16 * MiB;
/**
 * Characters of payload per 'store/import' message. UTF-8 and JSON escaping can make a character several
 * bytes, so a part stays far below RUNTIME_MESSAGE_MAX_BYTES.
 */
export const IMPORT_PART_CHARS = 8 * MiB;

// ---- Export --------------------------------------------------------------------------------------------

/** Bodies the export's analysis reads: streams and sockets whatever their size, other bodies up to this. */
export const EXPORT_ANALYSIS_BODY_CHARS = 256 * 1024;
/** Response bodies the share-safe learning pass reads (identity endpoints), up to this size each. */
export const EXPORT_IDENTITY_BODY_BYTES = 64 * 1024;

// ---- UI ------------------------------------------------------------------------------------------------

/** Characters of an inflated gzip body the details panel shows; the rest is cut with a note. */
export const MAX_INFLATED_CHARS = 5 * MiB;
