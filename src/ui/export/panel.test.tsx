// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportToText } from '../../export/export';
import { MockClient } from '../mock-client';
import { clientWith, flatChunks, seedCapture } from '../test-data';
import { ExportImportPanel } from './panel';

const ALL = { label: 'Everything', callIds: null };
let saved: { blob: Blob; name: string }[] = [];

beforeEach(() => {
  saved = [];
  let n = 0;
  const blobs = new Map<string, Blob>();
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    const url = `blob:test/${++n}`;
    blobs.set(url, b as Blob);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob) saved.push({ blob, name: this.download });
  });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function exportedJson(): Promise<string> {
  const cap = seedCapture();
  const { text } = await exportToText(
    { allCalls: async () => cap.calls, chunks: async (id) => cap.chunks.get(id) ?? [] },
    { format: 'json', shareSafe: false, scope: ALL },
  );
  return text;
}

function choose(file: File) {
  const input = document.querySelector('input[type=file]') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

describe('ExportImportPanel', () => {
  it('exports JSON as chatgpt-flows-<UTC timestamp>.json and says so', async () => {
    render(<ExportImportPanel scope={ALL} client={clientWith([seedCapture()])} />);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await screen.findByText(/^Saved chatgpt-flows-.*\.json: 10 calls\.$/);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.name).toMatch(/^chatgpt-flows-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    const file = JSON.parse((await saved[0]?.blob.text()) ?? '{}') as { format: string; calls: unknown[] };
    expect(file.format).toBe('chatgpt-flow-recorder');
    expect(file.calls).toHaveLength(10);
  });

  it('exports a share-safe HAR of the scope only', async () => {
    const cap = seedCapture();
    const ids = cap.calls.slice(0, 4).map((c) => c.callId);
    render(<ExportImportPanel scope={{ label: 'Some', callIds: ids }} client={clientWith([cap])} />);
    fireEvent.click(screen.getByLabelText('Share-safe'));
    fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
    await screen.findByText(/^Saved chatgpt-flows-.*\.har: 4 calls, share-safe\.$/);
    const har = JSON.parse((await saved[0]?.blob.text()) ?? '{}') as {
      log: { entries: unknown[]; comment: string };
    };
    expect(har.log.entries).toHaveLength(4);
    expect(har.log.comment).toContain('share-safe');
  });

  // Generous waits: the first Parquet export loads and compiles the writer (a lazy chunk).
  it('exports OTLP traces and a Parquet zip', async () => {
    render(<ExportImportPanel scope={ALL} client={clientWith([seedCapture()])} />);
    fireEvent.click(screen.getByRole('button', { name: 'Export OTLP' }));
    await screen.findByText(/^Saved chatgpt-flows-.*\.otlp\.json: 10 calls\.$/, {}, { timeout: 15_000 });
    const otlp = JSON.parse((await saved[0]?.blob.text()) ?? '{}') as { resourceSpans: unknown[] };
    expect(otlp.resourceSpans).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Export Parquet' }));
    await screen.findByText(/^Saved chatgpt-flows-.*\.parquet\.zip: 10 calls\.$/, {}, { timeout: 15_000 });
    expect(saved[1]?.blob.type).toBe('application/zip');
    // A zip starts with a local file header, PK\x03\x04.
    const zip = saved[1]?.blob;
    if (!zip) throw new Error('no zip saved');
    const head = new Uint8Array(await zip.arrayBuffer()).subarray(0, 4);
    expect([...head]).toEqual([0x50, 0x4b, 3, 4]);
  }, 30_000);

  it('shows progress while an export runs, and can cancel it', async () => {
    let release: () => void = () => {};
    const client = clientWith([seedCapture()]);
    const all = client.allCalls.bind(client);
    client.allCalls = () => new Promise((resolve) => (release = () => void all().then(resolve)));
    render(<ExportImportPanel scope={ALL} client={client} />);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    const bar = await screen.findByRole('progressbar');
    expect(bar.getAttribute('aria-label')).toBe('Exporting JSON: reading captures…');
    expect(screen.getByRole('status').textContent).toBe('Exporting JSON: reading captures…');
    expect(screen.getByRole('button', { name: 'Export HAR' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    release();
    await screen.findByText('Export cancelled.');
    expect(saved).toHaveLength(0);
  });

  it('imports an export into the store and reports what was added and skipped', async () => {
    const client = new MockClient();
    const onImported = vi.fn();
    render(<ExportImportPanel scope={ALL} client={client} onImported={onImported} />);
    const text = await exportedJson();
    choose(new File([text], 'flows.json', { type: 'application/json' }));
    await screen.findByText('Imported 10 calls from flows.json.');
    expect(onImported).toHaveBeenCalledTimes(1);
    expect(await client.allCalls()).toHaveLength(10);
    choose(new File([text], 'flows.json', { type: 'application/json' }));
    await screen.findByText('Imported 0 calls from flows.json; 10 already present.');
  });

  it('refuses a bad file with the first problem and writes nothing', async () => {
    const client = new MockClient();
    const spy = vi.spyOn(client, 'importCaptures');
    render(<ExportImportPanel scope={ALL} client={client} />);
    const file = JSON.parse(await exportedJson()) as { calls: Record<string, unknown>[] };
    file.calls[2] = { ...file.calls[2], kind: 'telepathy' };
    choose(new File([JSON.stringify(file)], 'edited.json'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(
      /^Cannot import edited\.json: calls\[2\]\.kind: Invalid option: expected one of/,
    );
    expect(alert.textContent).toMatch(/Nothing was imported\.$/);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses a file over the size limit before reading it', async () => {
    const client = new MockClient();
    render(<ExportImportPanel scope={ALL} client={client} />);
    const big = new File(['{}'], 'huge.har');
    Object.defineProperty(big, 'size', { value: 200 * 1024 * 1024 });
    const read = vi.spyOn(big, 'text');
    choose(big);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The file is 200 MB; imports are limited to 100 MB.');
    expect(read).not.toHaveBeenCalled();
  });

  it('imports a HAR', async () => {
    const cap = seedCapture();
    const { text } = await exportToText(
      { allCalls: async () => cap.calls, chunks: async (id) => cap.chunks.get(id) ?? [] },
      { format: 'har', shareSafe: false, scope: ALL },
    );
    const client = new MockClient();
    render(<ExportImportPanel scope={ALL} client={client} />);
    choose(new File([text], 'flows.har'));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Imported 10 calls from flows.har.'),
    );
    const chunks = await client.chunks(cap.calls[3]?.callId ?? '');
    expect(chunks.map((c) => c.data).join('')).toBe(
      flatChunks(cap)
        .filter((c) => c.callId === cap.calls[3]?.callId)
        .map((c) => c.data)
        .join(''),
    );
  });
});
