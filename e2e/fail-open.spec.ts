import type { BrowserContext, Page } from '@playwright/test';
import { HANDSHAKE_EVENT } from '../src/capture/channel';
import { type Flow, makeCanaries, realFlow2026, seedFlow } from '../test/flows';
import { runSteps, type StepResult } from './fake-chatgpt/runner';
import type { FakeChatGPT } from './fake-chatgpt/server';
import { expect, getServiceWorker, launchChromium, test, until } from './fixtures';

/** Odd calls a page may make: each outcome must be the same with and without the extension. */
async function oddCalls(): Promise<string[]> {
  const out: string[] = [];
  const attempt = async (label: string, p: () => Promise<unknown>) => {
    try {
      const v = await p();
      if (v instanceof Response)
        out.push(`${label}: ${v.status} ${v.bodyUsed} ${await v.clone().text()} ${await v.text()}`);
      else out.push(`${label}: ${JSON.stringify(v)}`);
    } catch (err) {
      out.push(`${label}: threw ${(err as Error).name}`);
    }
  };
  const url = '/backend-api/conversations?offset=0&limit=28&order=updated';
  await attempt('invalid url', () => fetch('http://[::1'));
  await attempt('bad header', () => fetch(url, { headers: { 'bad header\n': 'x' } }));
  await attempt('request object', () => fetch(new Request(url, { method: 'POST', body: 'x=1' })));
  await attempt('used request', async () => {
    const r = new Request(url, { method: 'POST', body: 'once' });
    await r.text();
    return fetch(r);
  });
  await attempt('stream upload', () =>
    fetch(url, { method: 'POST', body: new Blob(['{"a":1}']).stream(), duplex: 'half' } as RequestInit),
  );
  await attempt('json', () => fetch(url).then((r) => r.json()));
  await attempt('pre-aborted', () => fetch(url, { signal: AbortSignal.abort() }));
  await attempt('beacon', async () => navigator.sendBeacon('/ces/v1/t', '{"event":"x"}'));
  await attempt('sync xhr', async () => {
    const x = new XMLHttpRequest();
    x.open('GET', url, false);
    x.send();
    return [x.status, x.responseText];
  });
  out.push(`fetch is a function: ${typeof fetch} ${fetch.name} ${fetch.length}`);
  // A failed fetch the page ignores still reaches the page's unhandledrejection handlers.
  const unhandled = await new Promise<string>((resolve) => {
    const on = (e: PromiseRejectionEvent) => {
      e.preventDefault();
      window.removeEventListener('unhandledrejection', on);
      resolve(`unhandled ${(e.reason as Error).name}`);
    };
    window.addEventListener('unhandledrejection', on);
    void fetch('http://127.0.0.1:1/unreachable');
    setTimeout(() => resolve('no unhandledrejection'), 3000);
  });
  out.push(unhandled);
  return out;
}

type Comparable = Omit<StepResult, 'headers'> & { headers: [string, string][] };
function comparable(results: StepResult[]): Comparable[] {
  return results.map((r) => ({ ...r, headers: r.headers.filter(([n]) => n !== 'date') }));
}

async function runAll(context: BrowserContext, fake: FakeChatGPT, flows: Flow[]) {
  const seen: { flow: Comparable[]; odd: string[] }[] = [];
  for (const flow of flows) {
    fake.load(flow);
    const page: Page = await context.newPage();
    await page.goto(flow.origin + flow.pagePath);
    const flowResults = comparable(
      await page.evaluate(
        runSteps,
        flow.steps.map((s) => s.request),
      ),
    );
    fake.load(flow);
    seen.push({ flow: flowResults, odd: await page.evaluate(oddCalls) });
    await page.close();
  }
  return seen;
}

