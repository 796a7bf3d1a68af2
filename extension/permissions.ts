/**
 * Host access: whether the user lets the extension run on the ChatGPT hosts (the manifest's
 * `host_permissions`). Without it the content scripts are not injected and nothing is recorded.
 *
 * - Firefox (MV3) treats `host_permissions` as user-grantable: since Firefox 127 they are offered at install,
 *   but the user can untick them then, or revoke them later in about:addons → Permissions or from the
 *   extensions button's menu.
 * - Chrome grants them at install, but the user can withhold them ("Site access: on click / on specific
 *   sites").
 *
 * `permissions.request` for origins listed in `host_permissions` needs no extra manifest key (no
 * `optional_host_permissions`, no `permissions` entry): both browsers treat MV3 host permissions as
 * requestable at run time. Both browsers also require a user gesture, see `requestHostAccess`.
 */
import { browser } from './browser';

export interface HostAccess {
  /** True when every origin of `host_permissions` is granted. */
  granted: boolean;
  /** The origins checked: the manifest's `host_permissions` (e.g. `https://chatgpt.com/*`). */
  origins: string[];
  /** The origins among them that are not granted (empty when `granted`). */
  missing: string[];
}

/** The manifest's host permission patterns (read synchronously, so `requestHostAccess` keeps the gesture). */
export function hostOrigins(): string[] {
  return [...(browser.runtime.getManifest().host_permissions ?? [])];
}

/** Which of the ChatGPT hosts the extension may run on. Works in any extension page or the background. */
export async function hostAccess(): Promise<HostAccess> {
  const origins = hostOrigins();
  const each = await Promise.all(origins.map((o) => browser.permissions.contains({ origins: [o] })));
  const missing = origins.filter((_, i) => !each[i]);
  return { granted: missing.length === 0, origins, missing };
}

/**
 * Asks the user to grant access to all ChatGPT hosts; resolves to whether it was granted (true at once when
 * it already was). Call it directly in a click handler and before any `await`: Firefox rejects
 * `permissions.request` outside a user input handler ("may only be called from a user input handler"), and
 * an `await` ends the handler. Pages (popup, full tab) can call it; content scripts cannot.
 */
export function requestHostAccess(): Promise<boolean> {
  return browser.permissions.request({ origins: hostOrigins() });
}
