/** The store health banner (popup, full-tab view, options page): failing writes, lost captures, recovery. */
import { useEffect, useState } from 'preact/hooks';
import type { StoreHealth } from '../store/health';
import type { UiClient } from './client';
import { formatClock } from './format';

/** Failing writes, dropped captures or a recovery: one banner, dismissible once nothing is failing. */
export function StoreHealthBanner({ client }: { client: UiClient }) {
  const [health, setHealth] = useState<StoreHealth | null>(null);
  useEffect(() => {
    if (!client.health) return;
    let alive = true;
    const read = () =>
      client.health?.().then(
        (h) => alive && setHealth(h),
        () => {},
      );
    void read();
    const off = client.subscribe(() => void read());
    return () => {
      alive = false;
      off();
    };
  }, [client]);
  if (!health || (!health.failing && !health.dropped && health.recoveredAt === null)) return null;
  const parts: string[] = [];
  if (health.failing) {
    parts.push(
      `Captures cannot be saved: ${health.failing.count} write${health.failing.count === 1 ? '' : 's'} failed since ${formatClock(health.failing.since)} (${health.failing.lastError}). They are kept in the page and saved when space returns; free space or lower the retention limits.`,
    );
  } else if (health.recoveredAt !== null) {
    parts.push(`Saving works again since ${formatClock(health.recoveredAt)}.`);
  }
  if (health.dropped) {
    parts.push(
      `${health.dropped.count} capture${health.dropped.count === 1 ? ' was' : 's were'} lost since ${formatClock(health.dropped.since)} (the page produced more than could be saved).`,
    );
  }
  const dismiss = async () => {
    await client.dismissHealth?.();
    setHealth((await client.health?.()) ?? null);
  };
  return (
    <div class={`banner ${health.failing || health.dropped ? 'banner-warn' : ''}`} role="alert">
      <span>{parts.join(' ')}</span>
      {!health.failing && (
        <button type="button" class="btn" onClick={() => void dismiss()}>
          Dismiss
        </button>
      )}
    </div>
  );
}
