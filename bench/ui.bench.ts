/**
 * UI benchmark, in Chromium with the test build (dist-test/chrome), and the popup's first-load bytes from
 * the release build (dist/chrome).
 *
 * Two browsers run side by side, each with the extension: one whose store is seeded with 1,000
 * conversations / ~100,000 calls, one of them 500 turns long, through the test-only seeding hook of the
 * full-tab page (extension/app/bench-seed.ts: generated records written with the store's own putCalls,
 * 5,000 calls per transaction — seconds, where replaying through the page hook would take many minutes),
 * and one with an empty store. Their popup runs are interleaved, so the large/empty ratio compares runs
 * made under the same machine load.
 *
 * - Popup interactive: navigation start → the conversation list rendered and laid out with its first rows,
 *   or with "Nothing recorded yet" once the store said so (performance mark `cfr:list-interactive`). Each
 *   run follows the previous one (the background keeps the database open, as it does while it records),
 *   waits until the list is complete, then leaves the popup for about:blank. RUNS runs of each path. Two
 *   paths:
 *   - snapshot: the first rows come from the snapshot the previous view left (extension/ui-client.ts);
 *   - fresh: the snapshot is removed before the run: the first rows are the list's newest rows the
 *     background keeps in session storage (src/store/list-rows.ts; the seeding builds them as the
 *     background does after a write);
 *   - noRows: those rows are removed too (as when the background has not built them yet: just after the
 *     browser started), so the first rows are built from the newest 1,000 calls read from IndexedDB.
 *   An empty store has no snapshot and no rows: its paths all read IndexedDB.
 *   `freshAfterSnapshot`: in the snapshot runs, when the rows read from IndexedDB replaced the snapshot's
 *   (`cfr:list-fresh`); `complete`: when every page of the store was in (`cfr:list-complete`).
 * - Cold: the same after 3 s on about:blank, when Chromium has closed the database files and opening them
 *   again is part of the wait (large store only).
 * - timelineRenderMs: opening the 500-turn conversation, from the render that first has its analysis to
 *   the timeline committed and laid out (`cfr:conversation-analyzed` → `cfr:timeline-rendered`). Reading
 *   and analysing it come before; `conversationOpenMs` is navigation start → timeline rendered.
 * - firstLoad: what the popup's HTML makes the browser fetch before its script runs — its scripts, module
 *   preloads and stylesheets, and every module those scripts import statically (a static import loads at
 *   once with or without a preload tag) — each file gzipped (zlib default level).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from '../e2e/browsers';

const EXTENSION = resolve('dist-test/chrome');
const RELEASE = resolve('dist/chrome');
const POPUP_HTML = 'extension/popup/index.html';
/** The list snapshot's localStorage key (extension/ui-client.ts). */
const SNAPSHOT_KEY = 'cfr:list-snapshot:v2';
/** The background's rows in session storage (extension/list-rows-area.ts). */
const LIST_ROWS_KEY = 'cfr:list-rows';
const RUNS = 9;

/** Milliseconds since navigation start, one entry per run. */
export interface PopupRuns {
  /** `cfr:list-interactive` with the last view's snapshot in place. */
  snapshot: number[];
  /** `cfr:list-interactive` with the snapshot removed: the first rows are the stored rows, from IndexedDB. */
  fresh: number[];
  /** `cfr:list-interactive` without the snapshot and the stored rows: built from the newest calls. */
  noRows: number[];
  /** In the snapshot runs: `cfr:list-fresh`, the rows read from IndexedDB on screen. */
  freshAfterSnapshot: number[];
  /** `cfr:list-complete` in the snapshot runs: every page of the store read and summarized. */
  complete: number[];
}

/** One file the popup's first load fetches. */
export interface LoadedFile {
  /** Path inside the extension, e.g. `assets/mount-BEe5p25n.js`. */
  file: string;
  /** How it is reached: a tag of the HTML, or a static import of a script. */
  via: 'script' | 'modulepreload' | 'stylesheet' | 'import';
  bytes: number;
  gzipBytes: number;
}

export interface UiBench {
  large: PopupRuns;
  empty: PopupRuns;
  /** The large store after 3 s on about:blank: `cfr:list-interactive` with / without the snapshot. */
  cold: { snapshot: number[]; fresh: number[] };
  timelineRenderMs: number[];
  conversationOpenMs: number[];
  conversationReadMs: number[];
  firstLoad: { files: LoadedFile[]; gzipBytes: number };
  seeded: { calls: number; chunks: number; conversations: number; bigTurns: number; seedMs: number };
}

