import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateGzipBase64, isGzipBase64 } from './gzip';

describe('gzip bodies', () => {
  it('inflates a base64 gzip body (a Statsig rgstr batch) to its text', async () => {
    const json = '{"events":[{"eventName":"statsig::diagnostics","time":1}]}';
    const b64 = gzipSync(json).toString('base64');
    expect(isGzipBase64(b64)).toBe(true);
    expect(await inflateGzipBase64(b64)).toBe(json);
  });
  it('returns null for other bytes and for broken gzip', async () => {
    expect(await inflateGzipBase64(Buffer.from('plain').toString('base64'))).toBeNull();
    expect(await inflateGzipBase64(gzipSync('x').toString('base64').slice(0, 12))).toBeNull();
  });
});
