/**
 * The store's health, as the UI's banner shows it: whether writes are failing (since when, how often, the
 * last error, e.g. QuotaExceededError), how many capture bundles were dropped (the relay's queue was full or
 * a bundle was too large to deliver) and since when, and when writes recovered. Pure transitions; the
 * background keeps the value in `storage.local` under `HEALTH_KEY` so it outlives worker restarts.
 */

export const HEALTH_KEY = 'storeHealth';

export interface StoreHealth {
  /** Writes are failing now; null when the last write succeeded. Times are epoch ms. */
  failing: { since: number; count: number; lastError: string } | null;
  /** Captures lost for good since `since` (kept until the user dismisses the banner). */
  dropped: { since: number; count: number } | null;
  /** When writes succeeded again after failing; null when they never failed (or after dismissal). */
  recoveredAt: number | null;
}

export const HEALTHY: StoreHealth = { failing: null, dropped: null, recoveredAt: null };

/** A write (capture batch, import, retention) failed with `error`. */
export function noteWriteFailure(h: StoreHealth, now: number, error: string): StoreHealth {
  const failing = h.failing
    ? { ...h.failing, count: h.failing.count + 1, lastError: error }
    : { since: now, count: 1, lastError: error };
  return { ...h, failing, recoveredAt: null };
}

/** A write succeeded: a failing store has recovered. Returns `h` itself when nothing changed. */
export function noteWriteSuccess(h: StoreHealth, now: number): StoreHealth {
  return h.failing ? { ...h, failing: null, recoveredAt: now } : h;
}

/** `count` more bundles were dropped before reaching the store. Returns `h` itself for 0. */
export function noteDropped(h: StoreHealth, now: number, count: number): StoreHealth {
  if (count <= 0) return h;
  const dropped = h.dropped ? { ...h.dropped, count: h.dropped.count + count } : { since: now, count };
  return { ...h, dropped };
}

/** The user dismissed the banner: forget past drops and recoveries, keep a failure that is still going on. */
export function dismissHealth(h: StoreHealth): StoreHealth {
  return { failing: h.failing, dropped: null, recoveredAt: null };
}

/** Reads a stored value; anything malformed reads as healthy. */
export function readHealth(raw: unknown): StoreHealth {
  if (!raw || typeof raw !== 'object') return HEALTHY;
  const r = raw as Partial<StoreHealth>;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const failing =
    r.failing && num(r.failing.since) && num(r.failing.count) && typeof r.failing.lastError === 'string'
      ? { since: r.failing.since, count: r.failing.count, lastError: r.failing.lastError }
      : null;
  const dropped =
    r.dropped && num(r.dropped.since) && num(r.dropped.count)
      ? { since: r.dropped.since, count: r.dropped.count }
      : null;
  return { failing, dropped, recoveredAt: num(r.recoveredAt) ? (r.recoveredAt as number) : null };
}