/** Relative specifiers of the leading static `import … from "…"` / `import "…"` statements of a module. */
function staticImports(code: string): string[] {
  const out: string[] = [];
  const statement = /^\s*import\s*(?:[^"'();]*?from\s*)?["']([^"']+)["'];?/;
  let rest = code;
  for (let m = statement.exec(rest); m; m = statement.exec(rest)) {
    out.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  return out;
}

/**
 * The popup's first-load files in a built extension directory: the HTML's `<script src>`,
 * `<link rel=modulepreload>` and `<link rel=stylesheet>`, then the static imports of every script reached,
 * transitively. Throws when the HTML or a file it names is missing (build first).
 */
export function popupFirstLoad(root = RELEASE): { files: LoadedFile[]; gzipBytes: number } {
  const htmlPath = join(root, POPUP_HTML);
  if (!existsSync(htmlPath)) throw new Error(`${htmlPath} is missing: run npm run build first`);
  const html = readFileSync(htmlPath, 'utf8');
  const files = new Map<string, LoadedFile>();
  const add = (abs: string, via: LoadedFile['via']) => {
    const file = relative(root, abs);
    if (files.has(file)) return;
    const data = readFileSync(abs);
    files.set(file, { file, via, bytes: data.length, gzipBytes: gzipSync(data).length });
  };
  // Paths in the HTML are absolute from the extension's root, or relative to the HTML.
  const at = (href: string) => (href.startsWith('/') ? join(root, href) : resolve(dirname(htmlPath), href));
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    if (tag.startsWith('<script')) {
      const src = attr(tag, 'src');
      if (src) add(at(src), 'script');
      continue;
    }
    const rel = attr(tag, 'rel');
    const href = attr(tag, 'href');
    if (href && (rel === 'modulepreload' || rel === 'stylesheet')) add(at(href), rel);
  }
  // Then what the scripts import statically, transitively (the map grows while it is walked).
  for (const { file } of files.values()) {
    if (!file.endsWith('.js')) continue;
    const abs = join(root, file);
    for (const spec of staticImports(readFileSync(abs, 'utf8'))) {
      if (spec.startsWith('/')) add(join(root, spec), 'import');
      else if (spec.startsWith('.')) add(resolve(dirname(abs), spec), 'import');
    }
  }
  const list = [...files.values()];
  return { files: list, gzipBytes: list.reduce((s, f) => s + f.gzipBytes, 0) };
}

async function markTime(page: Page, name: string, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => performance.getEntriesByName(n)[0]?.startTime ?? null,
    name,
    { timeout: timeoutMs, polling: 5 },
  );
  return (await handle.jsonValue()) as number;
}

/** A browser with the test build, a popup tab and a helper tab on the options page (same origin). */
async function launch(profile: string) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${EXTENSION}`, `--load-extension=${EXTENSION}`],
    viewport: { width: 780, height: 580 },
  });
  const worker =
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const base = `chrome-extension://${new URL(worker.url()).host}/extension`;
  return { context, base };
}

type PopupPath = 'snapshot' | 'fresh' | 'noRows';

/** The extension's session storage, as a page of the extension reaches it. */
type SessionStorage = {
  chrome: {
    storage: {
      session: {
        get(key: string): Promise<Record<string, unknown>>;
        set(items: Record<string, unknown>): Promise<void>;
        remove(key: string): Promise<void>;
      };
    };
  };
};

/**
 * Removes what the popup's first screen may start from, from the helper tab (same origin): the list
 * snapshot for 'fresh' and 'noRows', and the background's kept rows for 'noRows'. Returns what puts the
 * kept rows back (the store has not changed, so the background would keep the same rows; it only builds
 * them after a change or when it starts).
 */
async function prepare(helper: Page, path: PopupPath): Promise<() => Promise<void>> {
  const none = async () => {};
  if (path === 'snapshot') return none;
  const kept = await helper.evaluate(
    async ({ key, rowsKey, noRows }) => {
      localStorage.removeItem(key);
      if (!noRows) return null;
      const session = (globalThis as unknown as SessionStorage).chrome.storage.session;
      const value = (await session.get(rowsKey))[rowsKey];
      await session.remove(rowsKey);
      return value ?? null;
    },
    { key: SNAPSHOT_KEY, rowsKey: LIST_ROWS_KEY, noRows: path === 'noRows' },
  );
  if (kept === null) return none;
  return async () => {
    await helper.evaluate(
      ({ rowsKey, value }) =>
        (globalThis as unknown as SessionStorage).chrome.storage.session.set({ [rowsKey]: value }),
      { rowsKey: LIST_ROWS_KEY, value: kept },
    );
  };
}

