/**
 * The phases of 2026 turns end to end (issue 10): a thinking turn with a web.run call streamed over SSE
 * with real pauses between its phases, and a turn delivered over ws.chatgpt.com with catch-ups. The popup
 * shows the phases; the analysis of what was stored has phase times in sane bounds, in order, and
 * roughly the server's pauses (not exact: timers and the network add a little).
 */
import { analyzeConversation } from '../src/analysis/index';
import type { StoredChunk } from '../src/store/schema';
import {
  makeCanaries,
  THINKING_ANSWER,
  THINKING_CONVERSATION,
  THINKING_PACE,
  thinkingFlow2026,
  WS_ANSWER,
  WS_CONVERSATION,
  webSocketTurn2026,
} from '../test/flows';
import { audit, describeViolations } from './axe';
import { expect, type StoredWithChunks, test, until } from './fixtures';
import { PopupPage } from './pages/popup';

function analyse(calls: StoredWithChunks[], conversationId: string) {
  const chunks = new Map<string, StoredChunk[]>();
  for (const c of calls) chunks.set(c.callId, c.chunks);
  const conv = analyzeConversation(calls, chunks, { conversationId });
  if (!conv) throw new Error(`conversation ${conversationId} not found`);
  return conv;
}

const finished = (calls: StoredWithChunks[], pick: (c: StoredWithChunks) => boolean) => {
  const list = calls.filter(pick);
  return list.length > 0 && list.every((c) => c.outcome && c.chunks.length === c.chunkCount);
};

test('a thinking turn with a web.run call: phases in the popup and in the analysis', async ({
  play,
  stored,
  context,
  extensionId,
}, testInfo) => {
  await play(thinkingFlow2026(makeCanaries()));
  const calls = await until(async () => {
    const all = await stored();
    return finished(all, (c) => c.kind === 'conversation') ? all : null;
  }, 'the thinking turn stored');

  // The analysis of what was stored: every phase, in order, roughly as paced by the server.
  const turn = analyse(calls, THINKING_CONVERSATION).turns[0]!;
  expect(turn.assistantText).toBe(THINKING_ANSWER);
  const p = turn.latency.phases!;
  testInfo.annotations.push({ type: 'phases (ms)', description: JSON.stringify(p) });
  const { waitMs, thinkMs, toolMs, thinkAfterMs, answerMs } = THINKING_PACE;
  const tool = p.tools[0]!;
  expect(p.tools).toHaveLength(1);
  expect(tool.tool).toBe('web.run');
  // Ordered and non-negative: first byte ≤ reasoning ≤ tool call < its result ≤ first answer text ≤ end.
  const order = [
    0,
    p.ttfbMs!,
    p.reasoningAtMs!,
    tool.startMs,
    tool.startMs + tool.durationMs!,
    p.reasoningAtMs! + p.reasoningMs!,
    p.firstAnswerTextMs!,
    p.endAtMs!,
  ];
  expect(order).toEqual([...order].sort((a, b) => a - b));
  // Roughly the server's pauses: at least most of each (timers never fire early, but a late piece
  // shortens the next gap), and not seconds more.
  expect(p.ttfbMs).toBeGreaterThanOrEqual(waitMs * 0.9);
  expect(p.ttfbMs).toBeLessThan(waitMs + 2000);
  expect(tool.durationMs).toBeGreaterThanOrEqual(toolMs * 0.7);
  expect(tool.durationMs).toBeLessThan(toolMs + 1000);
  expect(p.reasoningMs).toBeGreaterThanOrEqual((thinkMs + toolMs + thinkAfterMs) * 0.8);
  expect(p.reasoningMs).toBeLessThan(thinkMs + toolMs + thinkAfterMs + 1500);
  expect(p.reportedThoughtSeconds).toBe(2);
  expect(p.firstAnswerTextMs! - p.ttfbMs!).toBeGreaterThanOrEqual((thinkMs + toolMs + thinkAfterMs) * 0.8);
  expect(p.answerMs).toBeGreaterThanOrEqual(answerMs * 0.6);
  expect(p.answerMs).toBeLessThan(answerMs + 1500);
  // The first answer text is the TTFT; reasoning and the tool are not answer text.
  expect(turn.latency.ttftMs).toBe(p.firstAnswerTextMs);
  expect(turn.comparison?.rows.find((r) => r.metric === 'reasoning')).toMatchObject({ reported: 2000 });

  // The popup: the stream bar in phases, with a legend.
  const popup = await PopupPage.open(context, extensionId);
  await popup.openConversation('tallest tower');
  const segs = popup.page.locator('.tl-row .seg[data-phase]');
  await expect(segs.first()).toBeVisible();
  const labels = await segs.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.label));
  expect(labels[0]).toBe('waiting');
  expect(labels).toContain('reasoning');
  expect(labels).toContain('tool web.run');
  expect(labels.at(-1)).toBe('answer');
  const legend = popup.page.getByRole('list', { name: 'Legend' });
  for (const name of ['until first byte', 'reasoning', 'tool call', 'answer'])
    await expect(legend.getByText(name, { exact: true })).toBeVisible();
  const send = popup.timelineRows.filter({ has: popup.page.locator('.tl-bar.phased') });
  await expect(send).toHaveAttribute(
    'aria-label',
    /phases: waiting \d+ ms, .*tool web\.run \d+ ms, .*answer \d+ ms/,
  );
  await send.hover();
  await expect(popup.page.locator('.tl-tip')).toContainText('tool web.run');
  await popup.page.screenshot({ path: testInfo.outputPath('1-timeline-phases.png') });

  // The turn view: the thoughts (collapsed), the tool call with its duration and source, the answer.
  await popup.tab('Turns').click();
  const steps = popup.page.getByRole('list', { name: 'Steps of turn 1' });
  await expect(steps.locator('details')).toHaveCount(2);
  await expect(steps.locator('details summary').first()).toHaveText('Thought Looking up towers');
  await expect(steps.locator('details').first()).not.toHaveAttribute('open');
  await steps.locator('details summary').first().click();
  await expect(steps.getByText('I should check a source.')).toBeVisible();
  const call = steps.locator('[data-step="tool"]');
  await expect(call).toContainText(/web\.run · \d+ ms/);
  await expect(call).toContainText('https://en.wikipedia.org/wiki/Ostankino_Tower');
  await expect(popup.replyText(1)).toHaveText(THINKING_ANSWER);
  const [ttfb] = await popup.latencyRow(1, 'Time to first byte');
  expect(ttfb).toMatch(/^\d+ ms$|^\d\.\d\d s$/);
  const [measured, reported] = await popup.latencyRow(1, 'Reasoning');
  expect(measured).toMatch(/ s$/);
  expect(reported).toBe('2.00 s');
  await popup.page.screenshot({ path: testInfo.outputPath('2-turn-steps.png'), fullPage: true });
});

