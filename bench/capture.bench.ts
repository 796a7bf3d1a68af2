/**
 * Capture overhead, measured in one run: the same server, the same Chromium with the release build
 * loaded, two origins — chatgpt.com (the page hook runs) and unhooked.test (it does not) — with runs
 * interleaved so both see the same machine load. Reports ratios (with / without), never absolute targets.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { FakeChatGPT, UNHOOKED_HOST } from '../e2e/fake-chatgpt/server';
import { launchChromium } from '../e2e/fixtures';
import { readFixture } from '../test/fixtures';
import { chromiumCpu, cpuPerCall, type PhaseRow, startProfile, stopProfile } from './breakdown';

const RUNS = 30;
/** Back-to-back calls per run (a burst: the background's work competes with the page's). */
const BURST_CALLS = 200;
/** The pause before each spaced call: uniform in [SPACING_MIN_MS, SPACING_MIN_MS + SPACING_SPREAD_MS), ms. */
const SPACING_MIN_MS = 15;
const SPACING_SPREAD_MS = 30;
/** The path of the short event stream the spaced calls read. */
const SHORT_STREAM = '/backend-api/short-stream';
/**
 * Calls per run made one at a time, 30 ms apart on average (how ChatGPT's page actually calls: a few per
 * second).
 */
const SPACED_CALLS = 40;
/**
 * Pause after each side's measurements, ms: the recorder's writes wait for a pause in the page's calls (up
 * to 1 s with no extension view open, as here: src/capture/relay-queue.ts), so the hooked side's deferred
 * work must not land in the next side's measurement (nor the bare side's in the hooked one).
 */
const SETTLE_MS = 1500;
/** Calls in the profiled burst and in each side's CPU measurement. */
const BREAKDOWN_CALLS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The mean of the middle 60 % of `xs`. */
const trimmedMean = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(s.length * 0.2);
  const middle = s.slice(cut, s.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
};

export interface CaptureBench {
  /** Per run: median time to first chunk with / without (same run). */
  ttfcRatio: number[];
  totalRatio: number[];
  /**
   * Per run: the trimmed mean of paired differences in call duration (with − without, ms), calls 30 ms
   * apart; small JSON of declared length.
   */
  addedMsPerCall: number[];
  /** The same for gzip-compressed JSON of no declared length (how the real service sends its JSON). */
  addedMsPerCompressedCall: number[];
  /** The same for a short event stream (the tap's path, as a conversation's answer takes). */
  addedMsPerStreamCall: number[];
  /**
   * Per run, for reference: the floor of the tap's design. In the page without the hook, the compressed
   * JSON read through the least a script can put between the network and the page, minus read natively:
   * the trimmed means of paired differences, ms, until the page has its Response (`headers`) and until
   * it has read the body (`total`) (see `scriptStreamFloor`).
   */
  scriptStreamFloorMs: { headers: number[]; total: number[] };
  /** Per run: mean call duration with − without, ms, in a burst of back-to-back calls. */
  addedMsPerBurstCall: number[];
  /**
   * Per run and kind of answer (declared-length JSON, compressed JSON, event stream): time until the
   * response headers reach the page (the fetch promise settles), the trimmed mean of paired differences
   * with − without over the spaced calls, ms.
   */
  addedHeadersMs: { declared: number[]; compressed: number[]; stream: number[] };
  hookGzipBytes: number;
  /** Per run, ms: [with, without]. */
  ttfcMs: [number[], number[]];
  totalMs: [number[], number[]];
  headersMs: [number[], number[]];
  /** Where a profiled burst spends the page's main thread, ms per call (unminified build of the hook). */
  phases: PhaseRow[];
  /** The recorder's own functions with the most self time in that burst, ms per call. */
  functions: PhaseRow[];
  /** CPU ms per call by process role over a burst, with and without the hook. */
  cpu: { with: Map<string, number>; without: Map<string, number> };
  burstMsPerCall: { with: number; without: number };
}