/** One popup open along `path`. */
async function openPopup(
  page: Page,
  helper: Page,
  base: string,
  path: PopupPath,
): Promise<{ interactive: number; fresh: number; complete: number }> {
  const restore = await prepare(helper, path);
  await page.goto(`${base}/popup/index.html`);
  const marks = {
    interactive: await markTime(page, 'cfr:list-interactive'),
    fresh: await markTime(page, 'cfr:list-fresh'),
    complete: await markTime(page, 'cfr:list-complete'),
  };
  // Let the snapshot be saved, then close the popup: a page holding 100,000 calls must not collect its
  // garbage while the other browser's popup is measured.
  await page.waitForTimeout(200);
  await page.goto('about:blank');
  await restore();
  return marks;
}

export async function benchUi(): Promise<UiBench> {
  const firstLoad = popupFirstLoad();
  const profiles = [
    mkdtempSync(join(tmpdir(), 'cfr-bench-ui-')),
    mkdtempSync(join(tmpdir(), 'cfr-bench-ui-')),
  ];
  const contexts: BrowserContext[] = [];
  try {
    const large = await launch(profiles[0]!);
    contexts.push(large.context);
    const empty = await launch(profiles[1]!);
    contexts.push(empty.context);

    const seeder = await large.context.newPage();
    await seeder.goto(`${large.base}/app/index.html`);
    const BIG_AT = 500;
    const seeded = (await seeder.evaluate(
      (bigAt) =>
        (
          globalThis as unknown as {
            __cfrBench: {
              seed(
                o: object,
              ): Promise<{ calls: number; chunks: number; conversationIds: string[]; ms: number }>;
            };
          }
        ).__cfrBench.seed({
          conversations: 1000,
          bigAt,
          bigTurns: 500,
          turnsEach: [14, 15],
          telemetryPerTurn: 3,
          eventsPerReply: 6,
          seed: 11,
        }),
      BIG_AT,
    )) as { calls: number; chunks: number; conversationIds: string[]; ms: number };
    await seeder.close();
    const bigId = seeded.conversationIds[BIG_AT]!;

    const sides = [large, empty].map(async (s) => {
      const helper = await s.context.newPage();
      // The options page: same origin as the popup, and it shows no list (it saves no snapshot).
      await helper.goto(`${s.base}/options/index.html`);
      const page = await s.context.newPage();
      // Warm-up: the first open pays for compiling the extension's scripts and opening the database files.
      await openPopup(page, helper, s.base, 'snapshot');
      return { ...s, helper, page };
    });
    const [L, E] = await Promise.all(sides);
    const runs = (): PopupRuns => ({
      snapshot: [],
      fresh: [],
      noRows: [],
      freshAfterSnapshot: [],
      complete: [],
    });
    const result = { large: runs(), empty: runs() };
    for (let i = 0; i < RUNS; i++) {
      for (const [side, out] of [
        [L!, result.large],
        [E!, result.empty],
      ] as const) {
        const withSnapshot = await openPopup(side.page, side.helper, side.base, 'snapshot');
        out.snapshot.push(withSnapshot.interactive);
        out.freshAfterSnapshot.push(withSnapshot.fresh);
        out.complete.push(withSnapshot.complete);
        out.fresh.push((await openPopup(side.page, side.helper, side.base, 'fresh')).interactive);
        out.noRows.push((await openPopup(side.page, side.helper, side.base, 'noRows')).interactive);
      }
    }

    const { page, helper, base } = L!;
    const cold = { snapshot: [] as number[], fresh: [] as number[] };
    for (let i = 0; i < 3; i++) {
      for (const fresh of [false, true]) {
        await page.goto('about:blank');
        await prepare(helper, fresh ? 'fresh' : 'snapshot');
        await page.waitForTimeout(3000);
        await page.goto(`${base}/popup/index.html`);
        (fresh ? cold.fresh : cold.snapshot).push(await markTime(page, 'cfr:list-interactive'));
        await markTime(page, 'cfr:list-complete');
      }
    }

    const render: number[] = [];
    const open: number[] = [];
    const read: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      await page.goto('about:blank');
      await page.goto(`${base}/popup/index.html#/c/${encodeURIComponent(bigId)}`);
      const rendered = await markTime(page, 'cfr:timeline-rendered');
      const analyzed = await markTime(page, 'cfr:conversation-analyzed');
      const readAt = await markTime(page, 'cfr:conversation-read');
      const rows = await page.locator('.tl-row').count();
      if (rows === 0) throw new Error('benchmark: the 500-turn timeline rendered no rows');
      if (i === 0) continue; // warm-up
      render.push(rendered - analyzed);
      open.push(rendered);
      read.push(readAt);
    }
    return {
      ...result,
      cold,
      timelineRenderMs: render,
      conversationOpenMs: open,
      conversationReadMs: read,
      firstLoad,
      seeded: {
        calls: seeded.calls,
        chunks: seeded.chunks,
        conversations: seeded.conversationIds.length,
        bigTurns: 500,
        seedMs: seeded.ms,
      },
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  }
}

// `npx tsx bench/ui.bench.ts` runs it alone and prints every figure.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchUi().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
