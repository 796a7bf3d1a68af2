/**
 * Per-turn panels: the prompt and the (growing) answer, the latency card with the recorder's numbers next
 * to what ChatGPT itself reported in lat/r, the flow checks, and the message tree with its branches.
 */
import { useState } from 'preact/hooks';
import { buildMessageTree } from '../analysis/index';
import type {
  ComparedMetric,
  Conversation,
  FlowCheck,
  LatencyComparisonRow,
  MessageNode,
  Turn,
} from '../analysis/types';
import { formatDelta, formatMs, formatRate, plural } from './format';
import { turnNote } from './timeline-model';

const PAGE = 30;

export function TurnsPanel({
  conv,
  onShowCall,
}: {
  conv: Conversation;
  onShowCall: (callId: string) => void;
}) {
  const [shown, setShown] = useState(PAGE);
  const turns = conv.turns;
  if (turns.length === 0)
    return <p class="empty">No conversation request was captured for this conversation.</p>;
  return (
    <div class="turns">
      {turns.slice(0, shown).map((t) => (
        <TurnCard
          key={t.callId}
          turn={t}
          checks={conv.checks.filter((c) => c.turnIndex === t.index)}
          onShowCall={onShowCall}
        />
      ))}
      {shown < turns.length && (
        <button type="button" class="btn more" onClick={() => setShown(shown + PAGE)}>
          Show {Math.min(PAGE, turns.length - shown)} more turns ({turns.length - shown} left)
        </button>
      )}
    </div>
  );
}

function TurnCard({
  turn: t,
  checks,
  onShowCall,
}: {
  turn: Turn;
  checks: FlowCheck[];
  onShowCall: (id: string) => void;
}) {
  const note = turnNote(t);
  const failed = checks.filter((c) => c.status === 'fail');
  return (
    <article
      class={`turn-card${t.live ? ' live' : ''}`}
      aria-label={`Turn ${t.index + 1}, ${note}`}
      data-turn={t.index}
    >
      <header class="turn-head">
        <h3>Turn {t.index + 1}</h3>
        <span class={`turn-note note-${note.replace(/\s+/g, '-')}`}>{note}</span>
        {t.model.resolved && <span class="muted">{t.model.resolved}</span>}
        {t.live && (
          <span class="badge badge-live">
            <span class="pulse" aria-hidden="true" />
            streaming
          </span>
        )}
        {!t.live && t.incomplete && <span class="badge badge-warn">incomplete ({t.decoded.terminator})</span>}
        {failed.length > 0 && <span class="badge badge-error">{plural(failed.length, 'check')} failed</span>}
        <span class="spacer" />
        <button type="button" class="btn btn-small" onClick={() => onShowCall(t.callId)}>
          Show in timeline
        </button>
      </header>
      <div class="turn-body">
        <div class="turn-text">
          <p class="prompt">
            <span class="who">You</span> {t.userPrompt ?? <span class="muted">(prompt not captured)</span>}
          </p>
          <TurnSteps turn={t} />
          <p class="reply">
            <span class="who">ChatGPT</span>{' '}
            <span class="reply-text" data-turn-reply={t.index}>
              {t.assistantText || (
                <span class="muted">{t.live ? 'waiting for the first words…' : '(no answer text)'}</span>
              )}
            </span>
          </p>
        </div>
        <LatencyCard turn={t} />
      </div>
    </article>
  );
}

/** The parts of a turn that are not the answer (docs/protocol.md §13), listed before it. */
const STEP_PARTS = new Set(['reasoning', 'tool_call', 'tool_result', 'commentary']);

/**
 * What the model did before (and around) its answer, in stream order: thoughts (collapsed, summary and
 * text), tool calls with the tool, their duration and result (sources as text, images by asset pointer,
 * output), and commentary. Nothing for turns of models without channels (only the answer).
 */
