/**
 * Saves a file the page built: Blob + object URL + <a download>. No `downloads` permission is needed for
 * a file the extension page makes itself.
 */
export function saveFile(parts: readonly BlobPart[], type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download before the browser has read the blob (Firefox); a minute
  // is plenty, and the URL dies with the page anyway.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
