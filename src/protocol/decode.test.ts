import { describe, expect, it } from 'vitest';
import { decodeBody, decodeStream, StreamDecoder } from './decode';
import type { DecodedTurn, TimedChunk } from './decoded';
import {
  oneChunk,
  REAL_SSE,
  randomChunks,
  readFixture,
  type SyntheticFixture,
  seededRandom,
  syntheticFixtures,
} from './test-fixtures';

const FIXTURES = syntheticFixtures();

function expectMatches(turn: DecodedTurn, fx: SyntheticFixture): void {
  const x = fx.expected;
  expect(turn.conversationId).toBe(x.conversation_id);
  expect(turn.assistantMessageId).toBe(x.assistant_message_id);
  if (x.user_message_id !== undefined) expect(turn.userMessageId).toBe(x.user_message_id);
  if (x.request_id !== undefined) expect(turn.requestId).toBe(x.request_id);
  if (x.turn_trace_id !== undefined) expect(turn.turnTraceId).toBe(x.turn_trace_id);
  expect(turn.text).toBe(x.final_text);
  expect(turn.status).toBe(x.final_status);
  expect(turn.streamComplete).toBe(x.stream_complete);
  expect(turn.title).toBe(x.title);
  if (x.titles_seen !== undefined) expect(turn.titles).toEqual(x.titles_seen);
  else expect(turn.titles).toEqual(x.title === null ? [] : [x.title]);
  expect(turn.model).toBe(x.model_slug);
  if (x.finish_details !== undefined) expect(turn.finishDetails).toEqual(x.finish_details);
  if (x.moderation !== undefined) {
    expect(turn.moderation).toEqual(
      x.moderation.map((m) => ({
        messageId: m.message_id,
        isCompletion: m.is_completion,
        flagged: m.flagged,
        blocked: m.blocked,
        moderationId: m.moderation_id,
      })),
    );
  }
  if (x.pings !== undefined) {
    expect(turn.events.filter((e) => e.label === 'ping').map((e) => e.data)).toEqual(x.pings);
  }
  const answer = turn.messages.find((m) => m.id === x.assistant_message_id);
  expect(answer).toBeDefined();
  if (x.end_turn !== undefined) expect(answer?.endTurn).toBe(x.end_turn);
  if (x.assistant_metadata_after_decode !== undefined) {
    expect(answer?.metadata).toMatchObject(x.assistant_metadata_after_decode);
  }
  if (x.token_count_after_decode !== undefined) {
    expect(answer?.metadata.token_count).toBe(x.token_count_after_decode);
  }
  // A turn is complete exactly when the fixture says the answer finished and the stream said so.
  expect(turn.incomplete).toBe(!(x.final_status === 'finished_successfully' && x.stream_complete));
}

