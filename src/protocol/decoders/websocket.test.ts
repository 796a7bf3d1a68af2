import { describe, expect, it } from 'vitest';
import { decodeStream } from '../decode';
import type { DecodedTurn } from '../decoded';
import { oneChunk, readJsonFixture, seededRandom, syntheticFixtures } from '../test-fixtures';
import {
  decodeWebSocketFrames,
  decodeWebSocketTurns,
  splitWebSocketFrames,
  type WebSocketFrame,
} from './websocket';

const fixtures = syntheticFixtures();
const fixture = (letter: string) => {
  const fx = fixtures.find((f) => f.name.startsWith(`${letter}_`));
  if (!fx) throw new Error(`fixture ${letter} missing`);
  return fx;
};

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Cut a string into pieces at seeded random places (UTF-8 safe: cut the bytes, not the characters). */
function byteSlices(text: string, parts: number, seed: number): string[] {
  const bytes = new TextEncoder().encode(text);
  const rand = seededRandom(seed);
  const cuts = new Set<number>();
  while (cuts.size < parts - 1) cuts.add(1 + Math.floor(rand() * (bytes.length - 1)));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const out: string[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    let binary = '';
    for (const b of bytes.subarray(sorted[i], sorted[i + 1])) binary += String.fromCharCode(b);
    out.push(binary);
  }
  return out;
}

/** Azure Web PubSub messages (docs/protocol.md §5.6) carrying `sse` in `parts` base64 bodies. */
function azureFrames(
  sse: string,
  conversationId: string,
  responseId: string,
  parts = 12,
  firstSeq = 1,
): WebSocketFrame[] {
  const slices = byteSlices(sse, parts, 99);
  return slices.map((binary, i) => ({
    time: 2000 + i,
    direction: 'in' as const,
    data: JSON.stringify({
      sequenceId: firstSeq + i,
      type: 'message',
      from: 'server',
      dataType: 'json',
      data: {
        type: 'http.response.body',
        body: btoa(binary),
        more_body: i < slices.length - 1,
        response_id: responseId,
        conversation_id: conversationId,
      },
    }),
  }));
}

/** Split an SSE body into whole events, as the 2026 socket sends them (one event per encoded_item). */
function events(sse: string): string[] {
  return sse
    .split(/\n\n/)
    .filter((e) => e.length > 0)
    .map((e) => `${e}\n\n`);
}

function chatgptWsFrames(sse: string, conversationId: string, turnId: string): WebSocketFrame[] {
  return events(sse).map((item, i) => ({
    time: 3000 + i,
    data: JSON.stringify({
      type: 'message',
      topic_id: `conversation-turn-${turnId}`,
      offset: `1784872208758-${i}`,
      payload: {
        type: 'conversation-turn-stream',
        payload: {
          type: 'stream-item',
          conversation_id: conversationId,
          turn_id: turnId,
          encoded_item: item,
          stream_item_id: `item-${i}`,
          parent_stream_item_id: i > 0 ? `item-${i - 1}` : null,
          server_timestamp_ms: 1784872208745 + i,
        },
      },
    }),
  }));
}

function core(turn: DecodedTurn) {
  return {
    text: turn.text,
    assistantMessageId: turn.assistantMessageId,
    conversationId: turn.conversationId,
    status: turn.status,
    titles: turn.titles,
    streamComplete: turn.streamComplete,
    labels: turn.events.map((e) => e.label),
  };
}

