import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { exportFile } from '../src/export/format';
import { makeCanaries, seedFlow } from '../test/flows';
import { expect, type StoredWithChunks, test, until } from './fixtures';
import { ExportPanel } from './pages/export';
import { PopupPage } from './pages/popup';

const require = createRequire(import.meta.url);
const TITLE = 'Roman Empire Fun Fact';
const CONV = '86f73b54-0f51-47ba-84a3-07c1e25dce81';

function harValidator() {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  for (const schema of Object.values(require('har-schema') as Record<string, object>)) ajv.addSchema(schema);
  return ajv.getSchema('har.json#')!;
}

async function recorded(stored: () => Promise<StoredWithChunks[]>, n: number) {
  return until(async () => {
    const calls = await stored();
    return calls.filter((c) => c.outcome).length >= n ? calls : null;
  }, `${n} finished calls`);
}

test('exports JSON and HAR, clears everything, and imports the JSON back', async ({
  play,
  stored,
  context,
  extensionId,
}) => {
  const k = makeCanaries();
  const flow = seedFlow(k);
  await play(flow);
  const calls = await recorded(stored, flow.steps.length);

  const popup = await PopupPage.open(context, extensionId);
  await expect(popup.row(TITLE)).toBeVisible();
  const panel = new ExportPanel(popup.page);

  const json = await panel.export('JSON');
  expect(json.name).toMatch(/^chatgpt-flows-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
  await expect(panel.status).toHaveText(`Saved ${json.name}: ${calls.length} calls.`);
  const file = exportFile.parse(JSON.parse(json.text));
  expect(file.calls).toHaveLength(calls.length);
  const conv = file.analysis.conversations.find((c) => c.id === CONV);
  expect(conv?.title).toBe(TITLE);
  expect(conv?.turns).toHaveLength(2);
  for (const canary of k.all()) expect(json.text).not.toContain(canary);

  const har = await panel.export('HAR');
  expect(har.name).toMatch(/^chatgpt-flows-.*\.har$/);
  const validate = harValidator();
  const parsedHar = JSON.parse(har.text) as { log: { entries: { _sseEvents?: unknown[] }[] } };
  expect(validate(parsedHar), JSON.stringify(validate.errors)).toBe(true);
  expect(parsedHar.log.entries).toHaveLength(calls.length);
  expect(parsedHar.log.entries.filter((e) => (e._sseEvents?.length ?? 0) > 5)).toHaveLength(2);
  for (const canary of k.all()) expect(har.text).not.toContain(canary);

  await panel.clearAll();
  await until(async () => (await stored()).length === 0, 'the store to be empty');
  await expect(popup.row(TITLE)).toHaveCount(0);

  // Playwright keeps downloads under a generated name; offer the file under the name it was saved as.
  await panel.import({ name: json.name, mimeType: 'application/json', buffer: Buffer.from(json.text) });
  await expect(panel.status).toHaveText(`Imported ${calls.length} calls from ${json.name}.`);
  const back = await stored();
  expect(back).toHaveLength(calls.length);
  expect(back.every((c) => c.importId?.startsWith('import-') && c.tabId === null)).toBe(true);
  expect(back.map((c) => c.callId).sort()).toEqual(calls.map((c) => c.callId).sort());
  await expect(popup.row(TITLE)).toBeVisible();
  await popup.openConversation(TITLE);
  await expect(popup.timelineRows).toHaveCount(calls.length);
});

test('share-safe export hides the prompt; a bad file is refused and changes nothing', async ({
  play,
  stored,
  context,
  extensionId,
}) => {
  const flow = seedFlow(makeCanaries());
  await play(flow);
  const calls = await recorded(stored, flow.steps.length);
  const popup = await PopupPage.open(context, extensionId);
  await expect(popup.row(TITLE)).toBeVisible();
  const panel = new ExportPanel(popup.page);

  await panel.shareSafe.check();
  const har = await panel.export('HAR');
  for (const text of [TITLE, 'Roman Empire', 'How true is that', '3f1c2f7e-9a57-4b2e-8d7e-0c3b5a1d2e4f']) {
    expect(har.text).not.toContain(text);
  }
  expect(har.text).toContain(CONV);

  await panel.import({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "chatgpt-flow-recorder", "version": 7, "calls": []}'),
  });
  await expect(panel.error).toContainText('version: the file is format version 7');
  await expect(panel.error).toContainText('Nothing was imported.');
  expect(await stored()).toHaveLength(calls.length);
});
