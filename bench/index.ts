// `npm run bench [-- capture|ui|load|insights|export …]`: runs the named benchmarks (all of them when none is named).
import { benchCapture } from './capture.bench';
import { benchExport, CALLS, EXPORT_RUNS } from './export.bench';
import { benchInsights } from './insights.bench';
import { benchLoad, LOAD_CALLS, loadRatio } from './load.bench';
import { busyWarning, loadLine, median, row, spread } from './stats';
import { benchUi } from './ui.bench';

const ALL = ['capture', 'ui', 'load', 'insights', 'export'];
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !ALL.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  process.exit(2);
}
const run = (name: string) => asked.length === 0 || asked.includes(name);
console.log(`At start: ${loadLine()}`);
if (busyWarning()) console.log(busyWarning());

if (run('capture')) {
  const c = await benchCapture();
  const ms = (xs: number[], digits = 3) => `${median(xs).toFixed(digits)} ms`;
  console.log(
    '\nCapture overhead (30 interleaved runs with / without the page hook, same browser). Each figure is the median' +
      ' of the runs, with min / median / max in brackets. Ratios are with ÷ without (1.000: no cost); "added" is' +
      ' with − without. Added times are differences of noisy calls: a single run can come out below 0.',
  );
  const ttfc = median(c.ttfcRatio);
  row('time to first chunk, ratio', ttfc.toFixed(3), '<= 1.02', ttfc <= 1.02);
  console.log(
    `      (${spread(c.ttfcRatio, 3)}; ${spread(c.ttfcMs[0], 1, 'ms')} with, ${spread(c.ttfcMs[1], 1, 'ms')} without,` +
      " 300 ms of it the server's think time)",
  );
  const total = median(c.totalRatio);
  row('total stream time, ratio', total.toFixed(3), '<= 1.02', total <= 1.02);
  console.log(
    `      (${spread(c.totalRatio, 3)}; ${spread(c.totalMs[0], 1, 'ms')} with, ${spread(c.totalMs[1], 1, 'ms')} without)`,
  );
  // Each kind of answer must meet the goal: the figure is the worst kind's median.
  const kinds = [
    ['declared-length JSON', c.addedHeadersMs.declared],
    ['compressed JSON', c.addedHeadersMs.compressed],
    ['event stream', c.addedHeadersMs.stream],
  ] as const;
  const headers = Math.max(...kinds.map(([, xs]) => median(xs)));
  row('response headers reach the page, added', `${headers.toFixed(3)} ms`, '<= +0.2 ms', headers <= 0.2);
  console.log(
    `      (the figure is the highest of the three kinds' medians: ${kinds.map(([name, xs]) => `${name} ${spread(xs, 3, 'ms')}`).join('; ')}.` +
      ' Per run, each is the mean of the middle 60 % of 40 paired differences (20 % cut at each end), calls 15-45 ms apart)',
  );
  console.log(
    `      (for reference, not judged: the conversation stream's own time to headers, one call per run, ${spread(c.headersMs[0], 2, 'ms')} with, ${spread(c.headersMs[1], 2, 'ms')} without)`,
  );
  const one = median(c.addedMsPerCall);
  row('added time per non-streaming call', ms(c.addedMsPerCall), '<= 0.1 ms', one <= 0.1);
  console.log(
    `      (${spread(c.addedMsPerCall, 3, 'ms')}; calls 15-45 ms apart alternating with / without, per run the mean of the middle 60 % of 40 paired differences; small JSON with a content-length, like ChatGPT's telemetry responses, which the recorder copies from a clone of the response)`,
  );
  const gz = median(c.addedMsPerCompressedCall);
  row('the same, compressed JSON', ms(c.addedMsPerCompressedCall), '<= 0.1 ms', gz <= 0.1);
  console.log(
    `      (${spread(c.addedMsPerCompressedCall, 3, 'ms')}; gzip JSON without a content-length, like the API's responses, which the recorder streams through itself so that memory stays bounded and the page's cancel reaches the network)`,
  );
  console.log(
    `      (for reference, no target: the same for a short event stream, streamed through the recorder: ${ms(c.addedMsPerStreamCall)}, ${spread(c.addedMsPerStreamCall, 3, 'ms')})`,
  );
  console.log(
    `      (for reference, no target: the floor of streaming a body through the page at all: the same JSON read through a minimal script stream in the page without the hook, nothing recorded, adds ${ms(c.scriptStreamFloorMs.total)} per call (${spread(c.scriptStreamFloorMs.total, 3, 'ms')}) and ${ms(c.scriptStreamFloorMs.headers)} until the page has its Response (${spread(c.scriptStreamFloorMs.headers, 3, 'ms')}))`,
  );
  const burst = median(c.addedMsPerBurstCall);
  row('added time per call in a burst', ms(c.addedMsPerBurstCall), '<= 0.5 ms', burst <= 0.5);
  console.log(`      (${spread(c.addedMsPerBurstCall, 3, 'ms')}; 200 back-to-back calls per run)`);
  // The budget catches growth, not parse time: evaluating the hook's source without running it (what
  // its size costs at document_start) took a median 1.3 ms at 9.23 KiB and at 8.85 KiB alike (Chromium,
  // 40 fresh pages each); installing it, about 4 ms either way. It was 9 KiB until the hook took the
  // browser's own byte, XHR, Request and form primitives at install (2026-11-30: 9.62 KiB).
  row(
    'page hook, gzipped',
    `${(c.hookGzipBytes / 1024).toFixed(2)} KiB`,
    '<= 10 KiB',
    c.hookGzipBytes <= 10 * 1024,
  );
  console.log(
    `\nWhere a burst's time goes (unminified build; ${c.burstMsPerCall.with.toFixed(2)} ms per call with the hook,` +
      ` ${c.burstMsPerCall.without.toFixed(2)} without, one burst each, so not the median above).` +
      ' Three different measures: the main thread rows are wall time sampled by the profiler over the burst and' +
      ' the 200 ms after it (its deferred work), so they add up to more than the time per call; the CPU rows are' +
      ' CPU time summed over processes, which on 2 cores partly run at once:',
  );
  console.log("  the page's main thread, sampled (ms per call):");
  for (const p of c.phases) console.log(`    ${p.msPerCall.toFixed(3).padStart(7)}  ${p.phase}`);
  console.log("  the recorder's functions with the most self time (ms per call):");
  for (const p of c.functions) console.log(`    ${p.msPerCall.toFixed(3).padStart(7)}  ${p.phase}`);
  console.log('  CPU by process over the burst and its deferred work (ms per call: with / without / added):');
  const roles = [...new Set([...c.cpu.with.keys(), ...c.cpu.without.keys()])];
  for (const role of roles.sort()) {
    const w = c.cpu.with.get(role) ?? 0;
    const wo = c.cpu.without.get(role) ?? 0;
    console.log(
      `    ${w.toFixed(2).padStart(6)} / ${wo.toFixed(2).padStart(6)} / ${(w - wo).toFixed(2).padStart(6)}  ${role}`,
    );
  }
  console.log(`  (${loadLine()} after the capture benchmark)`);
}

