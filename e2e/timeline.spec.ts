import { makeCanaries, seedFlow } from '../test/flows';
import { expect, test } from './fixtures';
import { PopupPage } from './pages/popup';

const SEED_STEPS = [
  '1 prompt_library',
  '2 ces',
  '3 accounts/check',
  '4 conversation (stream)',
  '5 conversations',
  '6 lat/r',
  '7 gen_title',
  '1 conversation (stream)',
  '2 lat/r',
  '3 auth/session',
];

test('the seed flow shows as a titled conversation with its steps, the continuation and the latency card', async ({
  play,
  context,
  extensionId,
}, testInfo) => {
  await play(seedFlow(makeCanaries()));
  const popup = await PopupPage.open(context, extensionId);

  // Listed under the title from gen_title, with its host and counts.
  const row = popup.row('Roman Empire Fun Fact');
  await expect(row).toBeVisible();
  await expect(row).toContainText('chat.openai.com');
  await popup.page.screenshot({ path: testInfo.outputPath('1-list.png') });

  await popup.openConversation('Roman Empire Fun Fact');
  await expect.poll(() => popup.timelineLabels()).toEqual(SEED_STEPS);
  const groups = await popup.groupTitles();
  expect(groups[0]).toMatch(/Turn 1 new chat/);
  expect(groups[1]).toMatch(/Turn 2 continuation “How true is that\?”/);
  await popup.timelineRows.nth(3).hover();
  await expect(popup.page.locator('.tl-tip')).toContainText('Waiting');
  await popup.page.screenshot({ path: testInfo.outputPath('2-timeline.png') });

  // Details of the first send: request, status, the decoded stream.
  await popup.timelineRows.nth(3).click();
  const details = popup.details();
  await expect(details).toContainText('POST https://chat.openai.com/backend-api/conversation');
  await expect(details).toContainText('200 OK');
  await expect(details).toContainText('Request body: matches its schema');
  await expect(details).toContainText('The ancient Romans used urine as a cleaning agent');
  await popup.page.screenshot({ path: testInfo.outputPath('3-details.png') });
  await popup.page.keyboard.press('Escape');
  await expect(details).toBeHidden();
  await expect(popup.timelineRows.nth(3)).toBeFocused();

  // Latency: TTFT measured next to what the app reported in lat/r (ts_first_token_ms 640.6).
  await popup.tab('Turns').click();
  await expect(popup.turn(2)).toContainText('continuation');
  const [measured, reported, difference] = await popup.latencyRow(1, 'Time to first text');
  expect(measured).toMatch(/\d+(\.\d+)? m?s$/);
  expect(reported).toBe('641 ms');
  expect(difference).toMatch(/^[+−±]/);
  await expect(popup.latencyCard(2)).toContainText('Gap p95');
  await popup.page.screenshot({ path: testInfo.outputPath('4-turns.png') });

  await popup.tab('Checks').click();
  await expect(popup.page.locator('.checks-summary')).toContainText('0 failed');
});

test('a continuation that carries suggestions shows a failed flow check', async ({
  play,
  context,
  extensionId,
}, testInfo) => {
  await play(seedFlow(makeCanaries(), { brokenContinuation: true }));
  const popup = await PopupPage.open(context, extensionId);
  await popup.openConversation('Roman Empire Fun Fact');
  await expect(popup.tab('Checks')).toContainText('1 failed');
  await expect(popup.page.getByRole('button', { name: '1 flow check failed' })).toBeVisible();
  await popup.tab('Checks').click();
  await expect(popup.failedChecks).toHaveCount(1);
  await expect(popup.failedChecks).toContainText('Follow-up');
  await expect(popup.failedChecks).toContainText('suggestions');
  await expect(popup.failedChecks).toContainText('turn 2');
  await popup.page.screenshot({ path: testInfo.outputPath('failed-check.png') });
});
