import { afterEach, describe, expect, it } from 'vitest';
import { installHook } from './index';
import { type TestPage, testPage } from './test-page';

let page: TestPage;
afterEach(() => page?.close());

describe('sendBeacon hook', () => {
  it('passes the beacon through and records it, queued or not', async () => {
    page = testPage();
    installHook(page.win);
    const { win, ended, beacons, beaconQueued } = page;
    expect(win.navigator.sendBeacon('/ces/v1/t', '{"event":"hidden","token":"SECRET"}')).toBe(true);
    beaconQueued.value = false;
    expect(win.navigator.sendBeacon('https://ab.chatgpt.com/v1/rgstr', new Uint8Array([0x1f, 0x8b, 8]))).toBe(
      false,
    );
    expect(beacons.map(([u]) => u)).toEqual(['/ces/v1/t', 'https://ab.chatgpt.com/v1/rgstr']);
    const [text, gz] = await ended(2);
    expect(text!.start).toMatchObject({
      transport: 'beacon',
      method: 'POST',
      url: 'https://chatgpt.com/ces/v1/t',
      requestBody: '{"event":"hidden","token":"[redacted]"}',
    });
    expect(text!.end!.outcome).toBe('complete');
    expect(gz!.start).toMatchObject({ requestBody: 'H4sI', requestBodyEncoding: 'base64' });
    expect(gz!.end).toMatchObject({ outcome: 'error', error: 'beacon not queued' });
  });
});
