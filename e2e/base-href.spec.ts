/**
 * A page with a `<base href>` elsewhere (found in an attack run): fetch and XHR resolve relative URLs
 * against the document's base URL, so the recorder must too. Before, a call that went to
 * chat.openai.com was stored as a chatgpt.com call.
 */
import { expect, test, until } from './fixtures';

test('with <base href> elsewhere, relative fetch and XHR calls are stored with the URL they went to', async ({
  context,
  fake,
  stored,
}) => {
  const json: [string, string][] = [['content-type', 'application/json']];
  fake.route('GET', '/backend-api/me?based=1', { status: 200, headers: json, body: '{}' });
  fake.route('POST', '/backend-api/me?based=2', { status: 200, headers: json, body: '{}' });
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/');
  await page.evaluate(async () => {
    const b = document.createElement('base');
    b.href = 'https://chat.openai.com/';
    document.head.append(b);
    await fetch('/backend-api/me?based=1', { credentials: 'omit' }).then((r) => r.text());
    await new Promise<void>((res) => {
      const x = new XMLHttpRequest();
      x.open('POST', '/backend-api/me?based=2');
      x.onloadend = () => res();
      x.send('{}');
    });
  });
  const calls = await until(async () => {
    const all = (await stored()).filter((c) => c.url.includes('based='));
    return all.length === 2 ? all : null;
  }, 'the two calls');
  expect(
    fake.received
      .filter((r) => r.url.includes('based='))
      .map((r) => r.url)
      .sort(),
  ).toEqual([
    'https://chat.openai.com/backend-api/me?based=1',
    'https://chat.openai.com/backend-api/me?based=2',
  ]);
  expect(calls.map((c) => c.url).sort()).toEqual([
    'https://chat.openai.com/backend-api/me?based=1',
    'https://chat.openai.com/backend-api/me?based=2',
  ]);
  // The page's own URL is still the document's.
  for (const c of calls) expect(c.pageUrl).toBe('https://chatgpt.com/');
});