describe('synthetic fixtures decode to their expected.json', () => {
  it('finds all five fixtures', () => {
    expect(FIXTURES.map((f) => f.name[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fx) => {
    const turn = decodeStream(oneChunk(fx.sse), { outcome: 'complete' });
    expectMatches(turn, fx);
    expect(turn.format).toBe(fx.name.includes('_v1_') ? 'v1' : 'legacy');
    expect(turn.unknown).toEqual([]);
    // The only flagged event a fixture may have is e's cut-off last event.
    expect(turn.events.filter((e) => e.flag).map((e) => e.label)).toEqual(
      fx.name.startsWith('e_') ? ['incomplete-event'] : [],
    );
  });

  it('e: the aborted stream keeps what arrived, marked incomplete', () => {
    const fx = FIXTURES.find((f) => f.name.startsWith('e_'));
    const turn = decodeStream(oneChunk(fx?.sse ?? ''), { aborted: true });
    expect(turn.incomplete).toBe(true);
    expect(turn.terminator).toBe('aborted');
    expect(turn.text.endsWith('27 leap')).toBe(true);
    expect(turn.events.at(-1)?.data).toContain('seconds have been add');
  });

  it('c: ends at message_stream_complete without [DONE]', () => {
    const fx = FIXTURES.find((f) => f.name.startsWith('c_'));
    const turn = decodeStream(oneChunk(fx?.sse ?? ''));
    expect(turn.terminator).toBe('message_stream_complete');
    expect(turn.events.some((e) => e.label === 'done')).toBe(false);
  });

  it('b: the final frame that repeats the text is not counted as new content', () => {
    const fx = FIXTURES.find((f) => f.name.startsWith('b_'));
    const turn = decodeStream(oneChunk(fx?.sse ?? ''));
    const snapshots = turn.events.filter((e) => e.label === 'snapshot');
    expect(snapshots.at(-1)?.content).toBe(false);
    expect(snapshots.at(-2)?.content).toBe(true);
  });
});

describe('the real 2026-03-12 guest capture', () => {
  const sse = readFixture(REAL_SSE);

  it('decodes to the text, ids, status and model given in the README', () => {
    const turn = decodeStream(oneChunk(sse), { outcome: 'complete' });
    expect(turn.format).toBe('v1');
    expect(turn.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
    expect(turn.assistantMessageId).toBe('c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216');
    expect(turn.status).toBe('finished_successfully');
    expect(turn.model).toBe('gpt-5-3');
    expect(turn.text).toBe(
      JSON.parse('"\\u2705 Test received loud and clear!  \\n\\nHow can I help you today? \\ud83d\\ude0a"'),
    );
    expect(turn.userMessageId).toBe('5cce7ee2-fca3-4677-8497-7da8e4db4c4b');
    expect(turn.requestId).toBe('6a899a17-ffbb-4a0d-baa9-909b9f6ba538');
    expect(turn.title).toBeNull();
    expect(turn.streamComplete).toBe(true);
    expect(turn.terminator).toBe('[DONE]');
    expect(turn.incomplete).toBe(false);
    expect(turn.events.map((e) => e.label)).toEqual([
      'delta_encoding',
      'resume_conversation_token',
      'delta',
      'delta',
      'delta',
      'input_message',
      'delta',
      'message_marker',
      'delta',
      'delta',
      'delta',
      'delta',
      'delta',
      'server_ste_metadata',
      'message_stream_complete',
      'conversation_detail_metadata',
      'done',
    ]);
    // The five text frames are the content events (count_tokens in lat/r counts the same thing,
    // docs/protocol.md §3.6).
    expect(turn.events.filter((e) => e.content)).toHaveLength(5);
  });
});

/** What must not depend on how the body was cut into chunks. */
function essence(turn: DecodedTurn) {
  return {
    format: turn.format,
    conversationId: turn.conversationId,
    userMessageId: turn.userMessageId,
    assistantMessageId: turn.assistantMessageId,
    text: turn.text,
    status: turn.status,
    model: turn.model,
    finishDetails: turn.finishDetails,
    title: turn.title,
    titles: turn.titles,
    moderation: turn.moderation,
    errors: turn.errors,
    streamComplete: turn.streamComplete,
    terminator: turn.terminator,
    incomplete: turn.incomplete,
    // Like event times, message and phase times depend on which chunk completed an event; they are
    // checked against the chunks in timesAreChunkTimes instead.
    messages: turn.messages.map(({ seenTime, firstContentTime, lastContentTime, ...m }) => m),
    toolCalls: turn.phases?.toolCalls.map(({ start, end, ...t }) => t),
    unknown: turn.unknown,
    events: turn.events.map((e) => [e.label, e.event, e.content, e.flag, e.data]),
  };
}

/** Every message and phase time is the time of one of the turn's events, and seen ≤ first ≤ last. */
function timesAreChunkTimes(turn: DecodedTurn): void {
  const times = new Set(turn.events.map((e) => e.time));
  for (const m of turn.messages) {
    for (const t of [m.seenTime, m.firstContentTime, m.lastContentTime]) {
      if (t !== null && t !== undefined) expect(times.has(t)).toBe(true);
    }
    if (m.firstContentTime != null) {
      expect(m.seenTime ?? 0).toBeLessThanOrEqual(m.firstContentTime);
      expect(m.firstContentTime).toBeLessThanOrEqual(m.lastContentTime ?? 0);
    }
  }
  const p = turn.phases;
  for (const t of [p?.firstAnswerText, p?.answerStart, p?.answerEnd, p?.reasoningStart, p?.reasoningEnd]) {
    if (t !== null && t !== undefined) expect(times.has(t)).toBe(true);
  }
}

const ALL_BODIES: [string, string][] = [
  ...FIXTURES.map((f): [string, string] => [f.name, f.sse]),
  [REAL_SSE, readFixture(REAL_SSE)],
];

describe('chunk boundaries do not change the result (seeded fuzz)', () => {
  it.each(ALL_BODIES)('%s', (_name, sse) => {
    const reference = essence(decodeStream(oneChunk(sse), { outcome: 'complete' }));
    const rand = seededRandom(0x5eed);
    for (let i = 0; i < 150; i++) {
      const chunks = randomChunks(sse, rand);
      const turn = decodeStream(chunks, { outcome: 'complete' });
      expect(essence(turn)).toEqual(reference);
      timesAreChunkTimes(turn);
      expect(turn.phases?.firstByte).toBe(1000);
      // Every event carries the time of a chunk that exists, in arrival order.
      const times = turn.events.map((e) => e.time);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times.every((t) => t >= 1000 && t < 1000 + chunks.length)).toBe(true);
    }
  });

  it('one character per chunk also works (CRLF fixture d)', () => {
    const sse = FIXTURES.find((f) => f.name.startsWith('d_'))?.sse ?? '';
    const chunks = [...sse].map((ch, i) => ({ time: i, data: ch }));
    expect(essence(decodeStream(chunks))).toEqual(essence(decodeStream(oneChunk(sse))));
  });

  it('stamps each event with the chunk that completed it', () => {
    const sse = readFixture(REAL_SSE);
    const cut = sse.indexOf('data: [DONE]') + 3;
    const turn = decodeStream([
      { time: 1, data: sse.slice(0, cut) },
      { time: 2, data: sse.slice(cut) },
    ]);
    expect(turn.events.at(-1)?.label).toBe('done');
    expect(turn.events.at(-1)?.time).toBe(2);
    expect(turn.events.at(-2)?.time).toBe(1);
  });
});

describe('live decoding: every prefix is a valid turn', () => {
  it.each(ALL_BODIES)('%s', (_name, sse) => {
    const final = decodeStream(oneChunk(sse), { outcome: 'complete' });
    const chunks = randomChunks(sse, seededRandom(7));
    const live = new StreamDecoder();
    let previousText = '';
    for (let i = 0; i < chunks.length; i++) {
      live.push(chunks[i] as TimedChunk);
      const snap = live.snapshot();
      expect(snap.terminator === 'open' || snap.streamComplete).toBe(true);
      // Text only grows, and is always a prefix of the final answer.
      expect(final.text.startsWith(snap.text)).toBe(true);
      expect(snap.text.startsWith(previousText)).toBe(true);
      previousText = snap.text;
      if (i % 25 === 0) {
        const prefix = decodeStream(chunks.slice(0, i + 1));
        expect(final.text.startsWith(prefix.text)).toBe(true);
      }
    }
    expect(essence(live.finish({ outcome: 'complete' }))).toEqual(essence(final));
  });

  it('a snapshot handed out earlier does not change when more arrives', () => {
    const sse = readFixture(REAL_SSE);
    const live = new StreamDecoder();
    live.push({ time: 1, data: sse.slice(0, sse.indexOf('" received"')) });
    const early = live.snapshot();
    const earlyJson = JSON.stringify(early);
    live.push({ time: 2, data: sse.slice(sse.indexOf('" received"')) });
    expect(live.finish().text).toContain('received');
    expect(JSON.stringify(early)).toBe(earlyJson);
  });
});

describe('format detection and bodies that are not event streams', () => {
  it('recognises the WebSocket-era JSON answer', () => {
    const body = JSON.stringify({
      wss_url:
        'wss://fp-async-webps-prod.webpubsub.azure.com/client/hubs/conversations?access_token=[redacted]',
      conversation_id: '42a63b5b-45ad-4784-b04c-ece02246acd8',
      response_id: '84f29a22d9ac8c4b-EWR',
    });
    const turn = decodeStream([
      { time: 1, data: body.slice(0, 20) },
      { time: 2, data: body.slice(20) },
    ]);
    expect(turn.format).toBe('websocket-json');
    expect(turn.conversationId).toBe('42a63b5b-45ad-4784-b04c-ece02246acd8');
    expect(turn.responseId).toBe('84f29a22d9ac8c4b-EWR');
    expect(turn.terminator).toBe('websocket');
    expect(turn.incomplete).toBe(true);
    expect(turn.events).toEqual([{ time: 2, label: 'websocket-json', content: false, data: body }]);
  });

  it('reads an API error body', () => {
    const turn = decodeBody(
      '{"detail":"Unusual activity has been detected from your device. Try again later."}',
    );
    expect(turn.format).toBe('unknown');
    expect(turn.errors).toEqual(['Unusual activity has been detected from your device. Try again later.']);
    expect(turn.events[0]?.label).toBe('error-body');
  });

  it('keeps an HTML challenge page raw and flagged', () => {
    const html = '<!DOCTYPE html><html><title>Just a moment...</title></html>';
    const turn = decodeBody(`\n${html}`);
    expect(turn.format).toBe('unknown');
    expect(turn.unknown).toEqual([`\n${html}`]);
    expect(turn.events[0]?.flag).toBe('not an event stream');
  });

  it('keeps plain text that forms no event raw and flagged', () => {
    const turn = decodeBody('Internal Server Error');
    expect(turn.unknown).toEqual(['Internal Server Error']);
    expect(turn.events[0]?.label).toBe('raw-body');
  });

  it('leaves a stream of unknown frames unknown, kept and flagged, but reads typed frames', () => {
    const turn = decodeBody(
      'data: {"hello": 1}\n\ndata: {"type": "title_generation", "title": "T", "conversation_id": "c"}\n\n',
    );
    expect(turn.format).toBe('unknown');
    expect(turn.unknown).toEqual(['{"hello": 1}']);
    expect(turn.events.map((e) => e.flag ?? null)).toEqual(['stream format not recognised', null]);
    expect(turn.title).toBe('T');
    expect(turn.conversationId).toBe('c');
  });

  it('decodes nothing into an empty, incomplete turn', () => {
    const turn = decodeStream([]);
    expect(turn).toMatchObject({
      format: 'unknown',
      text: '',
      events: [],
      incomplete: true,
      terminator: 'end-of-body',
    });
    expect(decodeStream([{ time: 1, data: '  \n' }]).events).toEqual([]);
  });

  it('reports the recorded outcome as the terminator when the stream did not say', () => {
    const sse =
      'data: {"message": {"id": "a", "author": {"role": "assistant"}, "content": {"content_type": "text", "parts": ["x"]}, "status": "in_progress", "recipient": "all"}}\n\n';
    expect(decodeBody(sse, 0, { outcome: 'error' }).terminator).toBe('error');
    expect(decodeBody(sse, 0, { aborted: true }).terminator).toBe('aborted');
    expect(decodeBody(sse).terminator).toBe('end-of-body');
    const live = new StreamDecoder();
    live.push({ time: 0, data: sse });
    expect(live.snapshot().terminator).toBe('open');
  });

  it('keeps comments as timeline marks', () => {
    const turn = decodeBody(': keep-alive\n\nevent: delta_encoding\ndata: "v1"\n\n');
    expect(turn.events.map((e) => [e.label, e.data])).toEqual([
      ['comment', 'keep-alive'],
      ['delta_encoding', '"v1"'],
    ]);
  });
});

/** xorshift-style garbage: frames of random printable junk, broken JSON and deep nesting. */
function garbage(rand: () => number): string {
  const pieces = [
    'data: {"v": [{"p": "/message/x", "o": "truncate", "v": 3}]}\n\n',
    'data: {"p": "/message/content/parts/9/x", "o": "remove"}\n\n',
    'data: {"p": "", "o": "patch", "v": {"not": "an array"}}\n\n',
    'event: delta\ndata: {"o": "append", "c": -1, "v": 1}\n\n',
    'event: delta\ndata: {"o": "add", "p": "/a", "v": 1, "c": 1e400}\n\n',
    `event: delta\ndata: ${'['.repeat(5000)}${']'.repeat(5000)}\n\n`,
    `data: ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}\n\n`,
    'data: {"message": {"id": 5}}\n\n',
    'data: {"message": {"id": "m", "author": null, "content": null}}\n\n',
    'data: {"type": 7}\n\n',
    'data: {"type": "input_message", "input_message": null}\n\n',
    'data: {"moderation_response": null}\n\n',
    'data: null\n\n',
    'data: "v1"\n\n',
    'event: delta_encoding\ndata: "v1"\n\n',
    'data: [DONE]\n\n',
    'retry: x\nid: \u0000\n\n',
    'data: {"p": "/__proto__/polluted", "o": "add", "v": true}\n\n',
    'data: {"p": "/constructor/prototype/polluted", "o": "replace", "v": true}\n\n',
    '\r\r\n\n\r',
    'data: {"broken": \n\n',
  ];
  let out = '';
  const n = 5 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.15) {
      let junk = '';
      const len = Math.floor(rand() * 80);
      for (let j = 0; j < len; j++) junk += String.fromCharCode(9 + Math.floor(rand() * 118));
      out += junk;
    } else {
      out += pieces[Math.floor(rand() * pieces.length)];
    }
  }
  return out;
}

describe('malformed input never throws', () => {
  it('survives seeded garbage streams, cut anywhere', () => {
    const rand = seededRandom(1234);
    for (let i = 0; i < 300; i++) {
      const text = garbage(rand);
      const start =
        rand() < 0.5 ? 'event: delta_encoding\ndata: "v1"\n\n' : 'data: {"message": {"id": "m"}}\n\n';
      const body = start + text;
      expect(() => decodeStream(randomChunks(body, rand))).not.toThrow();
      expect(() => decodeStream(randomChunks(text, rand), { aborted: true })).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('flags truncate and remove on missing paths in a real stream and still decodes the answer', () => {
    const sse = readFixture(REAL_SSE).replace(
      'data: [DONE]',
      'event: delta\ndata: {"p": "/message/nothing", "o": "truncate", "v": 1}\n\n' +
        'event: delta\ndata: {"p": "/message/nothing", "o": "remove"}\n\ndata: [DONE]',
    );
    const turn = decodeBody(sse);
    const flagged = turn.events.filter((e) => e.flag);
    expect(flagged.map((e) => e.flag)).toEqual([
      'truncate of a missing member at /message/nothing',
      'path not found: /message/nothing',
    ]);
    expect(turn.text).toContain('Test received loud and clear');
  });
});

describe('speed', () => {
  // Size, not time: a quadratic step would run into the test timeout; speed is measured by `npm run bench`.
  it('decodes a 5 MB v1 stream whole', () => {
    const head =
      'event: delta_encoding\ndata: "v1"\n\n' +
      'event: delta\ndata: {"p": "", "o": "add", "v": {"message": {"id": "a", "author": {"role": "assistant"}, "content": {"content_type": "text", "parts": [""]}, "status": "in_progress", "metadata": {}, "recipient": "all", "channel": "final"}, "conversation_id": "c"}, "c": 0}\n\n' +
      'event: delta\ndata: {"o": "patch", "v": [{"p": "/message/content/parts/0", "o": "append", "v": "x"}]}\n\n';
    const frame =
      'event: delta\ndata: {"v": [{"p": "/message/content/parts/0", "o": "append", "v": "word "}, {"p": "/message/metadata/token_count", "o": "replace", "v": 1}]}     \n\n';
    const count = Math.ceil((5 * 1024 * 1024) / frame.length);
    const body = `${head}${frame.repeat(count)}data: [DONE]\n\n`;
    const chunks: TimedChunk[] = [];
    for (let i = 0; i < body.length; i += 4096) chunks.push({ time: i, data: body.slice(i, i + 4096) });
    const turn = decodeStream(chunks);
    expect(turn.text.length).toBe(1 + 5 * count);
    expect(turn.events.filter((e) => e.content)).toHaveLength(count + 1);
  });

  it('decodes a 5 MB legacy snapshot stream whole', () => {
    const frames: string[] = [];
    let text = '';
    let size = 0;
    while (size < 5 * 1024 * 1024) {
      text += 'word ';
      const f = `data: ${JSON.stringify({ message: { id: 'a', author: { role: 'assistant' }, content: { content_type: 'text', parts: [text] }, status: 'in_progress', recipient: 'all' }, conversation_id: 'c', error: null })}\n\n`;
      frames.push(f);
      size += f.length;
    }
    const body = `${frames.join('')}data: [DONE]\n\n`;
    const turn = decodeBody(body);
    expect(turn.text).toBe(text);
  });
});
