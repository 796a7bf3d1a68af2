/**
 * Load: a burst of 10,000 small telemetry-like `fetch` POSTs (back-to-back, in groups fired with
 * Promise.all) plus a few streamed replies, made by a page on the fake chatgpt.com, in Chromium with the
 * test build (dist-test/chrome; it records exactly as the release build, plus the e2e seams).
 *
 * - lost: of the 10,000 calls, how many are not in IndexedDB (or never got their end) once the store has
 *   stopped changing, read from an extension page straight from the extension's database;
 * - events committed per second: events stored by the run (start, response, each chunk, end) over the time
 *   from the first call's start to the moment the last one was seen committed (the store is polled every
 *   25 ms from an extension page that renders nothing);
 * - added time per call: the same burst on a page the hook does not run on (unhooked.test, same server,
 *   same browser), runs interleaved as in capture.bench.ts; (burst with − burst without) / 10,000;
 * - memory: JS heap in use (CDP `Runtime.getHeapUsage`) of the tab (its isolate holds the page hook and
 *   the relay) and of the service worker, before the first burst, as the last burst ends, once the store
 *   has drained, and after a forced GC.
 */
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { FakeChatGPT, UNHOOKED_HOST } from '../e2e/fake-chatgpt/server';
import { getServiceWorker, launchChromium, TEST_BUILD } from '../e2e/fixtures';
import { DB_NAME } from '../src/store/reader';
import { readFixture } from '../test/fixtures';
import { median } from './stats';

export const LOAD_CALLS = 10_000;
/** Calls fired together with Promise.all; the next group starts when the whole group has answered. */
const GROUP = 100;
/** Streamed replies started with the burst (on another host: HTTP/1.1 allows 6 connections per host). */
const STREAMS = 4;
/** Interleaved pairs of bursts; two keep the benchmark near 2.5 minutes on a busy 2-core machine. */
const RUNS = 2;
const TELEMETRY = '/ces/v1/t';
const STREAM_URL = 'https://ab.chatgpt.com/backend-api/f/conversation';
/** The store counts as drained when nothing changed for this long (calls lost never arrive). */
const QUIET_MS = 3000;

export interface LoadBench {
  runs: number;
  /** Per hooked run: calls of the 10,000 missing from the store, or stored without their end. */
  lost: number[];
  /** Per hooked run: events committed / (last commit − first call's start), events per second. */
  eventsPerSec: number[];
  eventsPerRun: number[];
  /** Per hooked run: the last commit after the burst ended, ms. */
  drainMs: number[];
  /** Per interleaved pair: (burst with − burst without) / calls, ms. */
  addedMsPerCall: number[];
  /** Burst duration per call, ms: [with], [without]. */
  perCallMs: { with: number[]; without: number[] };
  /** JS heap used, bytes. */
  heap: Record<'before' | 'burstEnd' | 'drained' | 'afterGc', { tab: number; worker: number }>;
}

/** The burst, run in the page. Returns its duration and the epoch ms it started at. */
async function burst({ n, group, run, streams, telemetry, streamUrl }: Record<string, number | string>) {
  const t0 = performance.now();
  const replies: Promise<string>[] = [];
  for (let s = 0; s < Number(streams); s++) {
    const body = `{"action":"next","run":${run},"stream":${s}}`;
    replies.push(fetch(String(streamUrl), { method: 'POST', body }).then((r) => r.text()));
  }
  for (let i = 0; i < Number(n); i += Number(group)) {
    const calls: Promise<string>[] = [];
    for (let j = i; j < Math.min(Number(n), i + Number(group)); j++) {
      const body = `{"event":"load","run":${run},"i":${j},"ts":${Date.now()}}`;
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
      calls.push(fetch(String(telemetry), init).then((r) => r.text()));
    }
    await Promise.all(calls);
  }
  const burstMs = performance.now() - t0;
  await Promise.all(replies);
  return { burstMs, startEpoch: performance.timeOrigin + t0 };
}

/**
 * In an extension page: the store's state for calls that started at or after `since`. Counts only, unless
 * `full` (then every such call is read: which ended, which of the burst's calls are there, events).
 */
