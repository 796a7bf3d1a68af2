/**
 * One conversation: a header (title, host, counts, state, export, delete), then tabs — the timeline with
 * a details panel, the turns with their latency cards, the flow checks, the message tree. Live: it
 * follows the store while a reply streams (`useConversation`). The App loads this module when a
 * conversation is first opened: the list's first screen needs none of it.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { UiClient } from './client';
import { ConversationLoader, type ConversationState } from './conversation-model';
import { DetailsPanel } from './details';
import { ConfirmDialog } from './dialog';
import { ExportImportPanel, type ExportScope } from './export/panel';
import { formatCount, formatTime, plural } from './format';
import { FrameThrottle } from './hooks';
import { StateBadges } from './list-view';
import { mark } from './perf';
import { defaultScale, type Scale, Timeline } from './timeline';
import { buildTimeline, type TimelineCall } from './timeline-model';
import { ChecksPanel, TreePanel, TurnsPanel } from './turns';

type Tab = 'timeline' | 'turns' | 'checks' | 'tree';
const TABS: { id: Tab; label: string }[] = [
  { id: 'timeline', label: 'Timeline' },
  { id: 'turns', label: 'Turns & latency' },
  { id: 'checks', label: 'Checks' },
  { id: 'tree', label: 'Message tree' },
];

export interface ConversationViewProps {
  client: UiClient;
  id: string;
  mode: 'popup' | 'tab';
  onBack: () => void;
  /** A provisional id was replaced by the server's. */
  onResolved: (id: string) => void;
  onDeleted: () => void;
}

function focusRow(callId: string) {
  for (const el of document.querySelectorAll<HTMLElement>('.tl-row')) {
    if (el.dataset.callId === callId) {
      el.focus();
      return;
    }
  }
}

/** One conversation, analysed and live. */
function useConversation(
  client: UiClient,
  id: string,
): { state: ConversationState; loader: ConversationLoader } {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  // Created once per mounted view: the id may change under it (a provisional id resolving), and the
  // loader follows that itself; another conversation is another view (the App keys it by id).
  const [holder] = useState(() => {
    const render = new FrameThrottle(() => rerender(undefined));
    const loader = new ConversationLoader(client, id, () => render.request());
    // Analyse and render in the same frame (not analyse in one, render in the next).
    const flush = new FrameThrottle(() => {
      if (!loader.flush()) return;
      render.cancel();
      rerender(undefined);
    });
    return { loader, render, flush };
  });
  useEffect(() => {
    const { loader, render, flush } = holder;
    let alive = true;
    void loader.load();
    const off = client.subscribe((change) => {
      void loader.apply(change).then(() => {
        if (alive) flush.request();
      });
    });
    return () => {
      alive = false;
      off();
      render.cancel();
      flush.cancel();
    };
  }, [client, holder]);
  return { state: holder.loader.state(), loader: holder.loader };
}

