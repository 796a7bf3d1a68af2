/** Helpers shared by the benchmarks: summary statistics and the report's row format. */
import { availableParallelism, loadavg } from 'node:os';

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** min / median / max of several runs, e.g. `0.12 / 0.15 / 0.31 ms`. */
export const spread = (xs: readonly number[], digits: number, unit = '') =>
  `${[Math.min(...xs), median(xs), Math.max(...xs)].map((x) => x.toFixed(digits)).join(' / ')}${unit && ` ${unit}`}`;

/** One figure next to its goal: `ok` or `MISS`, name, value, target. */
export const row = (name: string, value: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'ok  ' : 'MISS'}  ${name.padEnd(44)} ${value.padStart(12)}   target ${target}`);

/** The machine's 1/5/15-minute load averages and core count: figures from a busy machine read differently. */
export const loadLine = () =>
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`;

/**
 * A warning when the machine was busy (1-minute load average above half its cores), else ''. Figures of
 * a fraction of a millisecond then carry the other work's noise: a MISS may be that noise.
 */
export const busyWarning = () => {
  const [oneMinute] = loadavg();
  const cores = availableParallelism();
  return oneMinute! > cores / 2
    ? `WARNING: the machine is busy (load ${oneMinute!.toFixed(2)} on ${cores} cores): sub-millisecond figures carry its noise, and a MISS may be that noise. Run again on a quiet machine.`
    : '';
};
