/** Types shared by the page hook's modules (erased at build time). */

/** The page's global object, as the hook sees it (a real window, or a test's stand-in). */
export type PageWindow = Window & typeof globalThis;

/** Header name/value pairs in the order given. */
export type HeaderPairs = [string, string][];
