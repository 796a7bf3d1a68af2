/**
 * Export (JSON, HAR, OTLP traces, Parquet tables; optionally share-safe) and import, for a scope: everything, the current filter or one
 * conversation. Long work runs in slices (src/export/slicer.ts), so the view stays responsive and shows
 * progress in a live region and a progress bar. Errors say what is wrong with a file and where; a refused
 * import writes nothing (the background commits an import in one transaction). The exporters and the
 * import parser are imported when an export or import starts: the panel sits on the popup's first screen.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { CaptureSource, ExportFormat, ExportProgress, ImportProgress } from '../../export';
import type { UiClient } from '../client';
import { saveFile } from './download';

export interface ExportScope {
  /** What is exported, in words ("Everything", a conversation's title…). */
  label: string;
  /** null: every stored call. */
  callIds: string[] | null;
}

export interface ExportImportPanelProps {
  scope: ExportScope;
  client: UiClient;
  /** After an import was written (the views also hear the store's change broadcast). */
  onImported?: () => void;
}

interface Busy {
  /** Writing an import cannot be cancelled halfway (it is one transaction); everything before can. */
  task: 'export' | 'import' | 'writing';
  text: string;
  done: number;
  /** 0: not known yet (an indeterminate progress bar). */
  total: number;
}

type Notice = { kind: 'ok' | 'error'; text: string } | null;

const fmt = (n: number) => n.toLocaleString('en');
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Button and progress names of the formats. */
const FORMAT_LABELS: Record<ExportFormat, string> = {
  json: 'JSON',
  har: 'HAR',
  otlp: 'OTLP',
  parquet: 'Parquet',
};

/** Hover help of the formats beyond JSON and HAR. */
const FORMAT_HINTS: Partial<Record<ExportFormat, string>> = {
  otlp: 'OpenTelemetry traces (OTLP/JSON): a trace per conversation, a span per turn and per call. Send it to a collector on /v1/traces.',
  parquet: 'Parquet tables (calls, turns, chunks) in a zip, for DuckDB, pandas or Spark.',
};

function exportText(p: ExportProgress, format: ExportFormat): Busy {
  const what = FORMAT_LABELS[format];
  switch (p.phase) {
    case 'reading':
      return { task: 'export', text: `Exporting ${what}: reading captures…`, done: 0, total: 0 };
    case 'scanning':
      return {
        task: 'export',
        text: `Exporting ${what}: finding identifiers…`,
        done: p.done,
        total: p.total,
      };
    case 'writing':
      return {
        task: 'export',
        text: `Exporting ${what}: ${fmt(p.done)} of ${fmt(p.total)} calls`,
        done: p.done,
        total: p.total,
      };
    case 'analysing':
      return {
        task: 'export',
        text: `Exporting ${what}: analysing conversations…`,
        done: p.done,
        total: p.total,
      };
  }
}

function importText(p: ImportProgress, name: string): Busy {
  return p.phase === 'scanning'
    ? { task: 'import', text: `Checking ${name}…`, done: p.done, total: p.total }
    : {
        task: 'import',
        text: `Checking ${name}: ${fmt(p.done)} of ${fmt(p.total)} calls`,
        done: p.done,
        total: p.total,
      };
}

