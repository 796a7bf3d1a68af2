/**
 * A time-series plot (uPlot, canvas) with its table alternative. Only the Insights page imports this file,
 * so only its bundle carries uPlot. Colours come from the page's CSS variables and follow the light/dark
 * switch; where no canvas is available (component tests) only the table renders.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line: its label and one value per x (null: no data that day). */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS colour or `var(--name)`; default: the palette by position. */
  color?: string;
  dash?: boolean;
}

const PALETTE = [
  '--k-conversation',
  '--ph-reasoning',
  '--ph-stream',
  '--ph-tool',
  '--danger',
  '--k-websocket',
  '--k-ces',
  '--warn',
];

function cssColor(value: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(value);
  const name = m ? m[1] : value.startsWith('--') ? value : null;
  if (!name) return value;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export interface ChartProps {
  /** The plot's title (also its accessible name). */
  title: string;
  /** X values: UTC days as epoch seconds (uPlot's time unit). */
  x: number[];
  series: ChartSeries[];
  /** Unit of the y axis (`ms`, `chars/s`, `calls`…). */
  unit: string;
  /** The same numbers as a table (shown below the plot). */
  table: ComponentChildren;
  /** Bars instead of lines (counts per day). */
  bars?: boolean;
}

/** A figure: the plot (decorative for screen readers: the table says the same) and its table. */
export function Chart({ title, x, series, unit, table, bars }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || !canDraw() || x.length === 0) return;
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const fg = cssColor('--fg-2');
      const grid = cssColor('--grid-line');
      const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
      // Bars only for one series: several bars on the same day would hide each other.
      const barPaths = bars && series.length === 1 ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined;
      plot = new uPlot(
        {
          width: Math.max(280, el.clientWidth || 640),
          height: 220,
          scales: { x: { time: true } },
          // Days are UTC days: label the axis in UTC too.
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
          axes: [axis, { ...axis, label: unit, size: 60 }],
          legend: { live: false },
          cursor: { drag: { x: false, y: false } },
          series: [
            {},
            ...series.map((s, i) => {
              const color = cssColor(s.color ?? PALETTE[i % PALETTE.length] ?? '--fg');
              return {
                label: s.label,
                stroke: color,
                width: 2,
                spanGaps: true,
                ...(s.dash ? { dash: [6, 4] } : {}),
                ...(barPaths ? { paths: barPaths, fill: `${color}99` } : {}),
                points: { show: x.length < 60 },
              };
            }),
          ],
        },
        [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
        el,
      );
    };
    try {
      draw();
    } catch {
      plot = null;
    }
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const redraw = () => {
      try {
        draw();
      } catch {}
    };
    media?.addEventListener?.('change', redraw);
    return () => {
      media?.removeEventListener?.('change', redraw);
      plot?.destroy();
    };
  }, [x, series, unit, bars]);
  return (
    <figure class="ins-figure">
      <figcaption>{title}</figcaption>
      <div class="ins-plot" ref={host} aria-hidden="true" data-plot={title} />
      <details class="ins-table-wrap">
        <summary>Table: {title}</summary>
        {table}
      </details>
    </figure>
  );
}
