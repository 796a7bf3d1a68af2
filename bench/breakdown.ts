/**
 * Where a burst of calls spends its time, for the capture benchmark's breakdown:
 * - the page's main thread, from the browser's own sampling profiler (CDP `Profiler`, 50 µs samples):
 *   each sample is charged to the innermost hook phase on its stack (the wrapper before the native call,
 *   the response hand-off, body reading, the outbox flush and its message posting), to the relay, or to
 *   the page and the browser's own work;
 * - every Chromium process's CPU time over the same burst, with and without the hook, from
 *   `/proc/<pid>/stat` (Linux): the page's renderer, the extension's service worker, the browser process
 *   (extension messaging and IndexedDB live there) and the network service. On a 2-core machine that is
 *   what competes with the page.
 * The hook must be an unminified build for the phase names (the benchmark builds one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession } from '@playwright/test';

/** One profiled phase: self time of its samples over the burst, ms per call. */
export interface PhaseRow {
  phase: string;
  msPerCall: number;
}

/**
 * The hook's functions that start a phase, by the name they have in the source (src/capture/hook/*):
 * the innermost one on a sample's stack names the phase.
 */
const PHASES: [RegExp, string][] = [
  [
    /^(fetch|recordFetch|records|newId|start|snapshot|headerPairs|target)$/,
    'wrapper, before the native call',
  ],
  [/^(tap|head|bounded|response|bodyRecorder|like|get|clone)$/, 'response hand-off (tap or clone)'],
  [/^(pull|readClone|push|emit|admit|readCapped)$/, 'body reading'],
  [
    /^(flush|flushNow|toJson|bodyOf|data|redact\w*|clamp\w*|checkMalformed|textDecoder|toBase64)$/,
    'outbox flush: build, redact, JSON',
  ],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Starts the sampling profiler on `cdp`'s page (50 µs interval). */
export async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
}

/** A profile's phases, and the recorder's own functions (hook and relay) by self time, ms per call. */
export interface Breakdown {
  phases: PhaseRow[];
  functions: PhaseRow[];
}

/**
 * Stops the profiler and charges its samples to phases; `calls` divides the totals (ms per call). Each
 * function row's `phase` is `name (file:line)`.
 */
export async function stopProfile(cdp: CDPSession, calls: number): Promise<Breakdown> {
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map<number, string>();
  const classify = (id: number): string => {
    const cached = phaseOf.get(id);
    if (cached) return cached;
    const node = nodes.get(id)!;
    const { functionName: name, url } = node.callFrame;
    let phase: string;
    if (url.endsWith('page-hook.iife.js')) {
      phase =
        PHASES.find(([re]) => re.test(name))?.[1] ?? inherited(id, 'hook: promise continuations, other');
    } else if (url.endsWith('relay.iife.js')) phase = 'relay (isolated world), to the background';
    else if (name === '(idle)') phase = 'idle (waiting for the network and other processes)';
    else if (url === '' && name === 'postMessage') phase = inherited(id, 'page and browser, not the hook');
    else if (url === '' && name === 'fetch' && inherited(id, '') === 'wrapper, before the native call')
      phase = 'the native fetch itself';
    else if (url === '') phase = inherited(id, 'page and browser, not the hook');
    else phase = 'page and browser, not the hook';
    if (phase === 'outbox flush: build, redact, JSON' && name === 'postMessage')
      phase = 'posting to the relay (postMessage)';
    phaseOf.set(id, phase);
    return phase;
  };
  /** The phase of the nearest hook or relay frame above `id`, else `fallback`. */
  const inherited = (id: number, fallback: string): string => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const url = nodes.get(p)!.callFrame.url;
      if (url.endsWith('page-hook.iife.js') || url.endsWith('relay.iife.js')) return classify(p);
    }
    return fallback;
  };
  const totals = new Map<string, number>();
  const own = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const phase = classify(id);
    totals.set(phase, (totals.get(phase) ?? 0) + ms);
    const f = nodes.get(id)!.callFrame as ProfileNode['callFrame'] & { lineNumber: number };
    if (/(page-hook|relay)\.iife\.js$/.test(f.url)) {
      const key = `${f.functionName || '(anonymous)'} (${f.url.split('/').pop()}:${f.lineNumber + 1})`;
      own.set(key, (own.get(key) ?? 0) + ms);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m].map(([phase, ms]) => ({ phase, msPerCall: ms / calls })).sort((a, b) => b.msPerCall - a.msPerCall);
  return { phases: rows(totals), functions: rows(own).slice(0, 12) };
}

/** CPU time (user + system, ms) of every Chromium process now, keyed by pid, with its role. */
export function chromiumCpu(): Map<number, { role: string; ms: number }> {
  const out = new Map<number, { role: string; ms: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  const tick = 1000 / 100; // USER_HZ is 100 on Linux.
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/.test(cmd)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1];
      const role = !type
        ? 'browser process (extension messaging, IndexedDB)'
        : type === 'renderer'
          ? /--extension-process/.test(cmd)
            ? 'extension service worker'
            : 'renderer (the page)'
          : /NetworkService/.test(cmd)
            ? 'network service'
            : `other (${type})`;
      out.set(Number(pid), { role, ms: (Number(f[11]) + Number(f[12])) * tick });
    } catch {}
  }
  return out;
}

/**
 * CPU ms per call by process role between two `chromiumCpu` readings. Renderers of other pages count
 * under their role too: measure with only the page under test busy.
 */
export function cpuPerCall(
  before: Map<number, { role: string; ms: number }>,
  after: Map<number, { role: string; ms: number }>,
  calls: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, a] of after) {
    const d = a.ms - (before.get(pid)?.ms ?? 0);
    if (d > 0) out.set(a.role, (out.get(a.role) ?? 0) + d / calls);
  }
  return out;
}
