/**
 * The conversation list: newest first, searchable (title, prompts, reply text, URLs) and filterable by the
 * kinds of calls a conversation contains. Virtualized: 1,000 rows cost what 20 do.
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import type { ConversationSummary } from '../analysis/types';
import { KINDS, type Kind } from '../protocol/classify';
import type { UiClient } from './client';
import { ExportImportPanel, type ExportScope } from './export/panel';
import { formatCount, formatTime, KIND_LABEL, plural } from './format';
import type { ConversationIndex, ListState } from './list-model';
import { mark } from './perf';
import { VirtualList } from './virtual-list';

const ROW_HEIGHT = 48;

export interface ListViewProps {
  client: UiClient;
  list: { state: ListState; index: ConversationIndex };
  query: string;
  kind: Kind | null;
  onQuery: (q: string) => void;
  onKind: (k: Kind | null) => void;
  onOpen: (id: string) => void;
}

export function ListView({ client, list, query, kind, onQuery, onKind, onOpen }: ListViewProps) {
  const { state, index } = list;
  const rows = useMemo(() => index.filter(query, kind), [index, state.version, query, kind]);
  const searching = query.trim() !== '';

  useEffect(() => {
    if (searching) void index.indexReplies();
  }, [index, searching, state.version]);

  const scope = useMemo((): ExportScope => {
    // Nothing stored yet: an empty scope (the panel disables its export buttons).
    if (!searching && !kind) return { label: 'Everything', callIds: state.conversations.length ? null : [] };
    const ids = rows.flatMap((s) => (kind ? index.callIdsOfKind(s.callIds, kind) : s.callIds));
    const what = kind ? `${KIND_LABEL[kind]} calls of ` : '';
    return { label: `${what}${plural(rows.length, 'matching conversation')}`, callIds: ids };
  }, [rows, kind, searching, state.conversations.length]);

  const marked = useRef({ first: false, fresh: false, complete: false });
  useLayoutEffect(() => {
    const m = marked.current;
    // The store has answered: its rows, or "Nothing recorded yet" for an empty store, are on screen.
    const fresh = state.version > 0 && !state.fromSnapshot;
    if (!m.first && (rows.length > 0 || fresh)) {
      m.first = true;
      // Include style and layout, as the user waits for them too.
      void document.body.offsetHeight;
      mark('cfr:list-interactive');
    }
    if (!m.fresh && fresh) {
      m.fresh = true;
      void document.body.offsetHeight;
      mark('cfr:list-fresh');
    }
    if (!m.complete && state.complete && state.version > 0) {
      m.complete = true;
      mark('cfr:list-complete');
    }
  });

  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const onRange = (start: number, end: number) => {
    void index.ensureTitles(rowsRef.current.slice(start, end));
  };

  return (
    <section class="list-view" aria-label="Conversations">
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder="Title, prompt, reply or URL"
          aria-label="Search conversations"
          value={query}
          onInput={(e) => onQuery(e.currentTarget.value)}
        />
        <select
          aria-label="Filter by kind"
          value={kind ?? ''}
          onChange={(e) => onKind((e.currentTarget.value || null) as Kind | null)}
        >
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
        <div class="export-slot">
          <ExportImportPanel scope={scope} client={client} />
        </div>
      </div>
      <div class="list-head" aria-hidden="true">
        <span>Conversation</span>
        <span>Host</span>
        <span>Started</span>
        <span class="num">Turns</span>
        <span class="num">Calls</span>
        <span>State</span>
      </div>
      {rows.length === 0 ? (
        <EmptyList state={state} filtered={searching || kind !== null} />
      ) : (
        <VirtualList
          class="conv-list"
          label="Conversations"
          count={rows.length}
          version={rows}
          height={() => ROW_HEIGHT}
          itemKey={(i) => rows[i]?.id ?? String(i)}
          onRange={onRange}
          render={(i) => {
            const s = rows[i];
            return s ? <Row s={s} title={index.titleOf(s)} onOpen={onOpen} /> : null;
          }}
        />
      )}
      <ListStatus state={state} shown={rows.length} filtered={searching || kind !== null} />
    </section>
  );
}

function Row({
  s,
  title,
  onOpen,
}: {
  s: ConversationSummary;
  title: string | null;
  onOpen: (id: string) => void;
}) {
  const shownTitle = title ?? (s.firstPrompt ? `“${s.firstPrompt}”` : 'Untitled conversation');
  return (
    <button type="button" class="conv-row" data-conversation-id={s.id} onClick={() => onOpen(s.id)}>
      <span class="c-title">
        <span class="c-name" title={shownTitle}>
          {shownTitle}
        </span>
        <span class="c-sub">
          {title && s.firstPrompt
            ? s.firstPrompt
            : s.idSource === 'provisional'
              ? 'new chat (id not known yet)'
              : s.id}
        </span>
      </span>
      <span class="c-host">{s.host ?? '—'}</span>
      <span class="c-time">{formatTime(s.startedAt)}</span>
      <span class="num">
        {formatCount(s.turnCount)}
        <span class="sr-only"> {s.turnCount === 1 ? 'turn' : 'turns'}</span>
      </span>
      <span class="num">
        {formatCount(s.counts.total)}
        <span class="sr-only"> {s.counts.total === 1 ? 'call' : 'calls'}</span>
      </span>
      <span class="c-state">
        <StateBadges s={s} />
      </span>
    </button>
  );
}

export function StateBadges({ s }: { s: Pick<ConversationSummary, 'live' | 'flags' | 'counts'> }) {
  return (
    <>
      {s.live ? (
        <span class="badge badge-live">
          <span class="pulse" aria-hidden="true" />
          Recording
        </span>
      ) : (
        <span class="badge badge-done">Done</span>
      )}
      {s.counts.errors > 0 && <span class="badge badge-error">{plural(s.counts.errors, 'error')}</span>}
      {s.flags.includes('imported') && <span class="badge">imported</span>}
      {!s.live && s.flags.includes('incomplete') && <span class="badge badge-warn">incomplete</span>}
    </>
  );
}

function EmptyList({ state, filtered }: { state: ListState; filtered: boolean }) {
  if (state.version === 0) return <p class="empty">Loading…</p>;
  if (filtered) return <p class="empty">No conversation matches.</p>;
  return (
    <div class="empty">
      <p>Nothing recorded yet.</p>
      <p class="muted">
        Open chatgpt.com and send a message: its calls show up here while they happen, and stay in this
        browser.
      </p>
    </div>
  );
}

function ListStatus({ state, shown, filtered }: { state: ListState; shown: number; filtered: boolean }) {
  const total = state.conversations.length;
  return (
    <div class="list-status" role="status" aria-live="polite">
      <span>
        {filtered
          ? `${formatCount(shown)} of ${plural(total, 'conversation')}`
          : plural(total, 'conversation')}
      </span>
      {!state.complete && (
        <span class="muted">
          {' '}
          · reading older captures ({formatCount(state.loadedCalls)}
          {state.totalCalls !== null ? ` of ${formatCount(state.totalCalls)}` : ''} calls)…
        </span>
      )}
      {state.replies && (
        <span class="muted">
          {' '}
          · searching reply text ({Math.round((state.replies.done / Math.max(1, state.replies.total)) * 100)}
          %)…
        </span>
      )}
    </div>
  );
}