export function TurnSteps({ turn: t }: { turn: Turn }) {
  const messages = t.decoded.messages.filter((m) => m.part !== undefined && STEP_PARTS.has(m.part));
  if (messages.length === 0) return null;
  const byId = new Map(t.decoded.messages.map((m) => [m.id, m]));
  const tools = new Map((t.latency.phases?.tools ?? []).map((c) => [c.callId, c]));
  const resultIds = new Set((t.decoded.phases?.toolCalls ?? []).map((c) => c.resultId).filter((id) => id));
  const items = [];
  for (const m of messages) {
    if (m.part === 'tool_result' && resultIds.has(m.id)) continue; // shown with its call
    if (m.part === 'reasoning') {
      const r = m.reasoning;
      for (const [i, th] of (r?.thoughts ?? []).entries()) {
        items.push(
          <li key={`${m.id}:${i}`} class="step step-thought" data-step="thought">
            <details>
              <summary>
                <span class="step-kind">Thought</span> {th.summary ?? '(no summary)'}
              </summary>
              <p class="step-text">{th.content || <span class="muted">(no text)</span>}</p>
            </details>
          </li>,
        );
      }
      if (r?.recap)
        items.push(
          <li key={`${m.id}:recap`} class="step step-recap" data-step="recap">
            <span class="step-kind">Reasoning</span> {r.recap}
          </li>,
        );
      continue;
    }
    if (m.part === 'tool_call') {
      const timing = tools.get(m.id);
      const call = t.decoded.phases?.toolCalls.find((c) => c.callId === m.id);
      const result = call?.resultId ? byId.get(call.resultId) : undefined;
      const name = m.tool ?? m.recipient ?? 'tool';
      items.push(
        <li key={m.id} class="step step-tool" data-step="tool" data-tool={name}>
          <div>
            <span class="step-kind">Tool</span> <code>{name}</code>
            {' · '}
            {timing?.durationMs != null ? (
              formatMs(timing.durationMs)
            ) : (
              <span class="muted">{t.live ? 'running…' : 'no result'}</span>
            )}
          </div>
          {m.text && <pre class="step-code">{m.text}</pre>}
          {result && <ToolResult m={result} />}
        </li>,
      );
      continue;
    }
    if (m.part === 'tool_result') {
      items.push(
        <li key={m.id} class="step step-tool" data-step="tool-result">
          <span class="step-kind">Tool result</span> <code>{m.tool ?? m.name ?? 'tool'}</code>
          <ToolResult m={m} />
        </li>,
      );
      continue;
    }
    items.push(
      <li key={m.id} class="step step-commentary" data-step="commentary">
        <span class="step-kind">Commentary</span> <span class="step-text">{m.text}</span>
      </li>,
    );
  }
  return (
    <ol class="turn-steps" aria-label={`Steps of turn ${t.index + 1}`}>
      {items}
    </ol>
  );
}

/** A tool's result: its web sources (title and URL as text), images (asset pointers) and output. */
function ToolResult({ m }: { m: Turn['decoded']['messages'][number] }) {
  return (
    <div class="tool-result">
      {m.sources && m.sources.length > 0 && (
        <ul class="sources" aria-label="Sources">
          {m.sources.map((src) => (
            <li key={src.url}>
              {src.title && <span class="source-title">{src.title}</span>}{' '}
              <span class="mono source-url">{src.url}</span>
            </li>
          ))}
        </ul>
      )}
      {m.images?.map((img) => (
        <div key={img.assetPointer} class="image-ref">
          Image <span class="mono">{img.assetPointer}</span>
          {img.width !== null && img.height !== null && (
            <span class="muted">
              {' '}
              {img.width}×{img.height}
            </span>
          )}
        </div>
      ))}
      {m.text && <pre class="step-code">{m.text}</pre>}
    </div>
  );
}

const METRIC_NAME: Record<ComparedMetric, string> = {
  ttft: 'Time to first text',
  total: 'Total',
  contentEvents: 'Text events',
  gapP50: 'Gap p50',
  gapP95: 'Gap p95',
  gapP99: 'Gap p99',
  reasoning: 'Reasoning',
};

const isCount = (m: ComparedMetric) => m === 'contentEvents';
const fmt = (m: ComparedMetric, v: number | null) =>
  v === null ? '—' : isCount(m) ? String(v) : formatMs(v);