export function ConversationView({ client, id, mode, onBack, onResolved, onDeleted }: ConversationViewProps) {
  const { state, loader } = useConversation(client, id);
  const conv = state.conversation;
  const [tab, setTab] = useState<Tab>('timeline');
  const [selected, setSelected] = useState<string | null>(null);
  const [reveal, setReveal] = useState<string | null>(null);
  const [scale, setScale] = useState<Scale | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const rendered = useRef(false);
  // Opening a conversation moves focus to its title, so keyboard and screen-reader users land in it.
  const heading = useRef<HTMLHeadingElement>(null);
  const headingFocused = useRef(false);
  useEffect(() => {
    if (conv && !headingFocused.current) {
      headingFocused.current = true;
      // Only when focus was lost with the list row that opened this view, never taken from a control.
      const active = document.activeElement;
      if (!active || active === document.body) heading.current?.focus();
    }
  }, [conv]);

  useEffect(() => {
    if (state.id !== id) onResolved(state.id);
  }, [state.id, id, onResolved]);

  const model = useMemo(() => (conv ? buildTimeline(conv, state.calls) : null), [conv, state.version]);
  const effectiveScale = scale ?? (model ? defaultScale(model) : 'conversation');
  const rowOf = useMemo(() => {
    const m = new Map<string, TimelineCall>();
    for (const g of model?.groups ?? []) for (const c of g.calls) m.set(c.callId, c);
    return m;
  }, [model]);

  if (conv && !rendered.current) mark('cfr:conversation-analyzed');
  useLayoutEffect(() => {
    if (!conv || rendered.current) return;
    rendered.current = true;
    // Force style and layout so the mark includes them, as the user would wait for them.
    void document.body.offsetHeight;
    mark('cfr:timeline-rendered');
  });

  // Esc closes the details and puts focus back on the row.
  useEffect(() => {
    if (!selected) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (document.querySelector('.modal')) return;
      e.preventDefault();
      const id = selected;
      setSelected(null);
      requestAnimationFrame(() => focusRow(id));
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selected]);

  const showCall = (callId: string) => {
    setTab('timeline');
    setSelected(callId);
    setReveal(callId);
  };

  if (state.loading && !conv) return <p class="empty">Loading conversation…</p>;
  if (!conv) {
    return (
      <div class="empty">
        <p>
          {state.error
            ? `Could not read this conversation: ${state.error}`
            : 'This conversation is not stored (any more).'}
        </p>
        <button type="button" class="btn" onClick={onBack}>
          Back to the list
        </button>
      </div>
    );
  }

  const failed = conv.checks.filter((c) => c.status === 'fail').length;
  const scope: ExportScope = { label: 'This conversation', callIds: conv.callIds };
  const selectedCall = selected ? state.calls.get(selected) : undefined;
  const selectedTurn = selectedCall
    ? (conv.turns.find((t) => t.callId === selectedCall.callId) ?? null)
    : null;
  const title = conv.title ?? (conv.firstPrompt ? `“${conv.firstPrompt}”` : 'Untitled conversation');

  return (
    <section class={`conv-view conv-${mode}`} aria-label={`Conversation ${title}`}>
      <div class="conv-head">
        <button type="button" class="btn btn-icon" aria-label="Back to the list" onClick={onBack}>
          ←
        </button>
        <div class="conv-title">
          <h2 ref={heading} tabIndex={-1} title={title}>
            {title}
          </h2>
          <div class="conv-meta">
            <span>{conv.host ?? '—'}</span>
            <span>{formatTime(conv.startedAt)}</span>
            <span>{plural(conv.turnCount, 'turn')}</span>
            <span>{plural(conv.counts.total, 'call')}</span>
            <StateBadges s={conv} />
            {failed > 0 && (
              <button type="button" class="badge badge-error badge-button" onClick={() => setTab('checks')}>
                {plural(failed, 'flow check')} failed
              </button>
            )}
          </div>
        </div>
        <div class="export-slot">
          <ExportImportPanel scope={scope} client={client} />
        </div>
        <button type="button" class="btn btn-danger-quiet" onClick={() => setConfirmDelete(true)}>
          Delete…
        </button>
      </div>
      <div class="tabs" role="tablist" aria-label="Conversation views">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            class="view-tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => {
              const i = TABS.findIndex((x) => x.id === tab);
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              e.preventDefault();
              const next = TABS[(i + step + TABS.length) % TABS.length]!;
              setTab(next.id);
              requestAnimationFrame(() => document.getElementById(`tab-${next.id}`)?.focus());
            }}
          >
            {t.label}
            {t.id === 'checks' && failed > 0 && <span class="tab-bad"> ({failed} failed)</span>}
            {t.id === 'turns' && <span class="muted"> ({formatCount(conv.turns.length)})</span>}
          </button>
        ))}
      </div>
      <div
        class={`panel panel-${tab}${selectedCall && tab === 'timeline' ? ' with-details' : ''}`}
        role="tabpanel"
        id={`panel-${tab}`}
        aria-labelledby={`tab-${tab}`}
      >
        {tab === 'timeline' && model && (
          <>
            <Timeline
              model={model}
              selected={selected}
              onSelect={(cid) => setSelected(cid === selected ? null : cid)}
              scale={effectiveScale}
              onScale={setScale}
              reveal={reveal}
            />
            {selectedCall && (
              <DetailsPanel
                key={selectedCall.callId}
                call={selectedCall}
                n={rowOf.get(selectedCall.callId)?.n ?? null}
                chunks={state.chunks.get(selectedCall.callId)}
                turn={selectedTurn}
                cache={state.cache}
                origin={model.origin}
                onClose={() => {
                  const cid = selectedCall.callId;
                  setSelected(null);
                  requestAnimationFrame(() => focusRow(cid));
                }}
                onNeedChunks={(cid) => void loader.ensureChunks(cid)}
              />
            )}
          </>
        )}
        {tab === 'turns' && <TurnsPanel conv={conv} onShowCall={showCall} />}
        {tab === 'checks' && (
          <ChecksPanel
            conv={conv}
            onShowCall={showCall}
            callName={(cid) => {
              const row = rowOf.get(cid);
              const group = model?.groups.find((g) => g.calls.some((c) => c.callId === cid));
              return row ? `${group ? `${group.title} · ` : ''}${row.n} ${row.label}` : cid;
            }}
          />
        )}
        {tab === 'tree' && <TreePanel conv={conv} />}
      </div>
      {deleteError && (
        <p class="banner banner-warn" role="alert">
          {deleteError}
        </p>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete this conversation?"
          confirmLabel="Delete"
          onCancel={() => setConfirmDelete(false)}
          onConfirm={async () => {
            setConfirmDelete(false);
            try {
              await client.deleteCalls(conv.callIds);
              onDeleted();
            } catch (err) {
              setDeleteError(`Could not delete: ${err instanceof Error ? err.message : String(err)}`);
            }
          }}
        >
          Its {plural(conv.callIds.length, 'recorded call')} are deleted from this browser.
        </ConfirmDialog>
      )}
    </section>
  );
}
