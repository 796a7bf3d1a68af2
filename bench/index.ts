import { benchCapture } from './capture.bench';
import { benchInsights } from './insights.bench';
import { benchUi } from './ui.bench';

// `npm run bench -- --only=insights` runs one section.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runs = (name: string) => only === undefined || only === name;

const row = (name: string, value: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'ok  ' : 'MISS'}  ${name.padEnd(44)} ${value.padStart(12)}   target ${target}`);

if (runs('capture')) {
  const c = await benchCapture();
  console.log('\nCapture overhead (30 interleaved runs with / without the page hook, same browser):');
  row('median time to first chunk, ratio', c.ttfcRatio.toFixed(3), '<= 1.02', c.ttfcRatio <= 1.02);
  console.log(
    `      (${c.ttfcMs[0].toFixed(2)} ms with, ${c.ttfcMs[1].toFixed(2)} ms without, 300 ms of it server think time;` +
      ` response headers after ${c.headersMs[0].toFixed(2)} / ${c.headersMs[1].toFixed(2)} ms)`,
  );
  row('median total stream time, ratio', c.totalRatio.toFixed(3), '<= 1.02', c.totalRatio <= 1.02);
  console.log(`      (${c.totalMs[0].toFixed(1)} ms with, ${c.totalMs[1].toFixed(1)} ms without)`);
  row(
    'median added time per non-streaming call',
    `${c.addedMsPerCall.toFixed(3)} ms`,
    '<= 0.2 ms',
    c.addedMsPerCall <= 0.2,
  );
  console.log(
    `      (calls 30 ms apart; in a burst of back-to-back calls: ${c.addedMsPerBurstCall.toFixed(3)} ms per call;` +
      ' performance.now() moves in 0.1 ms steps)',
  );
  row(
    'page hook, gzipped',
    `${(c.hookGzipBytes / 1024).toFixed(2)} KB`,
    '<= 8 KB',
    c.hookGzipBytes <= 8 * 1024,
  );
}

if (runs('ui')) {
  const u = await benchUi();
  console.log('\nUI (Chromium, seeded database):');
  row(
    'popup interactive, 1,000 conv. / 100,000 calls',
    `${u.popupInteractiveMs.toFixed(1)} ms`,
    '<= 150 ms',
    u.popupInteractiveMs <= 150,
  );
  row(
    'timeline render, 500-turn conversation',
    `${u.timelineRenderMs.toFixed(1)} ms`,
    '<= 100 ms',
    u.timelineRenderMs <= 100,
  );
}

if (runs('insights')) {
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