export async function benchCapture(): Promise<CaptureBench> {
  const fake = await new FakeChatGPT().start();
  const sse = readFixture('real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse');
  fake.route('POST', '/backend-api/f/conversation', {
    status: 200,
    headers: [['content-type', 'text/event-stream; charset=utf-8']],
    body: sse,
    // The real service sends headers at once and the first token after the model starts (hundreds of ms
    // in the 2026 captures); without that delay, time to first chunk on loopback is ~2 ms, below what
    // performance.now() (0.1 ms steps) can compare at 2 %. The absolute times are printed too.
    stream: { chunkBytes: 256, delayMs: 5, firstDelayMs: 300 },
  });
  // The two kinds of non-streaming answer in the real captures (test/fixtures/real/har-digest_*):
  // small uncompressed JSON of declared length (telemetry acknowledgements: ces/v1/t, rgstr, sentinel ping,
  // lat/r, `content-length: 16`), and compressed JSON of no declared length (the API's answers,
  // `content-encoding: br`). The hook reads the first whole from a clone, the second through its tap
  // (fetch.ts `readsWhole`).
  const user = '{"object":"user","id":"user-1"}';
  fake.route('GET', '/backend-api/me', {
    status: 200,
    headers: [
      ['content-type', 'application/json'],
      ['content-length', String(user.length)],
    ],
    body: user,
  });
  fake.route('GET', '/backend-api/me?gzip=1', {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: user,
    gzip: 'chunked',
  });
  // A short event stream sent at once: the tap's path (a conversation's answer), spaced like the JSON.
  fake.route('GET', SHORT_STREAM, {
    status: 200,
    headers: [['content-type', 'text/event-stream; charset=utf-8']],
    body: 'data: {"type":"ping"}\n\ndata: [DONE]\n\n',
  });
  const context = await launchChromium(fake, 'dist/chrome');
  const hooked = await context.newPage();
  await hooked.goto('https://chatgpt.com/');
  const bare = await context.newPage();
  await bare.goto(`https://${UNHOOKED_HOST}/`);
  const hookActive = await hooked.evaluate(() => fetch.toString().includes('[native code]') === false);
  const bareActive = await bare.evaluate(() => fetch.toString().includes('[native code]') === false);
  if (!hookActive || bareActive) throw new Error('benchmark setup: the hook must run on chatgpt.com only');

  const stream = (page: typeof hooked) =>
    page.evaluate(async () => {
      const t0 = performance.now();
      const res = await fetch('/backend-api/f/conversation', { method: 'POST', body: '{"action":"next"}' });
      const headers = performance.now() - t0;
      const reader = res.body!.getReader();
      let first = 0;
      for (;;) {
        const { done } = await reader.read();
        if (!first) first = performance.now() - t0;
        if (done) break;
      }
      return { headers, ttfc: first, total: performance.now() - t0 };
    });
  const burst = (page: typeof hooked, n: number) =>
    page.evaluate(async (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await (await fetch('/backend-api/me')).text();
      return (performance.now() - t0) / n;
    }, n);
  /** One call: [ms until the fetch promise settles (the headers), ms until the body is read]. */
  const oneCall = (page: typeof hooked, url: string) =>
    page.evaluate(async (url) => {
      const t0 = performance.now();
      const res = await fetch(url);
      const headers = performance.now() - t0;
      await res.text();
      return [headers, performance.now() - t0] as const;
    }, url);
  /**
   * Calls 30 ms apart on average, alternating between the two pages call by call (the order flips every
   * pair), so both sides meet the same machine state. The pause before each call is random (15-45 ms): a
   * fixed period locks to the recorder's own timers (the outbox's 10 ms, the relay's 40 ms pause), so
   * its deferred work would always land on the same side of a pair, or always between calls, as the
   * phase happens to fall (measured with a hooked fetch against an iframe's native one in the same page:
   * moving the outbox's flush from 10 to 25 ms after a call moved the added time from +0.24 to -0.05 ms,
   * with nothing on the call's path changed); a real page's calls keep no time with those timers.
   * Each pair's two calls are neighbours in time, so their difference cancels the machine's drift within
   * a run (the call times of one run move by more than a millisecond); returns the trimmed means of the
   * pairs' differences, with − without, ms. A trimmed mean, not a median: performance.now() moves in
   * 0.1 ms steps, and averaging the middle 60 % of many pairs resolves differences below one step while
   * ignoring outliers (GC, scheduling).
   */
  const spaced = async (n: number, url: string) => {
    const total: number[] = [];
    const headers: number[] = [];
    for (let k = 0; k < n; k++) {
      const pair = new Map<Page, readonly [number, number]>();
      for (const p of k % 2 ? [bare, hooked] : [hooked, bare]) {
        await sleep(SPACING_MIN_MS + Math.random() * SPACING_SPREAD_MS);
        pair.set(p, await oneCall(p, url));
      }
      const w = pair.get(hooked)!;
      const wo = pair.get(bare)!;
      headers.push(w[0] - wo[0]);
      total.push(w[1] - wo[1]);
    }
    return { total: trimmedMean(total), headers: trimmedMean(headers) };
  };

  /**
   * The floor of any recorder that streams a body through the page, which the tap is (fetch.ts `tap`): in
   * the page without the hook, pairs of the same call read natively and through a minimal script stream
   * (a byte stream fed from the body, one read per pull, handed on in a new Response; nothing recorded,
   * nothing deferred), spaced and paired like `spaced`. Returns the trimmed means of (script stream −
   * native), ms, until the page has its Response and until it has read the body. A recorder that keeps
   * the page's cancel reaching the network and the memory of a body nobody reads bounded cannot read
   * compressed JSON for less than this.
   */
  const scriptStreamFloor = async (n: number, url: string) => {
    const headers: number[] = [];
    const total: number[] = [];
    for (let k = 0; k < n; k++) {
      const pair: (readonly [number, number])[] = [];
      for (const through of k % 2 ? [true, false] : [false, true]) {
        await sleep(SPACING_MIN_MS + Math.random() * SPACING_SPREAD_MS);
        pair[through ? 0 : 1] = await bare.evaluate(
          async ({ url, through }) => {
            const t0 = performance.now();
            let res = await fetch(url);
            if (through) {
              const reader = res.body!.getReader();
              let controller: ReadableByteStreamController;
              const stream = new ReadableStream(
                {
                  type: 'bytes',
                  start(c) {
                    controller = c;
                  },
                  async pull() {
                    const { done, value } = await reader.read();
                    if (done) controller.close();
                    else controller.enqueue(value);
                  },
                },
                { highWaterMark: 1024 * 1024 },
              );
              res = new Response(stream, {
                status: res.status,
                statusText: res.statusText,
                headers: res.headers,
              });
            }
            const headers = performance.now() - t0;
            await res.text();
            return [headers, performance.now() - t0] as const;
          },
          { url, through },
        );
      }
      headers.push(pair[0]![0] - pair[1]![0]);
      total.push(pair[0]![1] - pair[1]![1]);
    }
    return { headers: trimmedMean(headers), total: trimmedMean(total) };
  };

  // Warm-up: connections, JIT, the worker.
  for (const p of [hooked, bare]) {
    await stream(p);
    await burst(p, 50);
  }
  await sleep(SETTLE_MS);
  const ttfc = { with: [] as number[], without: [] as number[] };
  const headers = { with: [] as number[], without: [] as number[] };
  const total = { with: [] as number[], without: [] as number[] };
  const added: number[] = [];
  const addedGzip: number[] = [];
  const addedStream: number[] = [];
  const floor = { headers: [] as number[], total: [] as number[] };
  const addedBurst: number[] = [];
  const addedHeaders = { declared: [] as number[], compressed: [] as number[], stream: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate which side goes first so neither always runs on a warmer machine.
    const order = i % 2 ? [bare, hooked] : [hooked, bare];
    const many = { with: 0, without: 0 };
    for (const p of order) {
      const side = p === hooked ? 'with' : 'without';
      const s = await stream(p);
      ttfc[side].push(s.ttfc);
      headers[side].push(s.headers);
      total[side].push(s.total);
      many[side] = await burst(p, BURST_CALLS);
      await sleep(SETTLE_MS);
    }
    const declared = await spaced(SPACED_CALLS, '/backend-api/me');
    const compressed = await spaced(SPACED_CALLS, '/backend-api/me?gzip=1');
    const events = await spaced(SPACED_CALLS, SHORT_STREAM);
    const least = await scriptStreamFloor(SPACED_CALLS, '/backend-api/me?gzip=1');
    floor.headers.push(least.headers);
    floor.total.push(least.total);
    added.push(declared.total);
    addedGzip.push(compressed.total);
    addedStream.push(events.total);
    addedHeaders.declared.push(declared.headers);
    addedHeaders.compressed.push(compressed.headers);
    addedHeaders.stream.push(events.headers);
    addedBurst.push(many.with - many.without);
  }
  await context.close();
  const hook = readFileSync('dist/chrome/extension/content/page-hook.iife.js');
  const breakdown = await profileBurst(fake, burst);
  await fake.close();
  const pairs = (w: number[], wo: number[]) => w.map((x, k) => x / wo[k]!);
  return {
    ttfcRatio: pairs(ttfc.with, ttfc.without),
    totalRatio: pairs(total.with, total.without),
    addedMsPerCall: added,
    addedMsPerCompressedCall: addedGzip,
    addedMsPerStreamCall: addedStream,
    scriptStreamFloorMs: floor,
    addedMsPerBurstCall: addedBurst,
    addedHeadersMs: addedHeaders,
    hookGzipBytes: gzipSync(hook).length,
    ttfcMs: [ttfc.with, ttfc.without],
    totalMs: [total.with, total.without],
    headersMs: [headers.with, headers.without],
    ...breakdown,
  };
}