if (run('ui')) {
  const u = await benchUi();
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  console.log(
    '\nPopup first load (release build dist/chrome; HTML scripts, module preloads, CSS and static imports):',
  );
  row('popup first load, gzipped', kb(u.firstLoad.gzipBytes), '<= 60 KB', u.firstLoad.gzipBytes <= 60 * 1024);
  for (const f of u.firstLoad.files) {
    console.log(
      `      ${kb(f.gzipBytes).padStart(9)} gz  ${kb(f.bytes).padStart(9)} raw  ${f.via.padEnd(13)} ${f.file}`,
    );
  }
  console.log(
    `\nUI (Chromium, test build; ${u.seeded.conversations.toLocaleString('en')} conversations /` +
      ` ${u.seeded.calls.toLocaleString('en')} calls vs an empty store, interleaved runs; min / median / max):`,
  );
  for (const path of ['snapshot', 'fresh'] as const) {
    const large = median(u.large[path]);
    const ratio = large / median(u.empty[path]);
    const what = path === 'snapshot' ? 'from the last snapshot' : 'from the rows the background keeps';
    row(`popup interactive, 100,000 calls, ${path}`, `${large.toFixed(1)} ms`, '<= 150 ms', large <= 150);
    console.log(
      `      (first rows ${what}: ${spread(u.large[path], 1, 'ms')}; empty store ${spread(u.empty[path], 1, 'ms')})`,
    );
    row(`  ratio to the empty store, ${path}`, ratio.toFixed(2), '<= 1.5', ratio <= 1.5);
  }
  const noRows = median(u.large.noRows);
  console.log(
    `      no rows kept yet (just after the browser started; built from the newest 1,000 calls): ${spread(u.large.noRows, 1, 'ms')},` +
      ` ratio ${(noRows / median(u.empty.noRows)).toFixed(2)} to the empty store (${spread(u.empty.noRows, 1, 'ms')})`,
  );
  console.log(
    `      snapshot runs: rows from IndexedDB at ${spread(u.large.freshAfterSnapshot, 1, 'ms')},` +
      ` every page read at ${spread(u.large.complete, 0, 'ms')}`,
  );
  console.log(
    `      after 3 s idle (database files closed): snapshot ${spread(u.cold.snapshot, 1, 'ms')},` +
      ` fresh ${spread(u.cold.fresh, 1, 'ms')}`,
  );
  const render = median(u.timelineRenderMs);
  row('timeline render, 500-turn conversation', `${render.toFixed(1)} ms`, '<= 100 ms', render <= 100);
  console.log(
    `      (${spread(u.timelineRenderMs, 1, 'ms')}; navigation → read ${spread(u.conversationReadMs, 0, 'ms')},` +
      ` → rendered ${spread(u.conversationOpenMs, 0, 'ms')})`,
  );
  console.log(`      After the UI benchmark: ${loadLine()}`);
}

