/**
 * Every turn fixture in test/fixtures/real-2026/ (SSE bodies and WebSocket frame lists) decodes to the
 * result its `.expected.json` states (written from the format, before the decoder ran; see the README),
 * whole and cut into random chunks.
 */
import { describe, expect, it } from 'vitest';
import { decodeStream } from './decode';
import type { DecodedTurn } from './decoded';
import { decodeWebSocketFrames, splitWebSocketFrames, type WebSocketFrame } from './decoders/websocket';
import {
  listFixtures,
  oneChunk,
  randomChunks,
  readFixture,
  readJsonFixture,
  seededRandom,
} from './test-fixtures';

interface Expected {
  input: 'sse' | 'ws';
  conversation_id: string;
  assistant_message_id: string | null;
  answer_text: string;
  incomplete: boolean;
  stream_complete: boolean;
  terminator?: string;
  title?: string;
  model?: string;
  user_message_id?: string;
  request_id?: string;
  /** [id, part, tool name or null], in order. */
  messages: [string, string, string | null][];
  /** [tool, result id or null] per tool call, in order. */
  tool_calls?: [string, string | null][];
  /** [summary, content] of every thought, over all reasoning messages. */
  thoughts?: [string, string][];
  reported_thought_seconds?: number;
  /** Message id → source URLs. */
  sources?: Record<string, string[]>;
  /** Message id → text. */
  texts?: Record<string, string>;
  labels?: string[];
  moderation?: number;
  errors: string[];
  /** [label, flag] of every flagged event. */
  flags: [string, string][];
  unknown: number;
  ws_skipped?: string[];
}

const DIR = 'real-2026';
const CASES = listFixtures(DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.replace(/\.expected\.json$/, ''));

function fixtureFile(name: string): string {
  const file = listFixtures(DIR).find((f) => f.startsWith(name) && !f.endsWith('.expected.json'));
  if (!file) throw new Error(`no fixture for ${name}`);
  return `${DIR}/${file}`;
}

function decode(name: string, x: Expected): DecodedTurn {
  const file = fixtureFile(name);
  if (x.input === 'ws') return decodeWebSocketFrames(readJsonFixture(file) as WebSocketFrame[]);
  return decodeStream(oneChunk(readFixture(file)));
}

function check(turn: DecodedTurn, x: Expected): void {
  expect(turn.conversationId).toBe(x.conversation_id);
  expect(turn.assistantMessageId).toBe(x.assistant_message_id);
  expect(turn.text).toBe(x.answer_text);
  expect(turn.incomplete).toBe(x.incomplete);
  expect(turn.streamComplete).toBe(x.stream_complete);
  if (x.terminator !== undefined) expect(turn.terminator).toBe(x.terminator);
  if (x.title !== undefined) expect(turn.title).toBe(x.title);
  if (x.model !== undefined) expect(turn.model).toBe(x.model);
  if (x.user_message_id !== undefined) expect(turn.userMessageId).toBe(x.user_message_id);
  if (x.request_id !== undefined) expect(turn.requestId).toBe(x.request_id);
  expect(turn.messages.map((m) => [m.id, m.part, m.tool ?? null])).toEqual(x.messages);
  if (x.tool_calls !== undefined) {
    expect(turn.phases?.toolCalls.map((t) => [t.tool, t.resultId])).toEqual(x.tool_calls);
  }
  if (x.thoughts !== undefined) {
    const thoughts = turn.messages.flatMap((m) => m.reasoning?.thoughts ?? []);
    expect(thoughts.map((t) => [t.summary, t.content])).toEqual(x.thoughts);
  }
  if (x.reported_thought_seconds !== undefined) {
    expect(turn.phases?.reportedThoughtSeconds).toBe(x.reported_thought_seconds);
  }
  if (x.sources !== undefined) {
    const sources = Object.fromEntries(
      turn.messages.filter((m) => m.sources).map((m) => [m.id, m.sources?.map((s) => s.url)]),
    );
    expect(sources).toEqual(x.sources);
  }
  for (const [id, text] of Object.entries(x.texts ?? {})) {
    expect(turn.messages.find((m) => m.id === id)?.text).toBe(text);
  }
  if (x.labels !== undefined) expect(turn.events.map((e) => e.label)).toEqual(x.labels);
  if (x.moderation !== undefined) expect(turn.moderation).toHaveLength(x.moderation);
  expect(turn.errors).toEqual(x.errors);
  expect(turn.events.filter((e) => e.flag !== undefined).map((e) => [e.label, e.flag])).toEqual(x.flags);
  expect(turn.unknown).toHaveLength(x.unknown);
}

describe('real-2026 fixtures decode to their expected result', () => {
  it('finds the fixtures', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(13);
  });

  it.each(CASES)('%s', (name) => {
    const x = readJsonFixture(`${DIR}/${name}.expected.json`) as Expected;
    const turn = decode(name, x);
    check(turn, x);
    if (x.input === 'ws') {
      const frames = readJsonFixture(fixtureFile(name)) as WebSocketFrame[];
      expect(splitWebSocketFrames(frames).skipped.map((s) => s.reason)).toEqual(x.ws_skipped ?? []);
    } else {
      // Chunk boundaries change nothing but times.
      const sse = readFixture(fixtureFile(name));
      const rand = seededRandom(0x2026);
      for (let i = 0; i < 20; i++) check(decodeStream(randomChunks(sse, rand)), x);
    }
  });
});
