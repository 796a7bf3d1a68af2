/**
 * Statsig's 2026 `rgstr?…&gz=1` batches are gzip bytes (stored base64). The browser's own
 * DecompressionStream inflates them for display, so the details panel can show the JSON inside.
 */
import { MAX_INFLATED_CHARS } from '../capture/limits';

/** True when base64 `data` holds gzip bytes (magic 1f 8b). */
export function isGzipBase64(data: string): boolean {
  return data.startsWith('H4sI');
}

/** The gzip body as UTF-8 text, or null when it is not gzip or does not inflate. */
export async function inflateGzipBase64(data: string, maxChars = MAX_INFLATED_CHARS): Promise<string | null> {
  if (!isGzipBase64(data) || typeof DecompressionStream === 'undefined') return null;
  try {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const text = await new Response(stream).text();
    return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (cut at ${maxChars} characters)` : text;
  } catch {
    return null;
  }
}