if (run('load')) {
  if (asked.length === 0) console.log(`\nBefore the load benchmark: ${loadLine()}`);
  const t0 = Date.now();
  const l = await benchLoad();
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(
    `\nLoad (test build dist-test/chrome; a burst of ${LOAD_CALLS.toLocaleString('en')} fetch POSTs + streamed replies,` +
      ` ${l.runs} interleaved runs with / without the page hook; min / median / max):`,
  );
  row('calls lost (worst run)', String(Math.max(...l.lost)), '0', Math.max(...l.lost) === 0);
  console.log(`      (per run: ${l.lost.join(', ')})`);
  row(
    'events committed per second (median)',
    `${median(l.eventsPerSec).toFixed(0)}/s`,
    '>= 5,000/s',
    median(l.eventsPerSec) >= 5000,
  );
  console.log(
    `      (${spread(l.eventsPerSec, 0, '/s')}; ${median(l.eventsPerRun).toFixed(0)} events per run;` +
      ` last commit ${spread(l.drainMs, 0, 'ms')} after the burst ended)`,
  );
  const added = median(l.addedMsPerCall);
  row('added time per call in the burst (median)', `${added.toFixed(3)} ms`, '<= 0.5 ms', added <= 0.5);
  console.log(
    `      (${spread(l.addedMsPerCall, 3, 'ms')}; per call ${spread(l.perCallMs.with, 3)} ms with,` +
      ` ${spread(l.perCallMs.without, 3)} ms without; ratio of medians ${loadRatio(l).toFixed(2)})`,
  );
  console.log(
    '      JS heap used, tab / service worker: ' +
      (['before', 'burstEnd', 'drained', 'afterGc'] as const)
        .map((k) => `${k} ${mb(l.heap[k].tab)} / ${mb(l.heap[k].worker)}`)
        .join('; '),
  );
  console.log(`      (took ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

if (run('insights')) {
  const r = await benchInsights();
  const ms = (s: { min: number; median: number; max: number }) =>
    `${s.min.toFixed(0)}/${s.median.toFixed(0)}/${s.max.toFixed(0)} ms`;
  console.log('\nInsights (Chromium, seeded database with turn summaries; min/median/max of 5 opens):');
  row(
    `open, plots drawn: ${r.large.turns} turns / ${r.large.calls} calls`,
    `${r.large.median.toFixed(1)} ms`,
    '<= 1000 ms',
    r.large.median <= 1000,
  );
  console.log(`      (${ms(r.large)}; ${r.small.turns} turns / ${r.small.calls} calls: ${ms(r.small)})`);
  row('open time ratio, 10,000 vs 1,000 turns', r.ratio.toFixed(2), '<= 2', r.ratio <= 2);
}

if (run('export')) {
  const e = await benchExport();
  console.log(
    `\nExport (Node, ${CALLS.toLocaleString('en')} synthetic calls, default slicer, yielding between slices;` +
      ` ${EXPORT_RUNS} runs per format; min / median / max; ${loadLine()}):`,
  );
  for (const runs of e.rows) {
    const r = runs[0];
    if (!r) continue;
    const longest = runs.map((x) => x.longestTaskMs);
    const worst = runs.reduce((a, b) => (b.longestTaskMs > a.longestTaskMs ? b : a));
    row(
      `${r.format}${r.shareSafe ? ' share-safe' : ''}: longest main-thread task (median)`,
      `${median(longest).toFixed(1)} ms`,
      '<= 100 ms',
      median(longest) <= 100,
    );
    // On a shared machine the wall clock also counts time given to other processes, and a major GC of
    // the ~1 GB heap lands in some step: the p99 step and the CPU time tell the exporter's own work apart.
    const p99 = spread(
      runs.map((x) => x.p99TaskMs),
      1,
      'ms',
    );
    const total = spread(
      runs.map((x) => x.totalMs / 1000),
      1,
      's',
    );
    console.log(
      `      (longest ${spread(longest, 1, 'ms')}, the worst in phase "${worst.longestTaskPhase}" with process CPU` +
        ` ${worst.longestTaskCpuMs.toFixed(1)} ms; p99 step ${p99};\n       total ${total} in` +
        ` ${median(runs.map((x) => x.slices)).toLocaleString('en')} slices, ${(r.bytes / 1e6).toFixed(1)} MB)`,
    );
  }
  console.log('\nConverter (one 100,000-call JSON export → one dataset, read + analyse + write):');
  for (const c of e.converter) {
    console.log(
      `      --to ${c.to.padEnd(8)} ${Math.round(c.callsPerSecond).toLocaleString('en').padStart(8)} calls/s` +
        `   (${c.calls.toLocaleString('en')} calls in ${(c.ms / 1000).toFixed(1)} s)`,
    );
  }
}
