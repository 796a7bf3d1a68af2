import { describe, expect, it } from 'vitest';
import { analyzeConversation } from '../analysis/index';
import { readFixture } from '../protocol/test-fixtures';
import type { StoredChunk } from '../store/schema';
import { parseImportText } from './index';

/** A HAR file as DevTools writes it, from one of the shared digests (which keep `null` for absent bodies). */
function harFrom(digestName: string): string {
  const digest = JSON.parse(readFixture(`real/${digestName}`)) as { entries: Record<string, unknown>[] };
  return JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [],
      entries: digest.entries.map((e) => ({
        ...e,
        time: 100,
        cache: {},
        timings: { send: 1, wait: 50, receive: 49 },
      })),
    },
  });
}

describe('importing real HAR captures', () => {
  it('imports the 2026 chatgpt.com capture and decodes its reply', async () => {
    const { calls, chunks } = await parseImportText(
      harFrom('har-digest_2026-03-12_chatgpt.com_backend-anon.json'),
    );
    expect(calls).toHaveLength(21);
    expect(new Set(calls.map((c) => c.kind))).toEqual(
      new Set(['conversation', 'sentinel', 'statsig', 'ces']),
    );
    const byCall = new Map<string, StoredChunk[]>();
    for (const ch of chunks) byCall.set(ch.callId, [...(byCall.get(ch.callId) ?? []), ch]);
    const conv = analyzeConversation(calls, byCall);
    expect(conv?.id).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
    expect(conv?.turns[0]?.assistantText).toBe(
      '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a',
    );
  });

  it('imports the 2023 chat.openai.com capture, whose stream body was not saved (null)', async () => {
    const { calls } = await parseImportText(harFrom('har-digest_2023-12-23_chat.openai.com.json'));
    expect(calls).toHaveLength(11);
    const conv = calls.find((c) => c.kind === 'conversation')!;
    expect(conv.conversationId).toBe('b7d2e599-ade0-4aa3-b4be-50007009f77d');
    expect(calls.find((c) => c.kind === 'lat_r')?.requestBody).toContain('839fd8f4ab6a3a04-YYZ');
  });
});
