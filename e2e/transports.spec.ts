import { decodeStream, decodeWebSocketFrames } from '../src/protocol';
import { joinBody } from '../src/store/call-facts';
import { readFixture } from '../test/fixtures';
import { type Flow, makeCanaries, realFlow2026, seedFlow } from '../test/flows';
import { expect, type StoredWithChunks, test, until } from './fixtures';

const expected = (name: string) =>
  JSON.parse(readFixture(`synthetic/${name}.expected.json`)) as { final_text: string };
const REAL_TEXT = '\u2705 Test received loud and clear!  \n\nHow can I help you today? \ud83d\ude0a';

async function finished(stored: () => Promise<StoredWithChunks[]>, pick: (c: StoredWithChunks) => boolean) {
  return until(async () => {
    const c = (await stored()).filter(pick);
    return c.length && c.every((x) => x.outcome && x.chunks.length === x.chunkCount) ? c : null;
  }, 'finished calls');
}

test('decodes the stored delta-v1 stream split into tiny chunks and a legacy stream to the exact reply', async ({
  play,
  stored,
}) => {
  const k = makeCanaries();
  const v1 = realFlow2026(k, { chunkBytes: 23, delayMs: 2 });
  v1.steps = v1.steps.slice(0, 1);
  await play(v1);
  const seed = seedFlow(k);
  const legacy: Flow = {
    ...seed,
    steps: seed.steps.filter((s) => s.request.url.endsWith('/conversation')).slice(1),
  };
  await play(legacy);

  const convs = await finished(stored, (c) => c.kind === 'conversation');
  expect(convs).toHaveLength(2);
  const [a, b] = convs.sort((x, y) => x.startTime - y.startTime);
  // Many small reads, each stamped; UTF-8 split mid-character still decodes.
  expect(a!.chunks.length).toBeGreaterThan(300);
  const v1Turn = decodeStream(a!.chunks);
  expect(v1Turn.format).toBe('v1');
  expect(v1Turn.text).toBe(REAL_TEXT);
  expect(v1Turn.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
  expect(v1Turn.streamComplete).toBe(true);
  const legacyTurn = decodeStream(b!.chunks);
  expect(legacyTurn.format).toBe('legacy');
  expect(legacyTurn.text).toBe(expected('b_2023-12_legacy_continuation').final_text);
});

test('records XHR streams and sendBeacon through the same pipeline', async ({ play, stored, context }) => {
  const seed = seedFlow(makeCanaries());
  const conv = seed.steps.find((s) => s.request.url.endsWith('/conversation'))!;
  const flow: Flow = {
    ...seed,
    steps: [
      { ...conv, request: { ...conv.request, via: 'xhr' } },
      {
        request: {
          method: 'POST',
          url: 'https://chatgpt.com/ces/v1/t',
          headers: [],
          body: '{"event":"hidden"}',
          via: 'beacon',
        },
        response: { status: 200, headers: [], body: '{"success":true}' },
      },
    ],
  };
  const { results } = await play(flow);
  expect(results[0]!.status).toBe(200);
  const [xhr] = await finished(stored, (c) => c.transport === 'xhr');
  expect(xhr!.kind).toBe('conversation');
  expect(xhr!.requestHeaders).toContainEqual(['authorization', 'Bearer [redacted]']);
  expect(joinBody(xhr!.chunks)).toBe(conv.response.body);
  expect(decodeStream(xhr!.chunks).text).toBe(expected('a_2023-12_legacy_new-conversation').final_text);
  // One XHR object used twice: two calls, each with only its own response.
  const page = (await context.pages()).find((p) => p.url().startsWith('https://chat.openai.com'))!;
  const texts = await page.evaluate(async () => {
    const x = new XMLHttpRequest();
    const get = (q: string) =>
      new Promise<string>((resolve) => {
        x.open('GET', `/backend-api/me?${q}`);
        x.onloadend = () => resolve(x.responseText);
        x.send();
      });
    return [await get('reuse=1'), await get('reuse=2')];
  });
  expect(texts).toEqual(['{"detail":"Not found"}', '{"detail":"Not found"}']);
  const reused = await finished(stored, (c) => c.url.includes('reuse='));
  expect(reused).toHaveLength(2);
  for (const c of reused) {
    expect(c.status).toBe(404);
    expect(joinBody(c.chunks)).toBe('{"detail":"Not found"}');
  }
  const [beacon] = await finished(stored, (c) => c.transport === 'beacon');
  expect(beacon).toMatchObject({
    kind: 'ces',
    method: 'POST',
    requestBody: '{"event":"hidden"}',
    outcome: 'complete',
  });
});

test('"Stop generating": an aborted stream keeps what arrived and is flagged incomplete', async ({
  play,
  stored,
}) => {
  const flow = realFlow2026(makeCanaries(), { chunkBytes: 150, delayMs: 100 });
  flow.steps = flow.steps.slice(0, 1);
  flow.steps[0]!.request.abortAfterMs = 1500;
  const { results } = await play(flow);
  expect(results[0]!.error).toBe('AbortError');
  const [conv] = await finished(stored, (c) => c.kind === 'conversation');
  expect(conv!.outcome).toBe('aborted');
  expect(conv!.chunks.length).toBeGreaterThan(3);
  const turn = decodeStream(conv!.chunks, { aborted: true });
  expect(turn.incomplete).toBe(true);
  expect(turn.conversationId).toBe('69b2d0ea-1970-83e8-95a6-1d5d1d85117e');
});

test('a connection lost mid-stream is recorded as a network error, keeping what arrived', async ({
  play,
  stored,
}) => {
  const flow = realFlow2026(makeCanaries(), { chunkBytes: 300, delayMs: 20, dropAfterChunks: 8 });
  flow.steps = flow.steps.slice(0, 1);
  const { results } = await play(flow);
  expect(results[0]!.error).toBe('TypeError');
  const [conv] = await finished(stored, (c) => c.kind === 'conversation');
  expect(conv!.outcome).toBe('error');
  expect(conv!.error).toBeTruthy();
  expect(conv!.bodyBytes).toBe(8 * 300);
  // Everything that arrived, including the last line cut in the middle (the body is ASCII: bytes = chars).
  const arrived = flow.steps[0]!.response.body!.slice(0, 8 * 300);
  expect(joinBody(conv!.chunks)).toBe(arrived.replace(/ey[^"]+/, '[redacted]'));
  const turn = decodeStream(conv!.chunks, { outcome: 'error' });
  expect(turn.incomplete).toBe(true);
});

test('records WebSocket frames (2024 Azure Web PubSub delivery) and decodes them like SSE', async ({
  context,
  fake,
  stored,
}) => {
  const sse = readFixture('synthetic/a_2023-12_legacy_new-conversation.sse');
  const conversationId = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
  const pieces = sse.split(/(?<=\n\n)/);
  fake.socketFrames = [
    JSON.stringify({ type: 'system', event: 'connected', userId: null, connectionId: 'c1' }),
    ...pieces.map((p, i) =>
      JSON.stringify({
        sequenceId: i + 1,
        type: 'message',
        from: 'server',
        dataType: 'json',
        data: {
          type: 'http.response.body',
          body: Buffer.from(p).toString('base64'),
          more_body: i < pieces.length - 1,
          response_id: '84f29a22d9ac8c4b-EWR',
          conversation_id: conversationId,
        },
      }),
    ),
  ];
  const page = await context.newPage();
  await page.goto('https://chat.openai.com/');
  const received = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(
          'wss://chat.openai.com/client/hubs/conversations?access_token=SECRETSOCKET',
          ['json.reliable.webpubsub.azure.v1'],
        );
        let n = 0;
        ws.onmessage = (e) => {
          n++;
          const seq = JSON.parse(e.data as string).sequenceId;
          if (seq) ws.send(JSON.stringify({ type: 'sequenceAck', sequenceId: seq }));
        };
        ws.onclose = () => resolve(n);
      }),
  );
  expect(received).toBe(fake.socketFrames.length);
  const [socket] = await finished(stored, (c) => c.transport === 'websocket');
  expect(socket!.kind).toBe('websocket');
  expect(socket!.url).toBe('wss://chat.openai.com/client/hubs/conversations?access_token=[redacted]');
  expect(socket!.status).toBe(101);
  const inbound = socket!.chunks.filter((c) => c.direction === 'in');
  expect(inbound.map((c) => c.data)).toEqual(fake.socketFrames);
  expect(socket!.chunks.some((c) => c.direction === 'out' && c.data.includes('sequenceAck'))).toBe(true);
  const turn = decodeWebSocketFrames(
    socket!.chunks.map((c) => ({
      time: c.time,
      data: c.data,
      ...(c.direction ? { direction: c.direction } : {}),
    })),
  );
  expect(turn.text).toBe(expected('a_2023-12_legacy_new-conversation').final_text);
  expect(JSON.stringify(await stored())).not.toContain('SECRETSOCKET');
});