describe('Azure Web PubSub delivery (2024)', () => {
  const a = fixture('a');

  it('decodes fixture a, base64-wrapped in socket messages, to its expected text', () => {
    const frames = azureFrames(a.sse, a.expected.conversation_id, '84f29a22d9ac8c4b-EWR');
    const turn = decodeWebSocketFrames(frames);
    expect(turn.format).toBe('legacy');
    expect(turn.text).toBe(a.expected.final_text);
    expect(turn.assistantMessageId).toBe(a.expected.assistant_message_id);
    expect(turn.conversationId).toBe(a.expected.conversation_id);
    expect(turn.responseId).toBe('84f29a22d9ac8c4b-EWR');
    expect(turn.streamComplete).toBe(true);
    expect(turn.incomplete).toBe(false);
    expect(core(turn)).toEqual(core(decodeStream(oneChunk(a.sse))));
    // Event times are the arrival times of the socket messages.
    expect(turn.events.every((e) => e.time >= 2000 && e.time < 2012)).toBe(true);
  });

  it('skips system messages, client frames, redeliveries and other conversations', () => {
    const mine = azureFrames(a.sse, a.expected.conversation_id, 'r1');
    const other = azureFrames(fixture('d').sse, 'someone-else', 'r2', 4, 100);
    const frames: WebSocketFrame[] = [
      { time: 1, data: '{"type":"system","event":"connected","userId":null,"connectionId":"x"}' },
      ...mine.slice(0, 5),
      mine[3] as WebSocketFrame,
      { time: 2, direction: 'out', data: '{"type":"sequenceAck","sequenceId":4}' },
      ...other,
      ...mine.slice(5),
      { time: 3, data: 'not json' },
    ];
    const turn = decodeWebSocketFrames(frames, { conversationId: a.expected.conversation_id });
    expect(turn.text).toBe(a.expected.final_text);
    const { streams, skipped } = splitWebSocketFrames(frames);
    expect(streams.map((s) => [s.conversationId, s.responseId, s.ended])).toEqual([
      [a.expected.conversation_id, 'r1', true],
      ['someone-else', 'r2', true],
    ]);
    expect(skipped.map((s) => s.reason)).toEqual([
      'no sequenceId (Azure system message)',
      'duplicate sequenceId 4',
      'client frame',
      'not JSON',
    ]);
    expect(decodeWebSocketTurns(frames).map((t) => t.assistantMessageId)).toEqual([
      a.expected.assistant_message_id,
      fixture('d').expected.assistant_message_id,
    ]);
  });

  it('reassembles a character split across two messages', () => {
    const sse = `data: ${JSON.stringify({ message: { id: 'x', author: { role: 'assistant' }, content: { content_type: 'text', parts: ['caf\u00e9 \ud83d\ude0a'] }, status: 'finished_successfully', recipient: 'all' }, conversation_id: 'c' })}\n\ndata: [DONE]\n\n`;
    // Raw UTF-8 on the wire this time (no \u escapes), cut inside the emoji.
    const raw = sse.replace('caf\\u00e9 \\ud83d\\ude0a', 'caf\u00e9 \ud83d\ude0a');
    const bytes = new TextEncoder().encode(raw);
    const cut = bytes.indexOf(0xf0) + 2;
    const frames = [bytes.subarray(0, cut), bytes.subarray(cut)].map((part, i) => {
      let binary = '';
      for (const b of part) binary += String.fromCharCode(b);
      return {
        time: i,
        data: JSON.stringify({
          sequenceId: i + 1,
          type: 'message',
          data: {
            type: 'http.response.body',
            body: btoa(binary),
            more_body: i === 0,
            response_id: 'r',
            conversation_id: 'c',
          },
        }),
      };
    });
    expect(decodeWebSocketFrames(frames).text).toBe('caf\u00e9 \ud83d\ude0a');
    expect(base64('é')).toBe('w6k=');
  });
});

describe('ws.chatgpt.com stream items (2026)', () => {
  const c = fixture('c');

  it('decodes fixture c, one event per encoded_item, to its expected text', () => {
    const turn = decodeWebSocketFrames(chatgptWsFrames(c.sse, c.expected.conversation_id, 't1'));
    expect(turn.format).toBe('v1');
    expect(turn.text).toBe(c.expected.final_text);
    expect(turn.title).toBe(c.expected.title);
    expect(turn.assistantMessageId).toBe(c.expected.assistant_message_id);
    expect(turn.responseId).toBe('t1');
    expect(core(turn)).toEqual(core(decodeStream(oneChunk(c.sse))));
  });

  it('ignores items replayed with a stream_item_id already seen', () => {
    const frames = chatgptWsFrames(c.sse, c.expected.conversation_id, 't1');
    // A catch-up after a reconnect replays the first 20 items, then continues.
    const replayed = [...frames.slice(0, 30), ...frames.slice(0, 20), ...frames.slice(30)];
    const turn = decodeWebSocketFrames(replayed);
    expect(turn.text).toBe(c.expected.final_text);
    expect(splitWebSocketFrames(replayed).skipped).toHaveLength(20);
    // Without de-duplication the replayed appends would repeat text.
    expect(turn.events.filter((e) => e.label === 'delta')).toHaveLength(
      decodeStream(oneChunk(c.sse)).events.filter((e) => e.label === 'delta').length,
    );
  });

  it('accepts an array of server messages in one frame and an item without a trailing blank line', () => {
    const items = events(c.sse).map((e, i) => ({
      type: 'message',
      topic_id: 'conversation-turn-t',
      payload: {
        type: 'conversation-turn-stream',
        payload: {
          type: 'stream-item',
          conversation_id: 'conv',
          turn_id: 't',
          encoded_item: i % 2 ? e.trimEnd() : e,
          stream_item_id: `s${i}`,
        },
      },
    }));
    const turn = decodeWebSocketFrames([{ time: 1, data: JSON.stringify(items) }]);
    expect(turn.text).toBe(c.expected.final_text);
  });

  it('returns an empty incomplete turn when no stream matches', () => {
    const turn = decodeWebSocketFrames(chatgptWsFrames(c.sse, 'conv', 't1'), { conversationId: 'other' });
    expect(turn.conversationId).toBe('other');
    expect(turn.text).toBe('');
    expect(turn.incomplete).toBe(true);
  });
});

