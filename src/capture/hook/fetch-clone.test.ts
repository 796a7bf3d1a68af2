/**
 * The page's clone() of a tapped Response (fetch.ts `tap`, `fork`): not a tee of the page's stream, whose
 * branch's cancel would wait for the other branch, but another stream fed from the same network reads.
 * Each expectation is what a native clone does (Node's fetch, as the bare browsers): every copy gets the
 * whole body, a cancel settles at once and only the last one closes the connection, an abort or a network
 * error reaches every copy, and a disturbed or locked body cannot be cloned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookedPages, sleep, TestServer, until } from './test-page';

const LONG = Array.from({ length: 40 }, (_, i) => `data: ${i}\n\n`);
/** 3 MiB in 64 KiB pieces, sent as fast as the client takes them: past the read-ahead. */
const BIG_PIECES = 48;
const PIECE = 64 * 1024;

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer().start();
  server
    .stream('/long', LONG, 25)
    // JSON of no declared length: through the tap, as the real service's compressed JSON.
    .stream('/unsized', ['{"a":1,', '"b":2}'], 5, 'application/json')
    .on('/drop', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: partial\n\n');
      await sleep(20);
      res.socket?.destroy();
    })
    .on('/hang', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
    })
    .on('/big', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < BIG_PIECES && !res.destroyed; i++) {
        if (!res.write(Buffer.alloc(PIECE, i))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
});
afterAll(() => server.close());

const install = hookedPages();

describe("the page's clone() of a tapped Response", () => {
  it('clone, then cancel both: each cancel settles at once, only the last closes the connection, and the call is cancelled', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?clone-both`);
    const copy = res.clone();
    await res.body!.cancel();
    // The clone reads on: the network too.
    const reader = copy.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: 0\n\n/);
    await sleep(100);
    expect(server.closedEarly).not.toContain('/long?clone-both');
    await reader.cancel();
    await until(() => server.closedEarly.includes('/long?clone-both'), 'the connection to close', 600);
    const [call] = await ended(1);
    expect(call!.end?.outcome).toBe('cancelled');
  });

  it('clone, then read both (and a clone of the clone): the same text and head, one call, complete, with the body once', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/unsized?clone-read`);
    const copy = res.clone();
    const again = copy.clone();
    const look = (r: Response) => [
      r.url,
      r.redirected,
      r.type,
      r.status,
      r.statusText,
      r.headers.get('x-test'),
    ];
    expect(look(copy)).toEqual(look(res));
    expect(look(again)).toEqual(look(res));
    expect(copy).toBeInstanceOf(win.Response);
    const texts = await Promise.all([res.text(), copy.text(), again.text()]);
    expect(texts).toEqual(['{"a":1,"b":2}', '{"a":1,"b":2}', '{"a":1,"b":2}']);
    // One after the other: the copy not read yet keeps what the first one read.
    const long = await win.fetch(`${server.origin}/long?clone-read`);
    const later = long.clone();
    expect(await long.text()).toBe(LONG.join(''));
    expect(await later.text()).toBe(LONG.join(''));
    const calls = await ended(2);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.end).toMatchObject({ outcome: 'complete', bodyBytes: 13 });
    expect(calls[0]!.body).toBe('{"a":1,"b":2}');
    expect(calls[1]!.end?.outcome).toBe('complete');
    expect(calls[1]!.body).toBe(LONG.join(''));
  });

  it('a clone made after the hook read ahead of the page, or after the body ended, gets the whole body', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/long?late-clone`);
    // Several chunks are now in the page's queue, unread.
    await sleep(200);
    const copy = res.clone();
    expect(await copy.text()).toBe(LONG.join(''));
    expect(await res.text()).toBe(LONG.join(''));
    const ended1 = await win.fetch(`${server.origin}/unsized?after-end`);
    await ended(2);
    const copies = [ended1.clone(), ended1.clone()];
    expect(await Promise.all([ended1.text(), ...copies.map((c) => c.text())])).toEqual(
      Array(3).fill('{"a":1,"b":2}'),
    );
  });

  it('a clone of a disturbed or locked body throws a TypeError, as natively', async () => {
    const { win, ended } = install();
    const bare = await fetch(`${server.origin}/unsized?bare`);
    const res = await win.fetch(`${server.origin}/unsized?disturbed`);
    for (const r of [bare, res]) {
      const reader = r.body!.getReader();
      expect(() => r.clone()).toThrow(TypeError);
      await reader.read();
      reader.releaseLock();
      expect(() => r.clone()).toThrow(TypeError);
    }
    const read = await win.fetch(`${server.origin}/unsized?used`);
    await read.text();
    expect(() => read.clone()).toThrow(TypeError);
    const calls = await ended(2);
    expect(calls.map((c) => c.end?.outcome)).toEqual(['complete', 'complete']);
  });

  it('an abort or a network error reaches the page’s Response and every clone, even one made after it', async () => {
    const { win, ended } = install();
    const ac = new AbortController();
    const res = await win.fetch(`${server.origin}/hang?clone-abort`, { signal: ac.signal });
    const copy = res.clone();
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    ac.abort();
    await expect(reader.read()).rejects.toThrow();
    const late = copy.clone();
    await expect(copy.text()).rejects.toThrow();
    await expect(late.text()).rejects.toThrow();
    const dropped = await win.fetch(`${server.origin}/drop?clone`);
    const copies = [dropped, dropped.clone()];
    for (const c of copies) await expect(c.text()).rejects.toThrow();
    const [aborted, failed] = await ended(2);
    expect(aborted!.end?.outcome).toBe('aborted');
    expect(failed!.end).toMatchObject({ outcome: 'error', bodyBytes: 15 });
  });

  it('past the read-ahead, a clone of an unread body is a native one and still gets the whole body', async () => {
    const { win, ended } = install();
    const res = await win.fetch(`${server.origin}/big`);
    const copy = res.clone();
    // The copy is read to its end while the page's own body stays unread (its queue holds all of it).
    const size = (await copy.arrayBuffer()).byteLength;
    const late = res.clone();
    const [a, b] = await Promise.all([res.arrayBuffer(), late.arrayBuffer()]);
    expect([size, a.byteLength, b.byteLength]).toEqual(Array(3).fill(BIG_PIECES * PIECE));
    expect(new Uint8Array(b)[BIG_PIECES * PIECE - 1]).toBe(BIG_PIECES - 1);
    const [call] = await ended(1);
    expect(call!.end).toMatchObject({ outcome: 'complete', bodyBytes: BIG_PIECES * PIECE });
  });
});
