/**
 * The waterfall, as in DevTools' Network panel: one row per call in time order, grouped by turn, the bar
 * split into waiting (start → headers) and receiving (headers → end; a stream's bar grows while it is
 * live). x is the time since the conversation started, over the whole conversation or — when turns are
 * minutes apart and the bars would be slivers — over each turn's own window.
 */
import type { JSX } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { formatBytes, formatMs, formatOffset, KIND_LABEL, plural } from './format';
import {
  flatten,
  type PhaseKind,
  type PhaseSegment,
  type TimelineCall,
  type TimelineGroup,
  type TimelineItem,
  type TimelineModel,
  tickStep,
  xPercent,
} from './timeline-model';
import { VirtualList } from './virtual-list';

export type Scale = 'conversation' | 'turn';

const GROUP_HEIGHT = 30;
const TIP_WIDTH = 250;
const ROW_HEIGHT = 26;

/** Whole-conversation scale unless the conversation is long enough to make one turn's bars unreadable. */
export function defaultScale(model: TimelineModel): Scale {
  const span = model.end - model.origin;
  const longest = Math.max(1, ...model.groups.map((g) => g.end - g.start));
  return span > 60_000 && span / longest > 8 ? 'turn' : 'conversation';
}

export interface TimelineProps {
  model: TimelineModel;
  selected: string | null;
  onSelect: (callId: string) => void;
  scale: Scale;
  onScale: (s: Scale) => void;
  /** Key of a row to scroll into view. */
  reveal?: string | null;
}

/** The row's visible cells, as shown: status (or … / —) and duration (… while live). */
function visibleCells(c: TimelineCall): { status: string; duration: string } {
  const dur = c.totalMs ?? c.end - c.start;
  return {
    status: c.status !== null ? String(c.status) : c.live ? '…' : '—',
    duration: c.live && c.totalMs === null ? `${formatMs(dur)}…` : formatMs(dur),
  };
}

/** "reasoning 1.74 s" for each phase segment of a row, in time order. */
export function describePhases(segments: readonly PhaseSegment[]): string {
  return segments.map((s) => `${s.label} ${formatMs(s.end - s.start)}`).join(', ');
}

/**
 * A row's accessible name. It starts with the row's visible text in order (number, label, status,
 * duration), so that the name contains what sighted users read (WCAG 2.5.3, axe
 * `label-content-name-mismatch`), then adds the method, path, offsets, timings and the phases.
 */
function describeCall(c: TimelineCall, origin: number): string {
  const cells = visibleCells(c);
  const parts = [
    `${c.n} ${c.label} ${cells.status} ${cells.duration}`,
    `${c.method} ${c.path}`,
    c.status !== null ? `status ${c.status}` : c.live ? 'waiting for headers' : 'no status',
    `starts ${formatOffset(c.start - origin)}`,
  ];
  if (c.waitingMs !== null) parts.push(`waiting ${formatMs(c.waitingMs)}`);
  if (c.receivingMs !== null) parts.push(`receiving ${formatMs(c.receivingMs)}${c.live ? ' so far' : ''}`);
  if (c.totalMs !== null) parts.push(`total ${formatMs(c.totalMs)}`);
  else if (c.live) parts.push('still streaming');
  if (c.phases) parts.push(`phases: ${describePhases(c.phases)}`);
  return parts.join(', ');
}

