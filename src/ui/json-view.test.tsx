// @vitest-environment happy-dom
import { gzipSync } from 'node:zlib';
import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { BodyView } from './json-view';

describe('BodyView', () => {
  it('shows a gzip body (Statsig gz=1) inflated, as JSON', async () => {
    const b64 = gzipSync('{"eventName":"statsig::diagnostics","count":3}').toString('base64');
    render(<BodyView text={b64} encoding="base64" />);
    expect(await screen.findByText(/gzip body, \d+ bytes, inflated/)).toBeTruthy();
    const view = await screen.findByText(/gzip body/);
    expect(view.parentElement?.textContent).toContain('statsig::diagnostics');
    expect(view.parentElement?.textContent).toContain('count');
  });
  it('says what other binary bodies are, without showing bytes', () => {
    render(<BodyView text={Buffer.from('\x00\x01binary').toString('base64')} encoding="base64" />);
    expect(screen.getByText(/Binary body, \d+ bytes/)).toBeTruthy();
  });
});