const fmtDiff = (m: ComparedMetric, v: number | null) =>
  v === null ? '—' : isCount(m) ? (v > 0 ? `+${v}` : v === 0 ? '±0' : `−${-v}`) : formatDelta(v);

export function LatencyCard({ turn: t }: { turn: Turn }) {
  const l = t.latency;
  const rows = t.comparison?.rows ?? [];
  const byMetric = new Map<ComparedMetric, LatencyComparisonRow>(rows.map((r) => [r.metric, r]));
  const reportedStall = t.reported?.tsMaxTokenTimeMs ?? null;
  const stallDiff = l.maxStallMs !== null && reportedStall !== null ? l.maxStallMs - reportedStall : null;
  const line = (metric: ComparedMetric, measured: number | null) => {
    const r = byMetric.get(metric);
    return (
      <tr key={metric}>
        <th scope="row">{METRIC_NAME[metric]}</th>
        <td class="num">{fmt(metric, r?.measured ?? measured)}</td>
        <td class="num">{fmt(metric, r?.reported ?? null)}</td>
        <td
          class={`num diff${r?.difference && !isCount(metric) ? (r.difference > 0 ? ' pos' : ' neg') : ''}`}
        >
          {fmtDiff(metric, r?.difference ?? null)}
        </td>
      </tr>
    );
  };
  const p = l.phases;
  const plain = (name: string, ms: number | null | undefined, key = name) => (
    <tr key={key} class="phase-row">
      <th scope="row">{name}</th>
      <td class="num">{formatMs(ms ?? null)}</td>
      <td class="num">—</td>
      <td class="num">—</td>
    </tr>
  );
  return (
    <section class="latency-card" aria-label={`Latency of turn ${t.index + 1}`}>
      <table class="latency">
        <caption>
          Latency{t.live ? ' (so far)' : ''}
          {t.comparison?.guess && <span class="muted"> · lat/r matched by time, not by request id</span>}
        </caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" class="num">
              Measured
            </th>
            <th scope="col" class="num">
              Reported
            </th>
            <th scope="col" class="num">
              Difference
            </th>
          </tr>
        </thead>
        {p && (
          <tbody class="phases" aria-label="Phases">
            {plain('Time to first byte', p.ttfbMs)}
            {(p.reasoningMs !== null || p.reportedThoughtSeconds !== null) &&
              line('reasoning', p.reasoningMs)}
            {p.tools.map((c) => plain(`Tool ${c.tool}`, c.durationMs, c.callId))}
            {plain('Time to first answer text', p.firstAnswerTextMs)}
            {plain('Answer', p.answerMs)}
          </tbody>
        )}
        <tbody>
          {line('ttft', l.ttftMs)}
          {line('total', l.totalMs)}
          {line('contentEvents', l.contentEvents)}
          <tr>
            <th scope="row">Events/s</th>
            <td class="num">{formatRate(l.eventsPerSecond)}</td>
            <td class="num">—</td>
            <td class="num">—</td>
          </tr>
          {line('gapP50', l.gapP50Ms)}
          {line('gapP95', l.gapP95Ms)}
          {line('gapP99', l.gapP99Ms)}
          <tr>
            <th scope="row">Max stall</th>
            <td class="num">{formatMs(l.maxStallMs)}</td>
            <td class="num">{formatMs(reportedStall)}</td>
            <td class={`num diff${stallDiff ? (stallDiff > 0 ? ' pos' : ' neg') : ''}`}>
              {formatDelta(stallDiff)}
            </td>
          </tr>
        </tbody>
      </table>
      {!t.reported && (
        <p class="muted small">
          {t.live ? 'lat/r is sent after the answer ends.' : 'No lat/r report was linked to this turn.'}
        </p>
      )}
      <p class="muted small">
        Headers after {formatMs(l.timeToHeadersMs)}. Reported: what ChatGPT posted to lat/r
        {p && (p.reasoningMs !== null || p.reportedThoughtSeconds !== null)
          ? ', and its “Thought for N s” for reasoning'
          : ''}
        . Difference = measured − reported; lat/r counts tokens where the recorder counts text events.
      </p>
    </section>
  );
}