export function Timeline({ model, selected, onSelect, scale, onScale, reveal }: TimelineProps) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [hover, setHover] = useState<{ call: TimelineCall; top: number; left: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const items = useMemo(() => flatten(model, collapsed), [model, collapsed]);
  const span = Math.max(1, model.end - model.origin);
  const step = tickStep(span);
  const gridPct = (step / span) * 100;

  const toggle = (key: string) => {
    const next = new Set(collapsed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };

  const windowOf = (g: TimelineGroup): [number, number] =>
    scale === 'turn' ? [g.start, Math.max(g.end, g.start + 1)] : [model.origin, model.origin + span];

  const showTip = (call: TimelineCall, e: JSX.TargetedEvent<HTMLElement>) => {
    const host = box.current;
    if (!host) return;
    const r = e.currentTarget.getBoundingClientRect();
    const h = host.getBoundingClientRect();
    // Under the bar, as near its start as the width allows.
    const bar = e.currentTarget.querySelector('.tl-bar')?.getBoundingClientRect();
    const left = Math.max(8, Math.min((bar?.left ?? r.left) - h.left, h.width - TIP_WIDTH - 8));
    setHover({ call, top: r.bottom - h.top + 2, left });
  };

  const render = (i: number) => {
    const item = items[i];
    if (!item) return null;
    if (item.type === 'group') {
      const g = item.group;
      const open = !collapsed.has(g.key);
      return (
        <div class={`tl-group${g.live ? ' live' : ''}`}>
          <button
            type="button"
            class="tl-group-toggle"
            aria-expanded={open}
            onClick={() => toggle(g.key)}
            data-group={g.key}
          >
            <span class="chev" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span class="tl-group-title">{g.title}</span>
            {g.note && <span class={`turn-note note-${g.note.replace(/\s+/g, '-')}`}>{g.note}</span>}
            {g.prompt && <span class="tl-group-prompt">“{g.prompt}”</span>}
            <span class="tl-group-time">
              {formatOffset(g.start - model.origin)} · {plural(g.calls.length, 'call')}
            </span>
          </button>
        </div>
      );
    }
    return (
      <Row
        c={item.call}
        win={windowOf(item.group)}
        origin={model.origin}
        selected={selected === item.call.callId}
        onSelect={onSelect}
        onHover={showTip}
        onLeave={() => setHover(null)}
      />
    );
  };

  return (
    <div class="timeline" ref={box} style={{ '--grid': `${gridPct}%` } as JSX.CSSProperties}>
      <div class="tl-tools">
        <Legend model={model} />
        <span class="spacer" />
        <fieldset class="segmented">
          <legend class="sr-only">Time scale</legend>
          <label>
            <input
              type="radio"
              name="tl-scale"
              checked={scale === 'conversation'}
              onChange={() => onScale('conversation')}
            />
            <span>Whole conversation</span>
          </label>
          <label>
            <input type="radio" name="tl-scale" checked={scale === 'turn'} onChange={() => onScale('turn')} />
            <span>Each turn</span>
          </label>
        </fieldset>
      </div>
      <div class="tl-head" aria-hidden="true">
        <span>Call</span>
        <span>Status</span>
        <span class="num">Time</span>
        <span class="tl-axis">
          {scale === 'conversation' ? (
            <Ticks span={span} step={step} />
          ) : (
            <span class="tl-axis-note">each turn from its first call to its last</span>
          )}
        </span>
      </div>
      <VirtualList
        class={`tl-list scale-${scale}`}
        label="Timeline"
        count={items.length}
        version={items}
        height={(i) => (items[i]?.type === 'group' ? GROUP_HEIGHT : ROW_HEIGHT)}
        itemKey={(i) => keyOf(items[i], i)}
        render={render}
        // Arrow keys and the roving Tab stop go through the calls; turn headers keep their own Tab stop.
        focusable={(i) => items[i]?.type === 'call'}
        reveal={reveal ?? null}
        assumedHeight={400}
      />
      {hover && <Tip call={hover.call} top={hover.top} left={hover.left} origin={model.origin} />}
    </div>
  );
}

function keyOf(item: TimelineItem | undefined, i: number): string {
  if (!item) return String(i);
  return item.type === 'group' ? `g:${item.group.key}` : item.call.callId;
}

function Row(props: {
  c: TimelineCall;
  win: [number, number];
  origin: number;
  selected: boolean;
  onSelect: (id: string) => void;
  onHover: (c: TimelineCall, e: JSX.TargetedEvent<HTMLElement>) => void;
  onLeave: () => void;
}) {
  const { c, win, selected } = props;
  const [from, to] = win;
  const left = xPercent(c.start, from, to);
  const right = xPercent(c.end, from, to);
  const mid = c.headers !== null ? xPercent(c.headers, from, to) : right;
  const width = Math.max(0, right - left);
  const waitShare = width > 0 ? ((mid - left) / width) * 100 : 100;
  const cells = visibleCells(c);
  const classes = ['tl-row', `k-${c.kind}`];
  if (selected) classes.push('selected');
  if (c.failed) classes.push('failed');
  if (c.live) classes.push('live');
  return (
    <button
      type="button"
      class={classes.join(' ')}
      data-call-id={c.callId}
      aria-label={describeCall(c, props.origin)}
      aria-pressed={selected}
      onClick={() => props.onSelect(c.callId)}
      onMouseEnter={(e) => props.onHover(c, e)}
      onFocus={(e) => props.onHover(c, e)}
      onMouseLeave={props.onLeave}
      onBlur={props.onLeave}
    >
      {/* Spaces between the cells: the accessible name reads them as separate words, like the eye. */}
      <span class="tl-name">
        <span class="tl-n">{c.n}</span> <span class="tl-label">{c.label}</span>
      </span>{' '}
      <span class={`tl-status${c.failed ? ' bad' : ''}`}>{cells.status}</span>{' '}
      <span class="tl-dur num">{cells.duration}</span>
      <span class="tl-track">
        {c.phases ? (
          <PhasedBar c={c} phases={c.phases} win={win} />
        ) : (
          <span class="tl-bar" style={{ left: `${left}%`, width: `${width}%` }}>
            <span class="seg wait" style={{ width: `${waitShare}%` }} />
            <span class="seg recv" style={{ width: `${100 - waitShare}%` }} />
          </span>
        )}
      </span>
    </button>
  );
}

/**
 * The bar of the call that carried a turn's answer, split into the turn's phases (waiting, reasoning,
 * tool calls, answer, streaming between them); what the call did outside them (a socket open before the
 * send, the tail after the last event) is drawn as plain receiving.
 */
function PhasedBar({ c, phases, win }: { c: TimelineCall; phases: PhaseSegment[]; win: [number, number] }) {
  const [from, to] = win;
  const first = phases[0]?.start ?? c.start;
  const last = phases.at(-1)?.end ?? c.end;
  const start = Math.min(c.start, first);
  const end = Math.max(c.end, last);
  const left = xPercent(start, from, to);
  const width = Math.max(0, xPercent(end, from, to) - left);
  const span = Math.max(1e-9, end - start);
  const pct = (ms: number) => `${(Math.max(0, ms) / span) * 100}%`;
  return (
    <span class="tl-bar phased" style={{ left: `${left}%`, width: `${width}%` }}>
      {first > start && <span class="seg recv" style={{ width: pct(first - start) }} />}
      {phases.map((p) => (
        <span
          key={`${p.label}@${p.start}`}
          class={`seg ph-${p.kind}`}
          data-phase={p.kind}
          data-label={p.label}
          data-ms={Math.round(p.end - p.start)}
          style={{ width: pct(p.end - p.start) }}
        />
      ))}
      {end > last && <span class="seg recv" style={{ width: pct(end - last) }} />}
    </span>
  );
}

/** Legend entries of the phase colours, in the order a turn goes through them. */
const PHASE_LEGEND: readonly { kind: PhaseKind; label: string }[] = [
  { kind: 'waiting', label: 'until first byte' },
  { kind: 'reasoning', label: 'reasoning' },
  { kind: 'tool', label: 'tool call' },
  { kind: 'answer', label: 'answer' },
  { kind: 'stream', label: 'other stream' },
];

function Ticks({ span, step }: { span: number; step: number }) {
  const ticks: number[] = [];
  // A label in the last few percent would hang off the edge or onto its neighbour: leave it out.
  for (let t = 0; t <= span * 0.92 && ticks.length < 40; t += step) ticks.push(t);
  return (
    <>
      {ticks.map((t) => (
        <span key={t} class="tick" style={{ left: `${(t / span) * 100}%` }}>
          {t === 0 ? '0' : formatMs(t)}
        </span>
      ))}
    </>
  );
}

function Legend({ model }: { model: TimelineModel }) {
  // Only the phases some turn went through: no "reasoning" or "tool call" for older models.
  const present = new Set<PhaseKind>();
  for (const g of model.groups) for (const c of g.calls) for (const p of c.phases ?? []) present.add(p.kind);
  return (
    <ul class="legend" aria-label="Legend">
      {PHASE_LEGEND.filter((p) => present.has(p.kind)).map((p) => (
        <li key={p.kind} class="legend-phase" data-phase={p.kind}>
          <span class={`swatch ph-${p.kind}`} aria-hidden="true" />
          {p.label}
        </li>
      ))}
      <li class="legend-seg">
        <span class="swatch swatch-wait" aria-hidden="true" />
        waiting
      </li>
      <li class="legend-seg">
        <span class="swatch swatch-recv" aria-hidden="true" />
        receiving
      </li>
      {model.kinds.map((k) => (
        <li key={k} class={`k-${k}`}>
          <span class="swatch" aria-hidden="true" />
          {KIND_LABEL[k]}
        </li>
      ))}
    </ul>
  );
}

function Tip({
  call: c,
  top,
  left,
  origin,
}: {
  call: TimelineCall;
  top: number;
  left: number;
  origin: number;
}) {
  return (
    <div
      class="tl-tip"
      style={{ top: `${top}px`, left: `${left}px`, width: `${TIP_WIDTH}px` }}
      aria-hidden="true"
    >
      <strong>
        {c.n} {c.label}
      </strong>
      <div class="mono">
        {c.method} {c.path}
      </div>
      <dl>
        <dt>Starts</dt>
        <dd>{formatOffset(c.start - origin)}</dd>
        <dt>Waiting</dt>
        <dd>{formatMs(c.waitingMs)}</dd>
        <dt>Receiving</dt>
        <dd>
          {formatMs(c.receivingMs)}
          {c.live ? ' (streaming)' : ''}
        </dd>
        <dt>Total</dt>
        <dd>{c.totalMs !== null ? formatMs(c.totalMs) : 'not ended'}</dd>
        <dt>Status</dt>
        <dd>{c.status ?? '—'}</dd>
        {c.bytes !== null && (
          <>
            <dt>Size</dt>
            <dd>{formatBytes(c.bytes)}</dd>
          </>
        )}
      </dl>
      {c.phases && (
        <ul class="tip-phases">
          {c.phases.map((p) => (
            <li key={`${p.label}@${p.start}`}>
              <span class={`swatch ph-${p.kind}`} /> {p.label}{' '}
              <span class="tip-ms">{formatMs(p.end - p.start)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
