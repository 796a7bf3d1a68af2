/**
 * Insights end to end (issue 12): several conversations replayed by the fake ChatGPT — an older model's
 * two turns with a CES telemetry batch, a paced thinking turn, and a send answered 429 — then the Insights
 * page (opened from the popup header) shows the plots and the tables with the right numbers. Saves the
 * README screenshot (light) and a dark one.
 */
import { type Flow, makeCanaries, seedFlow, thinkingFlow2026 } from '../test/flows';
import { audit, describeViolations } from './axe';
import { expect, test, until } from './fixtures';
import { PopupPage } from './pages/popup';

function rateLimitedFlow(): Flow {
  return {
    name: 'rate-limited',
    origin: 'https://chatgpt.com',
    pagePath: '/',
    steps: [
      {
        request: {
          method: 'POST',
          url: 'https://chatgpt.com/backend-api/f/conversation',
          headers: [['content-type', 'application/json']],
          body: JSON.stringify({
            action: 'next',
            model: 'gpt-4o',
            messages: [],
            parent_message_id: 'client-created-root',
          }),
        },
        response: {
          status: 429,
          headers: [['content-type', 'application/json']],
          body: JSON.stringify({ detail: 'Too many requests in 1 hour. Try again later.' }),
        },
      },
    ],
  };
}

const cells = (row: import('@playwright/test').Locator) =>
  row.locator('th,td').evaluateAll((els) => els.map((e) => e.textContent ?? ''));

test('Insights: latency per model, reported thought time, 429s, telemetry, drift; light and dark', async ({
  play,
  stored,
  context,
  extensionId,
}, testInfo) => {
  const k = makeCanaries();
  await play(seedFlow(k));
  await play(thinkingFlow2026(k));
  await play(rateLimitedFlow());
  await until(async () => {
    const sends = (await stored()).filter((c) => c.kind === 'conversation' && c.method === 'POST');
    return sends.length === 4 && sends.every((c) => c.outcome) ? sends : null;
  }, 'four sends stored and ended');

  // From the popup header.
  const popup = await PopupPage.open(context, extensionId);
  const [page] = await Promise.all([
    context.waitForEvent('page'),
    popup.page.getByRole('button', { name: 'Insights' }).click(),
  ]);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForLoadState();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByTestId('ins-counts')).toHaveText(
    new RegExp(`^4 turns, \\d+ calls · ${today} to ${today}`),
  );
  // The first screen comes from the daily rollups (approximate percentiles): the exact ones follow.
  await expect(page.getByTestId('ins-details-status')).toHaveCount(0);

  // Latency: the thinking turn's thinking time beside ChatGPT's "Thought for 2 s".
  const dist = page.getByTestId('ins-distributions');
  const thinking = await cells(dist.locator('tr[data-metric="thinkingMs"][data-model="gpt-5-5-thinking"]'));
  expect(thinking[2]).toBe('1');
  expect(Number(thinking[4])).toBeGreaterThan(1300);
  expect(
    await cells(dist.locator('tr[data-metric="reportedThoughtMs"][data-model="gpt-5-5-thinking"]')),
  ).toEqual(expect.arrayContaining(['1', '2000']));
  // The older model's two turns.
  expect(
    (await cells(dist.locator('tr[data-metric="ttfbMs"][data-model="text-davinci-002-render-sha"]')))[2],
  ).toBe('2');
  // Volume and errors: 4 turns today, one failed (the 429), and the 429 itself.
  await page.getByText('Table: Turns per day').click();
  expect(await cells(page.getByTestId('ins-turns-per-day').locator('tbody tr'))).toEqual([
    today,
    '4',
    '0',
    '1',
    '0',
  ]);
  await page.getByText('Table: HTTP errors per day').click();
  expect(await cells(page.getByTestId('ins-errors-per-day').locator('tbody tr'))).toEqual([
    today,
    '1',
    '0',
    '0',
  ]);
  // Telemetry: the seed flow's CES batch.
  await expect(page.getByTestId('ins-telemetry').locator('tbody tr').first()).toBeVisible();
  expect(
    await page.getByTestId('ins-telemetry').locator('tbody tr td:first-child').allTextContents(),
  ).toContain('ces');
  // Drift: the conversation stream's frame types, first seen today.
  await expect(page.getByTestId('ins-drift')).toContainText('frame');
  // The plots are drawn (uPlot canvases).
  expect(await page.locator('.ins-plot canvas').count()).toBeGreaterThanOrEqual(8);

  await page.getByText('Table: Turns per day').click();
  await page.getByText('Table: HTTP errors per day').click();
  await page.evaluate(() => window.scrollTo(0, 0));
  // The README's screenshot is refreshed on request only: a test run must not change tracked files.
  const light = process.env.UPDATE_SCREENSHOTS
    ? 'docs/screenshot-insights.png'
    : testInfo.outputPath('insights.png');
  await page.screenshot({ path: light, fullPage: false });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(200);
  await page.screenshot({ path: testInfo.outputPath('insights-dark.png'), fullPage: false });
  // axe-core, dark then light, with the details loaded (as in phases.spec.ts for the popup's views).
  expect(describeViolations(await audit(page)), 'insights (dark)').toBe('');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(200);
  expect(describeViolations(await audit(page)), 'insights (light)').toBe('');
});
