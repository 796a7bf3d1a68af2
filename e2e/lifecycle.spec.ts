/**
 * Every call ends, and the store says how it is doing: a tab closed mid-reply or recording paused mid-reply
 * ends the open stream as interrupted (not "Recording" forever); the options page shows usage by kind and
 * applies retention rules.
 */
import { makeCanaries, realFlow2026 } from '../test/flows';
import { expect, test, until } from './fixtures';
import { PopupPage } from './pages/popup';

const slowReply = () => realFlow2026(makeCanaries(), { chunkBytes: 200, delayMs: 300 });

test('a tab closed in the middle of a reply: the stream ends as interrupted, with what arrived', async ({
  play,
  context,
  extensionId,
  stored,
}) => {
  const page = await context.newPage();
  const flow = slowReply();
  await page.goto(flow.origin + flow.pagePath);
  void play(flow, page).catch(() => {});
  const send = () => stored().then((calls) => calls.find((c) => c.kind === 'conversation'));
  await until(async () => ((await send())?.chunks.length ?? 0) >= 2, 'the first chunks of the reply');
  await page.close();
  const ended = await until(
    async () => {
      const c = await send();
      return c?.endTime !== undefined ? c : null;
      // 5 s of grace after the port closes, then the write; a loaded machine needs more than the default.
    },
    'the interrupted stream to end',
    30_000,
  );
  expect(ended.outcome).toBe('interrupted');
  expect(ended.error).toMatch(/page was closed/);
  expect(ended.chunks.length).toBeGreaterThanOrEqual(2);
  expect(ended.endTime).toBeGreaterThanOrEqual(ended.chunks.at(-1)!.time);

  // The list no longer shows it as live.
  const popup = await PopupPage.open(context, extensionId);
  await expect(popup.rows.first()).toBeVisible();
  await expect(popup.rows.first()).not.toContainText('Recording');
});

test('recording paused in the middle of a reply: the open stream ends as interrupted', async ({
  play,
  context,
  extensionId,
  stored,
}) => {
  const popup = await PopupPage.open(context, extensionId);
  const flow = slowReply();
  void play(flow).catch(() => {});
  const send = () => stored().then((calls) => calls.find((c) => c.kind === 'conversation'));
  await until(async () => ((await send())?.chunks.length ?? 0) >= 1, 'the first chunk of the reply');
  await popup.toggleRecording();
  await expect(popup.recording).not.toBeChecked();
  const ended = await until(async () => {
    const c = await send();
    return c?.endTime !== undefined ? c : null;
  }, 'the paused stream to end');
  expect(ended.outcome).toBe('interrupted');
  expect(ended.error).toMatch(/paused/);
});

test('the options page shows usage by kind, and its retention rule deletes what is older', async ({
  play,
  context,
  extensionId,
  stored,
}) => {
  await play(realFlow2026(makeCanaries()));
  const count = (await until(async () => (await stored()).length >= 10 && stored(), 'the flow')).length;
  const popup = await PopupPage.open(context, extensionId);
  const [options] = await Promise.all([
    context.waitForEvent('page'),
    popup.page.getByRole('button', { name: 'Options' }).click(),
  ]);
  await options.waitForLoadState();
  expect(options.url()).toContain('/extension/options/index.html');
  const byKind = options.getByRole('table', { name: /^By kind/ });
  await expect(byKind).toContainText(`${count} calls`);
  await expect(byKind.getByRole('rowheader', { name: 'conversation', exact: true })).toBeVisible();

  await options.getByLabel('Delete captures older than', { exact: true }).check();
  const days = options.getByLabel('Delete captures older than (days)');
  await days.fill('1');
  await days.blur();
  await expect(options.getByRole('status')).toHaveText('Saved.');
  // Nothing recorded today is older than a day: Apply now deletes nothing, and says so.
  await options.getByRole('button', { name: 'Apply now' }).click();
  await expect(options.getByRole('status')).toHaveText('Deleted 0 calls; dropped the bodies of 0.');
  expect((await stored()).length).toBe(count);
});