export function ChecksPanel({
  conv,
  onShowCall,
  callName,
}: {
  conv: Conversation;
  onShowCall: (callId: string) => void;
  /** How the timeline names a call ("Turn 2 · 1 conversation (stream)"). */
  callName: (callId: string) => string;
}) {
  const order = { fail: 0, pass: 1, skip: 2 } as const;
  const checks = [...conv.checks].sort((a, b) => order[a.status] - order[b.status]);
  const counts = { fail: 0, pass: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return (
    <div class="checks">
      <p class="checks-summary">
        <span class={counts.fail ? 'bad' : 'good'}>{counts.fail} failed</span> · {counts.pass} passed ·{' '}
        {counts.skip} not applicable
      </p>
      <ul class="check-list" aria-label="Flow checks">
        {checks.map((c) => (
          <li key={c.id} class={`check check-${c.status}`} data-check={c.id}>
            <span class="check-icon" aria-hidden="true">
              {c.status === 'fail' ? '✗' : c.status === 'pass' ? '✓' : '–'}
            </span>
            <div>
              <div class="check-name">
                <span class="sr-only">
                  {c.status === 'fail' ? 'Failed: ' : c.status === 'pass' ? 'Passed: ' : 'Skipped: '}
                </span>
                {c.name}
                {c.turnIndex !== undefined && <span class="muted"> · turn {c.turnIndex + 1}</span>}
              </div>
              <div class="check-evidence">{c.evidence}</div>
              {c.callIds.length > 0 && c.status !== 'skip' && (
                <div class="check-calls">
                  {c.callIds.slice(0, 6).map((id) => (
                    <button key={id} type="button" class="btn btn-link" onClick={() => onShowCall(id)}>
                      {callName(id)}
                    </button>
                  ))}
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TreePanel({ conv }: { conv: Conversation }) {
  const tree = buildMessageTree(conv.turns);
  const branchPoints = new Set(tree.branchPoints);
  return (
    <div class="tree">
      <p class="muted">
        {tree.size} messages
        {tree.branchPoints.length > 0
          ? ` · ${tree.branchPoints.length} branch point${tree.branchPoints.length > 1 ? 's' : ''} (edits or regenerations)`
          : ' · no branches'}
      </p>
      <ul class="tree-root" aria-label="Message tree">
        {tree.roots.map((n) => (
          <Chain key={n.id} start={n} branchPoints={branchPoints} />
        ))}
      </ul>
    </div>
  );
}

/**
 * A chain of single replies is listed flat; only a branch point (several children: an edit or a
 * regeneration) nests, so a 500-turn conversation is not indented 1,000 levels deep.
 */
function Chain({ start, branchPoints }: { start: MessageNode; branchPoints: ReadonlySet<string> }) {
  const out = [];
  let n: MessageNode | undefined = start;
  while (n) {
    const branch = branchPoints.has(n.id);
    out.push(
      <li key={n.id} class={`tree-node role-${n.role}${branch ? ' branch' : ''}`}>
        <span class="tree-role">{n.role}</span>
        {n.part && n.part !== n.role && (
          <span class="badge">
            {n.tool ? `${n.part.replace('_', ' ')} · ${n.tool}` : n.part.replace('_', ' ')}
          </span>
        )}
        {n.turnIndex !== null && <span class="muted">turn {n.turnIndex + 1}</span>}
        <span class="tree-snippet">{n.snippet || <span class="muted mono">{n.id}</span>}</span>
        {branch && <span class="badge badge-warn">{n.children.length} branches</span>}
      </li>,
    );
    if (n.children.length === 1) {
      n = n.children[0];
      continue;
    }
    if (n.children.length > 1) {
      out.push(
        <li key={`${n.id}:branches`} class="tree-branches">
          <ol>
            {n.children.map((c, i) => (
              <li key={c.id}>
                <span class="branch-label">branch {i + 1}</span>
                <ul>
                  <Chain start={c} branchPoints={branchPoints} />
                </ul>
              </li>
            ))}
          </ol>
        </li>,
      );
    }
    n = undefined;
  }
  return <>{out}</>;
}
