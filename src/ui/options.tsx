/**
 * The options page (`options_ui`): what is recorded (switch, scope, body cap), how long it is kept
 * (retention), and the storage panel (usage by kind and by conversation, the browser's estimate). The store
 * health banner is shared with the popup.
 */
import { useEffect, useState } from 'preact/hooks';
import { MAX_BODY_CAP_BYTES, MIN_BODY_CAP_BYTES } from '../capture/limits';
import type { Retention, Settings } from '../settings';
import type { UsageReport } from '../store/retention';
import type { UiClient } from './client';
import { formatBytes } from './format';
import { StoreHealthBanner } from './health-banner';

const MiB = 1024 * 1024;

function NumberRule({
  label,
  unit,
  value,
  min,
  max,
  onChange,
}: {
  label: string;
  unit: string;
  value: number | null;
  min: number;
  max: number;
  onChange: (v: number | null) => void;
}) {
  const [text, setText] = useState(value === null ? '' : String(value));
  useEffect(() => setText(value === null ? '' : String(value)), [value]);
  const id = `rule-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="option-row">
      <input
        type="checkbox"
        id={`${id}-on`}
        checked={value !== null}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked ? Number(text) || min : null)}
      />
      <label for={`${id}-on`}>{label}</label>
      <input
        type="number"
        id={id}
        aria-label={`${label} (${unit})`}
        min={min}
        max={max}
        step={1}
        value={text}
        disabled={value === null}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onChange={() => {
          const n = Number(text);
          if (Number.isInteger(n) && n >= min && n <= max) onChange(n);
          else setText(value === null ? '' : String(value));
        }}
      />
      <span class="muted">{unit}</span>
    </div>
  );
}

/** The whole options page. */
export function OptionsPage({ client }: { client: UiClient }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [usage, setUsage] = useState<UsageReport | null>(null);
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);

  const readUsage = () => {
    client.storageUsage?.().then(setUsage, (e: unknown) => setError(String(e)));
    client.storageEstimate().then(setEstimate, () => {});
  };
  useEffect(() => {
    client.settings().then(setSettings, (e: unknown) => setError(String(e)));
    readUsage();
  }, [client]);

  const save = async (patch: Partial<Settings>) => {
    if (!settings) return;
    const next = { ...settings, ...patch };
    setSettings(next);
    setError(null);
    try {
      await client.setSettings(patch);
      setStatus('Saved.');
    } catch (e) {
      setSettings(settings);
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const setRule = (key: keyof Retention) => (v: number | null) =>
    settings && void save({ retention: { ...settings.retention, [key]: v } });
  const applyNow = async () => {
    setStatus('Applying…');
    try {
      const r = await client.applyRetention?.();
      setStatus(r ? `Deleted ${r.deleted} calls; dropped the bodies of ${r.stripped}.` : 'Done.');
      readUsage();
    } catch (e) {
      setStatus(null);
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (!settings) return <main class="options">{error ? <p role="alert">{error}</p> : <p>Loading…</p>}</main>;
  return (
    <main class="options">
      <h1>Flow Recorder options</h1>
      <StoreHealthBanner client={client} />
      <section aria-labelledby="opt-recording">
        <h2 id="opt-recording">Recording</h2>
        <div class="option-row">
          <input
            type="checkbox"
            id="opt-on"
            role="switch"
            aria-checked={settings.recording}
            checked={settings.recording}
            onChange={() => void save({ recording: !settings.recording })}
          />
          <label for="opt-on">Record ChatGPT's traffic</label>
        </div>
        <div class="option-row">
          <label for="opt-scope">Record</label>
          <select
            id="opt-scope"
            value={settings.scope}
            onChange={(e) => void save({ scope: (e.target as HTMLSelectElement).value as Settings['scope'] })}
          >
            <option value="all">every call the ChatGPT page makes (telemetry hosts included)</option>
            <option value="chatgpt">only calls to ChatGPT's own hosts (chatgpt.com, chat.openai.com)</option>
          </select>
        </div>
        <NumberRule
          label="Keep bodies up to"
          unit="MiB per body (larger ones are cut and flagged)"
          value={Math.round(settings.maxBodyBytes / MiB) || 1}
          min={Math.max(1, Math.ceil(MIN_BODY_CAP_BYTES / MiB))}
          max={MAX_BODY_CAP_BYTES / MiB}
          onChange={(v) => v !== null && void save({ maxBodyBytes: v * MiB })}
        />
      </section>
      <section aria-labelledby="opt-retention">
        <h2 id="opt-retention">Retention</h2>
        <p class="muted">Applied when the recorder starts and about once an hour while it records.</p>
        <NumberRule
          label="Delete captures older than"
          unit="days"
          value={settings.retention.keepDays}
          min={1}
          max={3650}
          onChange={setRule('keepDays')}
        />
        <NumberRule
          label="Keep at most"
          unit="MiB of captures (oldest deleted first)"
          value={settings.retention.keepMegabytes}
          min={10}
          max={1_000_000}
          onChange={setRule('keepMegabytes')}
        />
        <NumberRule
          label="Drop telemetry bodies (CES, Statsig) older than"
          unit="days"
          value={settings.retention.telemetryBodyDays}
          min={0}
          max={3650}
          onChange={setRule('telemetryBodyDays')}
        />
        {client.applyRetention && (
          <button type="button" class="btn" onClick={() => void applyNow()}>
            Apply now
          </button>
        )}
      </section>
      <section aria-labelledby="opt-storage">
        <h2 id="opt-storage">Storage</h2>
        {estimate && (
          <p>
            {formatBytes(estimate.usage)} used
            {estimate.quota > 0 && <span class="muted"> of {formatBytes(estimate.quota)} available</span>}{' '}
            (the browser's estimate for this extension).
          </p>
        )}
        {usage ? <UsageTables usage={usage} /> : <p class="muted">Reading…</p>}
      </section>
      <p role="status" class="options-status">
        {error ? <span class="banner-error">{error}</span> : status}
      </p>
    </main>
  );
}

function UsageTables({ usage }: { usage: UsageReport }) {
  const kinds = Object.entries(usage.byKind).sort((a, b) => (b[1]?.bytes ?? 0) - (a[1]?.bytes ?? 0));
  return (
    <>
      <table class="usage">
        <caption>
          By kind: {usage.total.calls} calls, {formatBytes(usage.total.bytes)} of captures
        </caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Calls</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map(([kind, row]) => (
            <tr key={kind}>
              <th scope="row">{kind}</th>
              <td>{row?.calls}</td>
              <td>{formatBytes(row?.bytes ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="usage">
        <caption>Largest conversations</caption>
        <thead>
          <tr>
            <th scope="col">Conversation</th>
            <th scope="col">Calls</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {usage.byConversation.map((row) => (
            <tr key={row.conversationId ?? '-'}>
              <th scope="row">
                <code>{row.conversationId ?? '(no conversation)'}</code>
              </th>
              <td>{row.calls}</td>
              <td>{formatBytes(row.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
