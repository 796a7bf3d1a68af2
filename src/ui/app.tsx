/**
 * The UI's root, the same in the popup and the full-tab view (`mode` only changes the layout): a header
 * with the recording switch and the current tab's count, the conversation list or one conversation
 * (chosen by the URL hash, `#/c/<id>`, so "Open in tab" lands on the same conversation), and a footer
 * with the storage used and "Clear everything".
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Kind } from '../protocol/classify';
import type { Settings } from '../settings';
import type { HostAccess, UiClient } from './client';
import type { ConversationViewProps } from './conversation-view';
import { ConfirmDialog } from './dialog';
import { formatBytes, plural } from './format';
import { StoreHealthBanner } from './health-banner';
import { FrameThrottle, useConversationList } from './hooks';
import { ListView } from './list-view';

export type Mode = 'popup' | 'tab';

export type Route = { name: 'list' } | { name: 'conversation'; id: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/c\/([^/?]+)/.exec(hash);
  if (!m?.[1]) return { name: 'list' };
  try {
    return { name: 'conversation', id: decodeURIComponent(m[1]) };
  } catch {
    return { name: 'list' };
  }
}

export function routeHash(route: Route): string {
  return route.name === 'list' ? '#/' : `#/c/${encodeURIComponent(route.id)}`;
}

function useRoute(): [Route, (r: Route, replace?: boolean) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const go = useCallback((r: Route, replace = false) => {
    const hash = routeHash(r);
    if (replace) history.replaceState(null, '', hash);
    else if (location.hash !== hash) history.pushState(null, '', hash);
    setRoute(r);
  }, []);
  return [route, go];
}

type ViewModule = typeof import('./conversation-view');
let viewModule: ViewModule | null = null;
let viewLoading: Promise<ViewModule> | null = null;

/** Loads the conversation view's module (timeline, analysis, decoders) once; resolves when it is in. */
function loadConversationView(): Promise<ViewModule> {
  viewLoading ??= import('./conversation-view').then(
    (m) => (viewModule = m),
    (err: unknown) => {
      viewLoading = null; // a later open tries again
      throw err;
    },
  );
  return viewLoading;
}

/**
 * The conversation view, imported the first time one is opened (or once the list is idle, see App), so
 * the list's first screen does not wait for the analysis and the decoders.
 */
function LazyConversationView(props: ConversationViewProps) {
  const [loaded, setLoaded] = useState(viewModule);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (loaded) return;
    let alive = true;
    loadConversationView().then(
      (m) => alive && setLoaded(m),
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
    };
  }, [loaded]);
  if (error) return <p class="empty">Could not load the conversation view: {error}</p>;
  if (!loaded) return <p class="empty">Loading…</p>;
  return <loaded.ConversationView {...props} />;
}

export function App({ client, mode }: { client: UiClient; mode: Mode }) {
  const [route, go] = useRoute();
  // Opened on a conversation (#/c/<id>): its module is fetched now, alongside the store's first reads.
  if (route.name === 'conversation' && !viewModule) void loadConversationView().catch(() => {});
  const list = useConversationList(client, route.name === 'list');
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<Kind | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // A view that followed its provisional id to the real one keeps its identity (no reload).
  const aliases = useRef(new Map<string, string>());
  // Back from a conversation: focus returns to its row in the list.
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    const id = returnTo.current;
    if (route.name !== 'list' || id === null) return;
    returnTo.current = null;
    requestAnimationFrame(() => {
      for (const el of document.querySelectorAll<HTMLElement>('.conv-row')) {
        if (el.dataset.conversationId === id) return el.focus();
      }
    });
  }, [route]);
  const viewKey = route.name === 'conversation' ? (aliases.current.get(route.id) ?? route.id) : '';
  // Once the store's rows are on screen, fetch the conversation view while nothing else runs: a click on
  // a row then opens it without waiting for its module.
  const listed = list.state.version > 0 && !list.state.fromSnapshot;
  useEffect(() => {
    if (!listed || viewModule) return;
    const idle = globalThis.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 200));
    idle(() => void loadConversationView().catch(() => {}));
  }, [listed]);

  return (
    <div class={`app app-${mode}`}>
      <Header client={client} mode={mode} route={route} />
      <HostAccessBanner client={client} />
      <StoreHealthBanner client={client} />
      <main class="main">
        {route.name === 'list' ? (
          <ListView
            client={client}
            list={list}
            query={query}
            kind={kind}
            onQuery={setQuery}
            onKind={setKind}
            onOpen={(id) => go({ name: 'conversation', id })}
          />
        ) : (
          <LazyConversationView
            key={viewKey}
            client={client}
            id={route.id}
            mode={mode}
            onBack={() => {
              returnTo.current = route.id;
              go({ name: 'list' });
            }}
            onResolved={(id) => {
              aliases.current.set(id, viewKey);
              go({ name: 'conversation', id }, true);
            }}
            onDeleted={() => {
              setMessage('Conversation deleted.');
              go({ name: 'list' });
            }}
          />
        )}
      </main>
      <Footer
        client={client}
        version={list.state.version}
        listed={listed}
        onClear={() => setConfirmClear(true)}
        message={message}
      />
      {confirmClear && (
        <ConfirmDialog
          title="Clear everything?"
          confirmLabel="Clear everything"
          onCancel={() => setConfirmClear(false)}
          onConfirm={async () => {
            setConfirmClear(false);
            try {
              await client.clearAll();
              setMessage('All captures deleted.');
              go({ name: 'list' });
            } catch (err) {
              setMessage(`Could not clear: ${err instanceof Error ? err.message : String(err)}`);
            }
          }}
        >
          Every recorded call of every conversation is deleted from this browser. This cannot be undone;
          export first if you want to keep a copy.
        </ConfirmDialog>
      )}
    </div>
  );
}

