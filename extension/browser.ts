/**
 * The one module that imports webextension-polyfill (STYLE.md): drop it once every target browser ships
 * promise-based `browser.*`. The protocol's typed sender is in send.ts.
 */
import browser from 'webextension-polyfill';

export { browser };
