/**
 * An attack run (Node stand-in page): the XHR record is read through the XMLHttpRequest prototype's getters
 * as they are when the hook's loadend listener runs, not through getters captured at install (as fetch's
 * head is: intrinsics responseStatus & co). A page that swaps a getter only around the hook's read sees
 * the real response itself and leaves another one in the record.
 */
import { describe, expect, it } from 'vitest';
import { FakeXhr, hookedPages, sleep } from './test-page';

const install = hookedPages();

describe('attack: XHR getters swapped around the hook', () => {
  it("a response getter the page swaps in for its load event's turn does not change the stored body", async () => {
    const page = install();
    await sleep(20);
    FakeXhr.scripts.set('/bin', {
      parts: ['real bytes'],
      headers: [['content-type', 'application/octet-stream']],
    });
    const proto = FakeXhr.prototype as unknown as object;
    const real = Object.getOwnPropertyDescriptor(proto, 'response')!;
    const xhr = new page.win.XMLHttpRequest();
    xhr.open('GET', '/bin');
    xhr.responseType = 'arraybuffer';
    let pageSaw = '';
    xhr.addEventListener('load', () => {
      pageSaw = new TextDecoder().decode(xhr.response as ArrayBuffer);
      // From here to the next task, `response` answers with other bytes: the hook's loadend reads them.
      Object.defineProperty(proto, 'response', {
        configurable: true,
        get: () => new TextEncoder().encode('forged bytes').buffer,
      });
      setTimeout(() => Object.defineProperty(proto, 'response', real), 0);
    });
    xhr.send();
    const [call] = await page.ended(1);
    expect(pageSaw).toBe('real bytes');
    // Failed before: the record holds "forged bytes" (base64 of them; the stand-in's bytes mode).
    expect(Buffer.from(call!.body, 'base64').toString()).toBe('real bytes');
  });
});