test('fail-open: the page sees identical responses without the extension, with it, and with it broken', async ({
  context,
  fake,
  serviceWorker,
  stored,
}) => {
  const k = makeCanaries('failopen');
  // Sequential steps: parallel calls to one URL would get the server's answers in a varying order.
  const flows = [seedFlow(k), realFlow2026(k)].map((f) => ({
    ...f,
    steps: f.steps.map((s) => ({ ...s, request: { ...s.request, noWait: false } })),
  }));

  const bare = await launchChromium(fake, null);
  const without = await runAll(bare, fake, flows);
  await bare.close();
  expect(without[0]!.flow.every((r) => r.status === 200)).toBe(true);

  const withExtension = await runAll(context, fake, flows);
  expect(withExtension).toEqual(without);
  await until(async () => (await stored()).length >= flows[0]!.steps.length, 'calls recorded while working');

  // Background broken: every write fails; the relay keeps retrying, the page must not notice.
  const worker = await serviceWorker();
  await worker.evaluate(() =>
    (globalThis as unknown as { __cfrTest: { setBroken(v: boolean): void } }).__cfrTest.setBroken(true),
  );
  expect(await runAll(context, fake, flows)).toEqual(without);

  // Relay orphaned: the extension reloads under open tabs (an update does this), so the relay's context is
  // invalidated mid-page; the hook keeps running in the page.
  await worker.evaluate(() =>
    (globalThis as unknown as { __cfrTest: { setBroken(v: boolean): void } }).__cfrTest.setBroken(false),
  );
  fake.load(flows[0]!);
  const page = await context.newPage();
  await page.goto(flows[0]!.origin);
  await worker
    .evaluate(() =>
      (globalThis as unknown as { chrome: { runtime: { reload(): void } } }).chrome.runtime.reload(),
    )
    .catch(() => {});
  await getServiceWorker(context);
  const orphaned = comparable(
    await page.evaluate(
      runSteps,
      flows[0]!.steps.map((s) => s.request),
    ),
  );
  fake.load(flows[0]!);
  expect({ flow: orphaned, odd: await page.evaluate(oddCalls) }).toEqual(without[0]);
});

test('a page script can neither forge captures nor get the private channel', async ({
  play,
  stored,
  extensionId,
}) => {
  const { page } = await play(seedFlow(makeCanaries()));
  const attempt = await page.evaluate(
    async ({ event, extensionId }) => {
      const forged = {
        type: 'start',
        callId: 'forged-1',
        pageSessionId: 'forged',
        transport: 'fetch',
        method: 'POST',
        url: 'https://forged.example/steal',
        pageUrl: location.href,
        requestHeaders: [],
        requestBody: null,
        requestBodyEncoding: 'text',
        requestTruncated: false,
        startTime: Date.now(),
      };
      const ch = new MessageChannel();
      let ports = 0;
      window.addEventListener(event, (e) => {
        ports += ((e as MessageEvent).ports ?? []).filter((p) => p !== ch.port2).length;
      });
      // 1. The window message bus.
      window.postMessage(JSON.stringify(forged), '*');
      window.postMessage({ name: 'capture/batch', body: { batchId: 'f', events: [forged] } }, '*');
      // 2. Replaying the handshake, as the relay and as the hook.
      window.dispatchEvent(new MessageEvent(event, { data: 'relay' }));
      window.dispatchEvent(new MessageEvent(event, { data: 'hook', ports: [ch.port2] }));
      ch.port1.postMessage(JSON.stringify(forged));
      // 3. Messaging the extension directly.
      let direct = 'no runtime';
      const rt = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome
        ?.runtime;
      if (rt && typeof rt.sendMessage === 'function') {
        try {
          (rt.sendMessage as (id: string, m: unknown) => void)(extensionId, {
            name: 'capture/batch',
            body: { batchId: 'f', events: [forged] },
          });
          direct = 'sent';
        } catch (err) {
          direct = `threw ${(err as Error).message}`;
        }
      }
      // A real call afterwards, so we know recording still works.
      await fetch('/backend-api/conversations?control=after-forgery');
      await new Promise((r) => setTimeout(r, 300));
      return { ports, direct };
    },
    { event: HANDSHAKE_EVENT, extensionId },
  );
  expect(attempt.ports, 'the page never sees a channel port').toBe(0);
  const calls = await until(async () => {
    const all = await stored();
    return all.some((c) => c.url.includes('control=after-forgery')) ? all : null;
  }, 'the control call');
  expect(calls.some((c) => c.url.includes('forged') || c.pageSessionId === 'forged')).toBe(false);
  // The control call was made with a relative URL: it is stored resolved, and classified.
  const control = calls.find((c) => c.url.includes('control=after-forgery'))!;
  expect(control.url).toBe('https://chat.openai.com/backend-api/conversations?control=after-forgery');
  expect(control.kind).toBe('conversations_list');
});

test("the page's first script cannot take the channel port while the relay is still starting", async ({
  context,
  stored,
}) => {
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/?early-script');
  expect(await page.evaluate(() => (window as unknown as { __early: { ports: number } }).__early.ports)).toBe(
    0,
  );
  await page.evaluate(() => fetch('/backend-api/me?after-early-script').catch(() => null));
  await until(
    async () => (await stored()).some((c) => c.url.includes('after-early-script')),
    'recording still works',
  );
});