describe('ws.chatgpt.com turn topics: subscribe replies, done, error, heartbeats (§13)', () => {
  const FIXTURE_02 = 'real-2026/02-ws-2026-07-subscribe-reply-catchups.json';
  const real = readJsonFixture(FIXTURE_02) as WebSocketFrame[];
  const TOPIC = 'conversation-turn-f71803cb-d1bc-427d-94ca-10fee4d49d56';
  const turnMsg = (inner: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'message',
    topic_id: TOPIC,
    ...extra,
    payload: { type: 'conversation-turn-stream', payload: inner },
  });

  it('unpacks the catch-ups of the subscribe reply in order, then the live items (fixture 02)', () => {
    const turn = decodeWebSocketFrames(real);
    expect(turn.text).toBe('**Boss,** 5 + 5 = 10.');
    expect(turn.status).toBe('finished_successfully');
    expect(turn.incomplete).toBe(false);
    expect(turn.conversationId).toBe('6a1f2b3c-1111-8222-9333-444455556666');
    expect(turn.responseId).toBe('f71803cb-d1bc-427d-94ca-10fee4d49d56');
    expect(turn.events.filter((e) => e.flag !== undefined)).toEqual([]);
    expect(turn.events.at(-1)).toMatchObject({ label: 'ws-done', time: 1600 });
    // Only the client's own subscribe command is left over; the reply is not an Azure system message.
    expect(splitWebSocketFrames(real).skipped).toEqual([{ time: 1000, reason: 'client frame' }]);
  });

  it('de-duplicates live items that repeat catch-ups, by stream_item_id and by offset', () => {
    const reply = JSON.parse(real[1]?.data ?? '[]') as { reply: { catchups: Record<string, unknown>[] } }[];
    const catchups = reply[0]?.reply.catchups ?? [];
    // The server repeats the last two catch-ups live; one keeps its item id, one only its offset.
    const again = catchups.slice(-2).map((m, i) => {
      const copy = structuredClone(m) as { payload: { payload: Record<string, unknown> } };
      if (i === 0) delete copy.payload.payload.stream_item_id;
      else delete (copy as Record<string, unknown>).offset;
      return copy;
    });
    const frames: WebSocketFrame[] = [
      ...real.slice(0, 2),
      { time: 1150, data: JSON.stringify(again) },
      ...real.slice(2),
    ];
    expect(decodeWebSocketFrames(frames).text).toBe('**Boss,** 5 + 5 = 10.');
    expect(splitWebSocketFrames(frames).skipped.map((s) => s.reason)).toEqual([
      'client frame',
      'duplicate offset 1784872208758-3',
      'duplicate stream_item_id item-5',
    ]);
  });

  it('ignores heartbeats without reporting them, at either level', () => {
    const frames: WebSocketFrame[] = [
      ...real.slice(0, 3),
      { time: 1210, data: JSON.stringify([turnMsg({ type: 'heartbeat' })]) },
      {
        time: 1220,
        data: JSON.stringify({ type: 'message', topic_id: TOPIC, payload: { type: 'heartbeat' } }),
      },
      { time: 1230, data: JSON.stringify({ type: 'heartbeat' }) },
      ...real.slice(3),
    ];
    expect(splitWebSocketFrames(frames).skipped).toEqual([{ time: 1000, reason: 'client frame' }]);
    expect(decodeWebSocketFrames(frames).text).toBe('**Boss,** 5 + 5 = 10.');
  });

  it("reports a turn's error payload as the turn's error and ends the turn with it", () => {
    const frames: WebSocketFrame[] = [
      ...real.slice(0, 3),
      {
        time: 1400,
        data: JSON.stringify([
          turnMsg({ type: 'error', message: 'Something went wrong while generating the response.' }),
        ]),
      },
    ];
    const turn = decodeWebSocketFrames(frames);
    expect(turn.errors).toEqual(['Something went wrong while generating the response.']);
    expect(turn.terminator).toBe('error');
    expect(turn.incomplete).toBe(true);
    expect(turn.text).toBe('**Boss,** 5 + 5');
    expect(turn.events.at(-1)).toMatchObject({ label: 'ws-error', time: 1400 });
  });

  it('keeps a payload of another topic or an unknown turn payload type as skipped, with the reason', () => {
    const frames: WebSocketFrame[] = [
      {
        time: 1,
        data: JSON.stringify({ type: 'message', topic_id: 'presence', payload: { type: 'presence' } }),
      },
      { time: 2, data: JSON.stringify([turnMsg({ type: 'brand-new' })]) },
    ];
    expect(splitWebSocketFrames(frames).skipped.map((s) => s.reason)).toEqual([
      'topic payload "presence" is not a turn stream',
      'unknown turn stream payload type "brand-new"',
    ]);
  });
});
