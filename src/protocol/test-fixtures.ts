/**
 * Test-only access to the decoder fixtures (`test/fixtures/`, resolved by test/fixtures.ts) and a seeded
 * chunker. Imported by tests only; it uses node:fs, which the extension never loads.
 */
import { listFixtures, readFixture, readJsonFixture } from '../../test/fixtures';
import type { TimedChunk } from './decoded';

export { listFixtures, readFixture, readJsonFixture };

/** The expected.json fields the decoder is checked against (see fixtures/synthetic/README.md). */
export interface Expected {
  conversation_id: string;
  assistant_message_id: string;
  user_message_id?: string;
  request_id?: string;
  turn_trace_id?: string;
  model_slug: string;
  final_status: string;
  final_text: string;
  end_turn?: boolean | null;
  finish_details?: unknown;
  stream_complete: boolean;
  title: string | null;
  titles_seen?: string[];
  moderation?: {
    message_id: string;
    is_completion: boolean;
    flagged: boolean;
    blocked: boolean;
    moderation_id: string;
  }[];
  pings?: string[];
  assistant_metadata_after_decode?: Record<string, unknown>;
  token_count_after_decode?: number;
}

export interface SyntheticFixture {
  name: string;
  sse: string;
  expected: Expected;
}

export function syntheticFixtures(): SyntheticFixture[] {
  return listFixtures('synthetic')
    .filter((f) => f.endsWith('.sse'))
    .sort()
    .map((f) => ({
      name: f,
      sse: readFixture(`synthetic/${f}`),
      expected: readJsonFixture(`synthetic/${f.replace(/\.sse$/, '.expected.json')}`) as Expected,
    }));
}

export const REAL_SSE = 'real/2026-03-12_chatgpt.com_backend-anon_f-conversation_v1_guest.sse';

export { seededRandom } from '../random';

/** Cut `text` at random places; chunk i arrives at time `t0 + i`. Sizes mix single characters and long reads. */
export function randomChunks(text: string, rand: () => number, t0 = 1000): TimedChunk[] {
  const chunks: TimedChunk[] = [];
  let i = 0;
  while (i < text.length) {
    const r = rand();
    const size = r < 0.2 ? 1 : r < 0.6 ? 1 + Math.floor(rand() * 16) : 1 + Math.floor(rand() * 600);
    chunks.push({ time: t0 + chunks.length, data: text.slice(i, i + size) });
    i += size;
  }
  return chunks;
}

export function oneChunk(text: string, time = 1000): TimedChunk[] {
  return [{ time, data: text }];
}
