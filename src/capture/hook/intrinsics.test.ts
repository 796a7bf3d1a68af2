/**
 * The hook's byte primitives (intrinsics.ts `copyBytes`, `view`, `byteLength`, `toBase64`): copies of every
 * kind of byte body the page can hand over, through the browser's own constructor and getters. (That a
 * page's replacements see none of it is checked in browsers: e2e/hostile-checks.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureIntrinsics } from './intrinsics';
import { type TestPage, testPage } from './test-page';

let page: TestPage;
afterEach(() => page?.close());
const js = () => {
  page = testPage();
  return captureIntrinsics(page.win);
};

describe('copyBytes', () => {
  it('copies an ArrayBuffer, a view with an offset, a wider typed array and a DataView, up to the cap', () => {
    const { copyBytes } = js();
    const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
    expect([...copyBytes(buffer)!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...copyBytes(buffer, 3)!]).toEqual([0, 1, 2]);
    expect([...copyBytes(new Uint8Array(buffer, 2, 4))!]).toEqual([2, 3, 4, 5]);
    expect([...copyBytes(new Uint8Array(buffer, 2, 4), 2)!]).toEqual([2, 3]);
    expect([...copyBytes(new Uint16Array(buffer, 4, 2))!]).toEqual([4, 5, 6, 7]);
    expect([...copyBytes(new DataView(buffer, 1, 3))!]).toEqual([1, 2, 3]);
  });

  it('makes a copy: changing the source afterwards changes nothing', () => {
    const { copyBytes } = js();
    const source = new Uint8Array([1, 2, 3]);
    const copy = copyBytes(source)!;
    source[0] = 9;
    expect([...copy]).toEqual([1, 2, 3]);
  });

  it('is null for what is not bytes: strings, plain objects, a SharedArrayBuffer, a Blob', () => {
    const { copyBytes } = js();
    for (const x of ['abc', { byteLength: 3 }, [1, 2], new SharedArrayBuffer(2), new Blob(['a']), null])
      expect(copyBytes(x)).toBeNull();
  });
});

describe('view, byteLength, toBase64', () => {
  it('views a range without copying, clamped to the end', () => {
    const { view, byteLength } = js();
    const source = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(1);
    const v = view(source, 1, 99);
    expect([...v]).toEqual([2, 3, 4, 5]);
    source[1] = 7;
    expect(v[0]).toBe(7);
    expect(byteLength(v)).toBe(4);
    expect(byteLength(new ArrayBuffer(5))).toBe(5);
    expect(byteLength(new DataView(new ArrayBuffer(5), 2))).toBe(3);
  });

  it('encodes as btoa would, across the 32 KiB slices of the fallback', () => {
    const { toBase64 } = js();
    const bytes = new Uint8Array(0x8000 * 2 + 5).map((_, i) => (i * 7) & 0xff);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(toBase64(bytes.subarray(3, 10))).toBe(Buffer.from(bytes.subarray(3, 10)).toString('base64'));
    expect(toBase64(new Uint8Array())).toBe('');
  });
});
