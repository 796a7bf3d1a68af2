import { joinBody } from '../src/store/call-facts';
import { makeCanaries, realFlow2026 } from '../test/flows';
import { runSteps } from './fake-chatgpt/runner';
import { expect, stopServiceWorker, test, until } from './fixtures';

test('stopping the service worker in the middle of a streamed reply loses no chunk', async ({
  context,
  fake,
  stored,
}) => {
  // A slow stream: ~50 chunks, 60 ms apart, so the worker dies while chunks are still arriving.
  const flow = realFlow2026(makeCanaries(), { chunkBytes: 200, delayMs: 60 });
  flow.steps = flow.steps.slice(0, 1);
  fake.load(flow);
  const page = await context.newPage();
  await page.goto(flow.origin + flow.pagePath);

  let stopping: Promise<Awaited<ReturnType<typeof stopServiceWorker>>> | null = null;
  fake.onChunk = (i, total) => {
    if (i === Math.floor(total / 3)) stopping = stopServiceWorker(context, page);
  };
  const [result] = await page.evaluate(
    runSteps,
    flow.steps.map((s) => s.request),
  );
  fake.onChunk = null;
  expect(result!.status).toBe(200);
  expect(stopping, 'the worker was stopped mid-stream').not.toBeNull();
  const worker = await stopping!;
  await worker.restarted();
  await worker.detach();

  const expected = flow.steps[0]!.response.body!.replace(/ey[^"]+/, '[redacted]');
  const conv = await until(async () => {
    const c = (await stored()).find((x) => x.kind === 'conversation');
    return c?.outcome && c.chunks.length === c.chunkCount ? c : null;
  }, 'the whole stream stored');
  expect(conv.chunks.length).toBeGreaterThan(20);
  // The worker really was down while chunks were still arriving.
  expect(worker.stoppedAt).toBeLessThan(conv.lastChunkTime!);
  expect(conv.chunks.filter((c) => c.time > worker.stoppedAt).length).toBeGreaterThan(5);
  expect(conv.chunks.map((c) => c.seq)).toEqual(conv.chunks.map((_, i) => i));
  expect(joinBody(conv.chunks)).toBe(expected);
  expect(result!.body).toBe(flow.steps[0]!.response.body);
});
