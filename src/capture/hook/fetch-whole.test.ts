/**
 * A small body of declared length is read whole for the record (fetch.ts `readWhole`) while the page keeps
 * the native Response: whichever way the page reads it (each body method, its stream, a clone, after a
 * wait, never), the page gets exactly what the native Response gives and the record the whole body once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer } from './test-page';

let server: TestServer;
const JSON_BODY = '\uFEFF{"user":"u","items":[1,2,3],"name":"Zoë"}';
const JSON_BYTES = Buffer.byteLength(JSON_BODY);
beforeAll(async () => {
  server = await new TestServer().start();
  server
    // With a byte order mark and a multi-byte character: text() and json() drop the mark, keep the 'ë'.
    .on('/sized', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(JSON_BYTES) });
      res.end(JSON_BODY);
    })
    .on('/not-json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '9' });
      res.end('{"a":1,,}');
    })
    .on('/form', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '7' });
      res.end('a=1&b=2');
    });
});
afterAll(() => server.close());
const install = hookedPages();

/** The body as the record has it, and the call's end, once it has ended. */
async function recorded(page: ReturnType<typeof install>, n = 1) {
  const calls = await page.ended(n);
  return calls.map((c) => ({ body: c.body, end: c.end }));
}

describe('fetch hook, a body read whole where the page reads it', () => {
  const reads: [string, (r: Response) => Promise<unknown>, (x: unknown) => unknown][] = [
    ['text()', (r) => r.text(), (x) => x],
    ['json()', (r) => r.json(), (x) => x],
    ['arrayBuffer()', (r) => r.arrayBuffer(), (x) => Buffer.from(x as ArrayBuffer).toString('hex')],
    [
      'bytes()',
      (r) => r.bytes(),
      (x) => [(x as Uint8Array).constructor.name, Buffer.from(x as Uint8Array).toString('hex')],
    ],
    ['blob()', async (r) => r.blob(), async (x) => [(x as Blob).type, await (x as Blob).text()]],
    ['body', (r) => new Response(r.body).text(), (x) => x],
    ['clone().text()', (r) => r.clone().text(), (x) => x],
  ];
  for (const [how, read, look] of reads) {
    it(`${how}: the page gets what the native Response gives, and the record the whole body`, async () => {
      const page = install();
      const native = await look(await read(await fetch(`${server.origin}/sized`)));
      const res = await page.win.fetch(`${server.origin}/sized`);
      expect(await look(await read(res))).toEqual(native);
      expect(res.bodyUsed).toBe(how !== 'clone().text()');
      const [call] = await recorded(page);
      expect(call!.body).toBe(JSON_BODY.slice(1));
      expect(call!.end).toMatchObject({ outcome: 'complete', bodyBytes: JSON_BYTES, chunkCount: 1 });
    });
  }

  it('formData() as natively, recorded whole', async () => {
    const page = install();
    const res = await page.win.fetch(`${server.origin}/form`);
    expect([...(await res.formData()).entries()]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    const [call] = await recorded(page);
    expect(call!.body).toBe('a=1&b=2');
  });

  it('json() of a body that is not JSON rejects as natively, and the record keeps the text', async () => {
    const page = install();
    const native = await (await fetch(`${server.origin}/not-json`)).json().catch((e: Error) => e);
    const got = await (await page.win.fetch(`${server.origin}/not-json`)).json().catch((e: Error) => e);
    expect(got).toBeInstanceOf(SyntaxError);
    expect([got.name, got.message]).toEqual([(native as Error).name, (native as Error).message]);
    const [call] = await recorded(page);
    expect(call!.body).toBe('{"a":1,,}');
    expect(call!.end!.outcome).toBe('complete');
  });

  it('a second read rejects as natively; the first was recorded', async () => {
    const page = install();
    const res = await page.win.fetch(`${server.origin}/sized`);
    await res.text();
    const native = await fetch(`${server.origin}/sized`);
    await native.text();
    const [a, b] = await Promise.all([
      res.json().catch((e: Error) => e),
      native.json().catch((e: Error) => e),
    ]);
    expect(a).toBeInstanceOf(TypeError);
    expect((a as Error).message).toBe((b as Error).message);
    const [call] = await recorded(page);
    expect(call!.body).toBe(JSON_BODY.slice(1));
  });

  it('what the page does to its ArrayBuffer or bytes afterwards does not reach the record', async () => {
    const page = install();
    const buffer = await (await page.win.fetch(`${server.origin}/sized`)).arrayBuffer();
    new Uint8Array(buffer).fill(0x41);
    const bytes = await (await page.win.fetch(`${server.origin}/sized`)).bytes();
    bytes.fill(0x42);
    structuredClone(buffer, { transfer: [buffer] });
    const calls = await recorded(page, 2);
    for (const c of calls) expect(c.body).toBe(JSON_BODY.slice(1));
  });

  it('a body the page reads after another wait, or never, is recorded whole', async () => {
    const page = install();
    const later = await page.win.fetch(`${server.origin}/sized`);
    await page.win.fetch(`${server.origin}/sized?never`);
    await sleep(30);
    expect(await later.text()).toBe(JSON_BODY.slice(1));
    const calls = await recorded(page, 2);
    for (const c of calls) {
      expect(c.body).toBe(JSON_BODY.slice(1));
      expect(c.end).toMatchObject({ outcome: 'complete', bodyBytes: JSON_BYTES });
    }
  });

  it("Response methods on the page's own Responses, and their names and lengths, are as native", async () => {
    const page = install();
    const own = new page.win.Response('{"x":1}');
    expect(await own.json()).toEqual({ x: 1 });
    for (const name of ['text', 'json', 'arrayBuffer', 'bytes', 'blob', 'formData', 'clone'] as const) {
      const f = page.win.Response.prototype[name];
      expect([f.name, f.length]).toEqual([name, 0]);
    }
    const body = Object.getOwnPropertyDescriptor(page.win.Response.prototype, 'body')!;
    expect(body.get!.name).toBe('get body');
    expect(page.calls()).toEqual([]);
  });
});