/**
 * The breakdown: an unminified build of the extension (so the profile names the hook's functions), a
 * burst with and without the hook while every Chromium process's CPU time is read, then a profiled burst.
 */
async function profileBurst(
  fake: FakeChatGPT,
  burst: (page: Page, n: number) => Promise<number>,
): Promise<Pick<CaptureBench, 'phases' | 'functions' | 'cpu' | 'burstMsPerCall'>> {
  const dir = mkdtempSync(join(tmpdir(), 'cfr-bench-unminified-'));
  try {
    const built = spawnSync(
      'npx',
      ['vite', 'build', '--logLevel', 'error', '--minify', 'false', '--outDir', dir],
      { env: { ...process.env, BROWSER: 'chrome', TEST_BUILD: '0' }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (built.status !== 0) throw new Error('benchmark setup: the unminified build failed');
    const context = await launchChromium(fake, dir);
    try {
      const hooked = await context.newPage();
      await hooked.goto('https://chatgpt.com/');
      const bare = await context.newPage();
      await bare.goto(`https://${UNHOOKED_HOST}/`);
      for (const p of [hooked, bare]) await burst(p, 100);
      await sleep(SETTLE_MS);
      const cpu = { with: new Map<string, number>(), without: new Map<string, number>() };
      const burstMsPerCall = { with: 0, without: 0 };
      for (const p of [bare, hooked]) {
        const side = p === hooked ? 'with' : 'without';
        const before = chromiumCpu();
        burstMsPerCall[side] = await burst(p, BREAKDOWN_CALLS);
        // The deferred work (the relay's batch, the background's writes) belongs to the burst too.
        await sleep(SETTLE_MS);
        cpu[side] = cpuPerCall(before, chromiumCpu(), BREAKDOWN_CALLS);
      }
      const cdp = await context.newCDPSession(hooked);
      await startProfile(cdp);
      await burst(hooked, BREAKDOWN_CALLS);
      // The last outbox flush and relay hand-off come after the last call.
      await sleep(200);
      return { ...(await stopProfile(cdp, BREAKDOWN_CALLS)), cpu, burstMsPerCall };
    } finally {
      await context.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