test('a WebSocket turn with catch-ups: the answer and its phases from the socket frames', async ({
  play,
  stored,
  fake,
  context,
  extensionId,
}, testInfo) => {
  const ws = webSocketTurn2026(makeCanaries());
  fake.socketFrames = ws.socketFrames;
  fake.socketDelayMs = 150;
  try {
    const { page } = await play(ws.flow);
    // The app subscribes to the turn's topic once the send has handed the turn off.
    await page.evaluate(
      (subscribe) =>
        new Promise<void>((resolve) => {
          const socket = new WebSocket('wss://ws.chatgpt.com/ws/user/user-x?verify=SECRETVERIFY');
          socket.onopen = () => socket.send(subscribe);
          socket.onclose = () => resolve();
        }),
      ws.subscribe,
    );
  } finally {
    fake.socketFrames = [];
    fake.socketDelayMs = 20;
  }
  const calls = await until(async () => {
    const all = await stored();
    return finished(all, (c) => c.kind === 'conversation' || c.transport === 'websocket') ? all : null;
  }, 'the send and the socket stored');

  const turn = analyse(calls, WS_CONVERSATION).turns[0]!;
  expect(turn.answerSource).toBe('websocket');
  expect(turn.assistantText).toBe(WS_ANSWER);
  const p = turn.latency.phases!;
  testInfo.annotations.push({ type: 'phases (ms)', description: JSON.stringify(p) });
  // The reply to the subscribe brings the first five items (the first answer text) at once; four more
  // frames follow 150 ms apart, then `done`.
  expect(p.ttfbMs).toBeGreaterThanOrEqual(0);
  expect(p.firstAnswerTextMs).toBeGreaterThanOrEqual(p.ttfbMs!);
  expect(p.reasoningMs).toBeNull();
  expect(p.tools).toEqual([]);
  expect(p.answerMs).toBeGreaterThanOrEqual(3 * 150 * 0.7);
  expect(p.answerMs).toBeLessThan(5 * 150 + 1500);
  expect(p.endAtMs).toBe(p.firstAnswerTextMs! + p.answerMs!);

  const popup = await PopupPage.open(context, extensionId);
  await popup.openConversation('What is 5 + 5');
  const socketRow = popup.timelineRows.filter({ hasText: 'websocket' });
  await expect(socketRow.locator('.seg[data-phase="answer"]')).toHaveCount(1);
  await popup.tab('Turns').click();
  await expect(popup.replyText(1)).toHaveText(WS_ANSWER);
  await expect(popup.latencyRow(1, /^Answer$/)).resolves.toEqual([expect.stringMatching(/\d/), '—', '—']);
  await popup.page.screenshot({ path: testInfo.outputPath('ws-turn.png') });
});

test('the views pass an axe-core audit, light and dark', async ({ play, context, extensionId }) => {
  await play(thinkingFlow2026(makeCanaries()));
  const popup = await PopupPage.open(context, extensionId);
  for (const scheme of ['light', 'dark'] as const) {
    await popup.page.emulateMedia({ colorScheme: scheme });
    await popup.page.goto(popup.page.url().replace(/#.*$/, ''));
    await popup.search.waitFor();
    await popup.rows.first().waitFor();
    expect(describeViolations(await audit(popup.page)), `list (${scheme})`).toBe('');
    await popup.openConversation('tallest tower');
    await popup.page.locator('.tl-bar.phased').waitFor();
    expect(describeViolations(await audit(popup.page)), `timeline (${scheme})`).toBe('');
    await popup.timelineRows.first().click();
    await popup.details().waitFor();
    expect(describeViolations(await audit(popup.page)), `details (${scheme})`).toBe('');
    await popup.page.keyboard.press('Escape');
    await popup.tab('Turns').click();
    await popup.page.getByRole('list', { name: 'Steps of turn 1' }).locator('summary').first().click();
    expect(describeViolations(await audit(popup.page)), `turns (${scheme})`).toBe('');
    await popup.tab('Checks').click();
    expect(describeViolations(await audit(popup.page)), `checks (${scheme})`).toBe('');
  }
});