function Header({ client, mode, route }: { client: UiClient; mode: Mode; route: Route }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [tabCount, setTabCount] = useState<number | null>(null);

  useEffect(() => {
    let alive = true;
    client.settings().then(
      (s) => alive && setSettings(s),
      () => {},
    );
    const refresh = () =>
      client.activeTabCount().then(
        (n) => alive && setTabCount(n),
        () => {},
      );
    const throttle = new FrameThrottle(
      () => void refresh(),
      () => 500,
    );
    void refresh();
    const off = client.subscribe(() => throttle.request());
    return () => {
      alive = false;
      off();
      throttle.cancel();
    };
  }, [client]);

  const toggle = async () => {
    if (!settings) return;
    const next = { ...settings, recording: !settings.recording };
    setSettings(next);
    try {
      await client.setSettings({ recording: next.recording });
    } catch {
      setSettings(settings);
    }
  };

  return (
    <header class="topbar">
      <h1 class="brand">
        <span class="brand-dot" aria-hidden="true" />
        Flow Recorder
      </h1>
      <label class="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={settings?.recording ?? false}
          aria-label="Recording"
          checked={settings?.recording ?? false}
          disabled={!settings}
          onChange={toggle}
        />
        <span class="switch-track" aria-hidden="true" />
        <span class="switch-text">{settings?.recording === false ? 'Paused' : 'Recording'}</span>
      </label>
      {tabCount !== null && (
        <span class="tab-count" title="Calls recorded in the current tab (the badge number)">
          {plural(tabCount, 'call')} in this tab
        </span>
      )}
      <span class="spacer" />
      {client.openInsights && (
        <button type="button" class="btn" onClick={() => void client.openInsights?.()}>
          Insights
        </button>
      )}
      {client.openOptions && (
        <button type="button" class="btn" onClick={() => void client.openOptions?.()}>
          Options
        </button>
      )}
      {mode === 'popup' && (
        <button
          type="button"
          class="btn"
          onClick={() => void client.openInTab(route.name === 'conversation' ? route.id : undefined)}
        >
          Open in tab
        </button>
      )}
    </header>
  );
}

function HostAccessBanner({ client }: { client: UiClient }) {
  const [access, setAccess] = useState<HostAccess | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    client.hostAccess().then(
      (a) => alive && setAccess(a),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [client]);
  if (!access || access.granted) return null;
  const request = () => {
    // No await before the request: Firefox only allows it inside the click's own handler.
    client.requestHostAccess().then(
      async (granted) => {
        setError(granted ? null : 'Access was not granted.');
        setAccess(await client.hostAccess());
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  return (
    <div class="banner banner-warn" role="alert">
      <span>
        Recording is off for ChatGPT: this browser has not given the extension access to{' '}
        {access.origins.map((o) => o.replace(/^https:\/\/|\/\*$/g, '')).join(' and ')}.
      </span>
      <button type="button" class="btn btn-primary" onClick={request}>
        Allow access
      </button>
      {error && <span class="banner-error">{error}</span>}
    </div>
  );
}

/** The longest the footer's storage estimate waits for the list's first rows, ms. */
const ESTIMATE_WAIT_MS = 1000;

function Footer({
  client,
  version,
  listed,
  onClear,
  message,
}: {
  client: UiClient;
  version: number;
  /** The list has read the store (not only shown a snapshot). */
  listed: boolean;
  onClear: () => void;
  message: string | null;
}) {
  const [usage, setUsage] = useState<{ usage: number; quota: number } | null>(null);
  // Storage changes with the data; the list's version changes with it (re-estimate at most every 2 s).
  const bucket = Math.floor(version / 20);
  // Chromium measures the estimate in the browser process, where it holds up the database's open and
  // first reads (tens of milliseconds with a large store): asked once the list has read the store (a
  // snapshot on screen is not enough), or after ESTIMATE_WAIT_MS if it never does.
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setWaited(true), ESTIMATE_WAIT_MS);
    return () => clearTimeout(t);
  }, []);
  const ready = listed || waited;
  useEffect(() => {
    if (!ready) return;
    let alive = true;
    client.storageEstimate().then(
      (u) => alive && setUsage(u),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [client, bucket, ready]);
  return (
    <footer class="footer">
      <span class="storage">
        {usage ? `${formatBytes(usage.usage)} used` : 'Storage: unknown'}
        {usage && usage.quota > 0 && <span class="muted"> of {formatBytes(usage.quota)}</span>}
      </span>
      {message && (
        <span class="footer-msg" role="status">
          {message}
        </span>
      )}
      <span class="spacer" />
      <button type="button" class="btn btn-danger-quiet" onClick={onClear}>
        Clear everything…
      </button>
    </footer>
  );
}