export function ExportImportPanel({ scope, client, onImported }: ExportImportPanelProps) {
  const [shareSafe, setShareSafe] = useState(false);
  const [busy, setBusy] = useState<Busy | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const cancelled = useRef(false);
  const alive = useRef(true);
  const lastReport = useRef(0);
  const hintId = useId();
  useEffect(
    () => () => {
      alive.current = false;
      cancelled.current = true;
    },
    [],
  );

  /** Progress is rendered at most ~10 times a second: a slice ends every few ms. */
  const report = (b: Busy, force = false) => {
    const now = performance.now();
    if (!force && now - lastReport.current < 100) return;
    lastReport.current = now;
    if (alive.current) setBusy(b);
  };
  const finish = (n: Notice) => {
    if (!alive.current) return;
    setBusy(null);
    setNotice(n);
  };

  const source: CaptureSource = {
    allCalls: () => client.allCalls(),
    chunks: (id) => client.chunks(id),
  };
  if (client.chunksOf) {
    const many = client.chunksOf.bind(client);
    source.chunksOf = (ids) => many(ids);
  }

  async function runExport(format: ExportFormat) {
    cancelled.current = false;
    setNotice(null);
    report(exportText({ phase: 'reading', done: 0, total: 0 }, format), true);
    try {
      const { exportCaptures } = await import('../../export');
      const gen = exportCaptures(source, { format, shareSafe, scope });
      let step = await gen.next();
      while (!step.done) {
        if (cancelled.current) {
          finish({ kind: 'ok', text: 'Export cancelled.' });
          return;
        }
        report(exportText(step.value, format));
        step = await gen.next();
      }
      const r = step.value;
      if (cancelled.current) {
        finish({ kind: 'ok', text: 'Export cancelled.' });
        return;
      }
      if (r.calls === 0) {
        finish({ kind: 'ok', text: 'Nothing to export: no captures in this selection.' });
        return;
      }
      saveFile(r.parts, r.mimeType, r.filename);
      finish({
        kind: 'ok',
        text: `Saved ${r.filename}: ${fmt(r.calls)} call${r.calls === 1 ? '' : 's'}${shareSafe ? ', share-safe' : ''}.`,
      });
    } catch (err) {
      finish({ kind: 'error', text: `Export failed: ${errorText(err)}` });
    }
  }

  async function runImport(file: File) {
    cancelled.current = false;
    setNotice(null);
    try {
      const { checkImportFile, parseImport } = await import('../../export');
      // Before reading a byte: a 200 MB file is refused here, not after the page ran out of memory.
      checkImportFile(file);
      report({ task: 'import', text: `Reading ${file.name}…`, done: 0, total: 0 }, true);
      const text = await file.text();
      const gen = parseImport(text);
      let step = await gen.next();
      while (!step.done) {
        if (cancelled.current) {
          finish({ kind: 'ok', text: 'Import cancelled; nothing was written.' });
          return;
        }
        report(importText(step.value, file.name));
        step = await gen.next();
      }
      const parsed = step.value;
      if (cancelled.current) {
        finish({ kind: 'ok', text: 'Import cancelled; nothing was written.' });
        return;
      }
      if (parsed.calls.length === 0) {
        finish({ kind: 'ok', text: `${file.name} holds no calls; nothing to import.` });
        return;
      }
      report(
        { task: 'writing', text: `Importing ${fmt(parsed.calls.length)} calls…`, done: 0, total: 0 },
        true,
      );
      const importId = `import-${new Date().toISOString()}-${Math.random().toString(36).slice(2, 8)}`;
      const r = await client.importCaptures(importId, parsed.calls, parsed.chunks, (done, total) =>
        report({ task: 'writing', text: `Importing ${fmt(parsed.calls.length)} calls…`, done, total }),
      );
      const skipped = r.skipped > 0 ? `; ${fmt(r.skipped)} already present` : '';
      const warnings = parsed.warnings.length > 0 ? ` Note: ${parsed.warnings.join(' ')}` : '';
      finish({
        kind: 'ok',
        text: `Imported ${fmt(r.added)} call${r.added === 1 ? '' : 's'} from ${file.name}${skipped}.${warnings}`,
      });
      onImported?.();
    } catch (err) {
      // An ImportError says what is wrong with the file and where; any other error, what failed.
      const why = errorText(err);
      finish({ kind: 'error', text: `Cannot import ${file.name}: ${why} Nothing was imported.` });
    }
  }

  const working = busy !== null;
  /** Nothing to export in this scope (an empty store, or a filter that matches nothing). */
  const empty = scope.callIds !== null && scope.callIds.length === 0;
  return (
    <fieldset
      class="export-panel"
      aria-label="Export and import"
      style={{
        display: 'inline-flex',
        flexWrap: 'wrap',
        alignItems: 'center',
        gap: '6px',
        border: 0,
        margin: 0,
        padding: 0,
        minWidth: 0,
      }}
    >
      <label title="Also replace prompts, replies, titles, e-mails, names and account, device and session ids with placeholders, so the file can be shared.">
        <input
          type="checkbox"
          checked={shareSafe}
          disabled={working}
          aria-describedby={hintId}
          onChange={(e) => setShareSafe(e.currentTarget.checked)}
        />{' '}
        Share-safe
      </label>
      <span id={hintId} class="sr-only">
        Also replaces prompts, replies, titles, e-mails, names and account, device and session ids with
        placeholders.
      </span>
      <button type="button" class="btn" disabled={working || empty} onClick={() => void runExport('json')}>
        Export JSON
      </button>
      <button type="button" class="btn" disabled={working || empty} onClick={() => void runExport('har')}>
        Export HAR
      </button>
      {(['otlp', 'parquet'] as const).map((f) => (
        <button
          key={f}
          type="button"
          class="btn"
          title={FORMAT_HINTS[f]}
          disabled={working || empty}
          onClick={() => void runExport(f)}
        >
          Export {FORMAT_LABELS[f]}
        </button>
      ))}
      <button type="button" class="btn" disabled={working} onClick={() => fileInput.current?.click()}>
        Import
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".json,.har,application/json"
        aria-label="Import file"
        hidden
        onChange={(e) => {
          const input = e.currentTarget;
          const file = input.files?.[0];
          // Cleared, so choosing the same file again fires another change.
          input.value = '';
          if (file) void runImport(file);
        }}
      />
      {working && (
        <>
          <progress
            aria-label={busy.text}
            max={busy.total > 0 ? busy.total : undefined}
            value={busy.total > 0 ? busy.done : undefined}
          />
          {busy.task !== 'writing' && (
            <button type="button" class="btn btn-small" onClick={() => (cancelled.current = true)}>
              Cancel
            </button>
          )}
        </>
      )}
      <span class="export-status" role="status" aria-live="polite">
        {busy ? busy.text : notice?.kind === 'ok' ? notice.text : ''}
      </span>
      {notice?.kind === 'error' && (
        <span class="export-error" role="alert">
          {notice.text}
        </span>
      )}
    </fieldset>
  );
}