async function storeState({ db, since, full }: { db: string; since: number; full: boolean }) {
  const req = <T>(r: IDBRequest<T>) =>
    new Promise<T>((res, rej) => {
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
  const g = globalThis as unknown as { __loadDb?: IDBDatabase };
  g.__loadDb ??= await req(indexedDB.open(db));
  const tx = g.__loadDb.transaction(['calls', 'chunks'], 'readonly');
  const byTime = tx.objectStore('calls').index('byTime');
  const range = IDBKeyRange.lowerBound(since);
  const chunks = await req(tx.objectStore('chunks').count());
  if (!full) return { calls: await req(byTime.count(range)), chunks, ended: -1, complete: -1, events: -1 };
  const calls = (await req(byTime.getAll(range))) as {
    url: string;
    requestBody: string | null;
    headersTime?: number;
    endTime?: number;
  }[];
  const seen = new Set<number>();
  let ended = 0;
  let events = 0;
  for (const c of calls) {
    events += 1 + (c.headersTime !== undefined ? 1 : 0) + (c.endTime !== undefined ? 1 : 0);
    if (c.endTime === undefined) continue;
    ended++;
    const i = /^\{"event":"load","run":-?\d+,"i":(\d+),/.exec(c.requestBody ?? '')?.[1];
    if (i !== undefined) seen.add(Number(i));
  }
  return { calls: calls.length, ended, complete: seen.size, chunks, events };
}

/**
 * Polls the store until every call of the run is there and ended, or nothing changed for QUIET_MS; returns
 * the state and when it was first seen. Counting is cheap; calls are read only once all are counted.
 */
async function waitDrained(ext: Page, since: number, expected: number, chunksBefore: number) {
  const poll = (full: boolean) => ext.evaluate(storeState, { db: DB_NAME, since, full });
  let last = await poll(false);
  let lastChangeAt = Date.now();
  for (;;) {
    if (last.calls >= expected) {
      last = await poll(true);
      if (last.ended === last.calls) break;
    }
    if (Date.now() - lastChangeAt > QUIET_MS) break;
    await new Promise((r) => setTimeout(r, 25));
    const s = await poll(last.calls >= expected);
    if (s.calls !== last.calls || s.ended !== last.ended || s.chunks !== last.chunks)
      lastChangeAt = Date.now();
    last = s;
  }
  if (last.ended < 0) last = await poll(true);
  return { ...last, events: last.events + last.chunks - chunksBefore, committedAt: lastChangeAt };
}

/** JS heap of a page (own session) or of the extension's service worker (attached through it). */
async function heapProbe(context: BrowserContext, page: Page) {
  const cdp: CDPSession = await context.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (!sw) throw new Error('benchmark setup: no extension service worker target');
  // Playwright's CDPSession has no child sessions: talk to the worker through the non-flat protocol.
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let nextId = 0;
  const waiting = new Map<number, (m: { result?: unknown; error?: unknown }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m);
  });
  const toWorker = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result)));
      cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) })
        .catch(reject);
    });
  return {
    async heap() {
      const tab = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      const worker = ((await toWorker('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
      return { tab, worker };
    },
    async gc() {
      await cdp.send('HeapProfiler.collectGarbage');
      await toWorker('HeapProfiler.collectGarbage');
    },
  };
}

export async function benchLoad(): Promise<LoadBench> {
  const fake = await new FakeChatGPT().start();
  fake.route('POST', TELEMETRY, {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: '{"status":"ok"}',
  });
  fake.route('POST', new URL(STREAM_URL).pathname, {
    status: 200,
    headers: [['content-type', 'text/event-stream; charset=utf-8']],
    body: readFixture('real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse'),
    stream: { chunkBytes: 256, delayMs: 20 },
  });
  const context = await launchChromium(fake, TEST_BUILD);
  try {
    const worker = await getServiceWorker(context);
    const ext = await context.newPage();
    // An extension page that renders nothing (the app would re-read the store on every change).
    await ext.goto(`chrome-extension://${new URL(worker.url()).host}/manifest.json`);
    // tsx compiles with keepNames: functions named inside an evaluated function call a `__name` helper.
    await ext.evaluate('globalThis.__name = (f) => f');
    const hooked = await context.newPage();
    await hooked.goto('https://chatgpt.com/');
    const bare = await context.newPage();
    await bare.goto(`https://${UNHOOKED_HOST}/`);
    const hookActive = await hooked.evaluate(() => !fetch.toString().includes('[native code]'));
    const bareActive = await bare.evaluate(() => !fetch.toString().includes('[native code]'));
    if (!hookActive || bareActive) throw new Error('benchmark setup: the hook must run on chatgpt.com only');
    const probe = await heapProbe(context, hooked);

    const opts = { group: GROUP, streams: STREAMS, telemetry: TELEMETRY, streamUrl: STREAM_URL };
    const chunkCount = async () =>
      (await ext.evaluate(storeState, { db: DB_NAME, since: Number.MAX_VALUE, full: false })).chunks;
    // Warm-up: connections, JIT, the worker, the database.
    for (const p of [hooked, bare]) await p.evaluate(burst, { ...opts, n: 500, run: -1 });
    await waitDrained(ext, 0, 500 + STREAMS, 0);

    await probe.gc();
    const before = await probe.heap();
    let burstEnd = before;
    const r: LoadBench = {
      runs: RUNS,
      lost: [],
      eventsPerSec: [],
      eventsPerRun: [],
      drainMs: [],
      addedMsPerCall: [],
      perCallMs: { with: [], without: [] },
      heap: { before, burstEnd, drained: before, afterGc: before },
    };
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 ? [bare, hooked] : [hooked, bare];
      const ms = { with: 0, without: 0 };
      for (const p of order) {
        if (p === bare) {
          ms.without = (await bare.evaluate(burst, { ...opts, n: LOAD_CALLS, run: i })).burstMs;
          continue;
        }
        const chunksBefore = await chunkCount();
        const b = await hooked.evaluate(burst, { ...opts, n: LOAD_CALLS, run: i });
        const endedAt = Date.now();
        ms.with = b.burstMs;
        if (i === RUNS - 1) burstEnd = await probe.heap();
        const s = await waitDrained(ext, b.startEpoch, LOAD_CALLS + STREAMS, chunksBefore);
        r.lost.push(LOAD_CALLS - s.complete);
        r.eventsPerRun.push(s.events);
        r.eventsPerSec.push((s.events / (s.committedAt - b.startEpoch)) * 1000);
        r.drainMs.push(Math.max(0, s.committedAt - endedAt));
      }
      r.perCallMs.with.push(ms.with / LOAD_CALLS);
      r.perCallMs.without.push(ms.without / LOAD_CALLS);
      r.addedMsPerCall.push((ms.with - ms.without) / LOAD_CALLS);
    }
    const drained = await probe.heap();
    await probe.gc();
    r.heap = { before, burstEnd, drained, afterGc: await probe.heap() };
    return r;
  } finally {
    await context.close();
    await fake.close();
  }
}

/** Ratio of the median per-call burst time with the hook to without. */
export const loadRatio = (r: LoadBench) => median(r.perCallMs.with) / median(r.perCallMs.without);
