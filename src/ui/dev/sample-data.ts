/**
 * Synthetic captures in the stored shape, generated in the browser or in Node (no fixtures, no fs): the dev
 * preview's data, the mock client's default content, and the benchmark's 1,000 conversations / 100,000
 * calls. Conversations look like ChatGPT's (2023 legacy snapshots on chat.openai.com with gen_title, or
 * 2026 delta-encoding v1 on chatgpt.com with the title in the stream), with telemetry, sentinel, lat/r and
 * the sidebar refresh around each send. Deterministic for a given seed.
 */
import { seededRandom } from '../../random';
import type { StoredCall, StoredChunk } from '../../store/schema';

export interface SampleOptions {
  conversations: number;
  /** Turns of conversation i (default 1–4). */
  turns?: (i: number) => number;
  /** ces/statsig calls after each send (default 3). */
  telemetryPerTurn?: number;
  /** Text updates per answer (default 12). */
  eventsPerReply?: number;
  /** Time of the first conversation (default 2026-03-12 09:00 UTC). */
  startTime?: number;
  /** Time between the starts of two conversations (default 7 minutes). */
  spacingMs?: number;
  seed?: number;
  style?: 'legacy' | 'v1' | 'mixed';
  /** Leave the last conversation's last answer streaming (no end, part of its chunks). */
  live?: boolean;
  /** Give conversation i's second turn starter suggestions (a continuation that fails its flow check). */
  broken?: (i: number) => boolean;
  /** Prefix of ids (several samples in one store). */
  prefix?: string;
}

export interface Sample {
  calls: StoredCall[];
  chunks: StoredChunk[];
  /** Conversation ids in the order generated. */
  conversationIds: string[];
}

const TOPICS = [
  'the Roman Empire',
  'houseplants',
  'sourdough bread',
  'black holes',
  'TypeScript generics',
  'the French Revolution',
  'marathon training',
  'IndexedDB transactions',
  'coral reefs',
  'jazz harmony',
  'HTTP/2 streams',
  'chess openings',
];
const ASKS = [
  'Tell me a fun fact about',
  'Explain in simple terms',
  'Give me three quick tips on',
  'What is often misunderstood about',
  'Write a short poem about',
];
const WORDS =
  'the a of and to in is that it was for on are as with they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know'.split(
    ' ',
  );

export function generateSample(opts: SampleOptions): Sample {
  const r = seededRandom(opts.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const prefix = opts.prefix ?? 's';
  const calls: StoredCall[] = [];
  const chunks: StoredChunk[] = [];
  const conversationIds: string[] = [];
  const spacing = opts.spacingMs ?? 7 * 60_000;
  const base = opts.startTime ?? Date.parse('2026-03-12T09:00:00Z');
  const perTurnTelemetry = opts.telemetryPerTurn ?? 3;
  const events = opts.eventsPerReply ?? 12;
  let seq = 0;
  const nextId = () => `${prefix}${(seq++).toString(36)}`;

  for (let ci = 0; ci < opts.conversations; ci++) {
    const style = opts.style === 'mixed' || !opts.style ? (ci % 3 === 0 ? 'legacy' : 'v1') : opts.style;
    const legacy = style === 'legacy';
    const origin = legacy ? 'https://chat.openai.com' : 'https://chatgpt.com';
    const api = `${origin}/backend-api`;
    const convId = uuid();
    conversationIds.push(convId);
    const pageSessionId = `${prefix}page-${ci}`;
    const topic = pick(TOPICS);
    const title = `${topic.replace(/^the /, '').replace(/^./, (c) => c.toUpperCase())} ${pick(['Facts', 'Basics', 'Tips', 'Overview', 'Questions'])}`;
    const turnCount = opts.turns ? opts.turns(ci) : 1 + Math.floor(r() * 4);
    const model = legacy ? 'text-davinci-002-render-sha' : 'gpt-5-3';
    let t = base + ci * spacing + Math.floor(r() * 1000);
    let pageUrl = `${origin}/`;
    let parent = `aaa${hex(5)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const isLiveConv = opts.live === true && ci === opts.conversations - 1;

    const add = (
      spec: Partial<StoredCall> & Pick<StoredCall, 'method' | 'url' | 'kind'>,
      response: { body?: string; parts?: string[]; gapMs?: number; waitMs?: number; status?: number },
      live = false,
    ): StoredCall => {
      const callId = nextId();
      const startTime = t;
      const headersTime = startTime + (response.waitMs ?? 40 + Math.floor(r() * 120));
      const parts = response.parts ?? (response.body !== undefined ? [response.body] : []);
      const shown = live ? parts.slice(0, Math.max(1, Math.floor(parts.length / 2))) : parts;
      let ct = headersTime;
      let bytes = 0;
      shown.forEach((data, i) => {
        ct += i === 0 ? 5 : (response.gapMs ?? 30) + Math.floor(r() * 25);
        bytes += data.length;
        chunks.push({ callId, seq: i, time: ct, bytes: data.length, data });
      });
      const call: StoredCall = {
        callId,
        pageSessionId,
        tabId: 1,
        transport: 'fetch',
        pageUrl,
        conversationId: null,
        requestHeaders: [
          ['content-type', 'application/json'],
          ['authorization', 'Bearer [redacted]'],
          ['oai-language', 'en-US'],
        ],
        requestBody: null,
        requestBodyEncoding: 'text',
        requestTruncated: false,
        startTime,
        status: response.status ?? 200,
        statusText: 'OK',
        responseHeaders: [['content-type', 'application/json']],
        responseBodyEncoding: 'text',
        headersTime,
        ...spec,
      };
      if (shown.length > 0) {
        call.firstChunkTime = (chunks.at(-shown.length) as StoredChunk).time;
        call.lastChunkTime = ct;
      }
      if (!live) {
        call.endTime = ct + 1;
        call.outcome = 'complete';
        call.truncated = false;
        call.bodyBytes = bytes;
        call.chunkCount = shown.length;
      }
      calls.push(call);
      return call;
    };
    const json = (v: unknown) => JSON.stringify(v);

    if (legacy) {
      add(
        { method: 'GET', url: `${api}/prompt_library/?limit=4&offset=0`, kind: 'prompt_library' },
        { body: json({ items: [], total: 0, limit: 4, offset: 0 }) },
      );
      t += 120;
      add(
        { method: 'GET', url: `${api}/accounts/check/v4-2023-04-27`, kind: 'accounts_check' },
        { body: json({ accounts: {}, account_ordering: [] }) },
      );
      t += 200;
    }

    for (let ti = 0; ti < turnCount; ti++) {
      const last = ti === turnCount - 1;
      const live = isLiveConv && last;
      // Sentinel before each send (2026), as the app asks for its tokens.
      if (!legacy) {
        add(
          { method: 'POST', url: `${api}/sentinel/chat-requirements`, kind: 'sentinel' },
          { body: json({ token: '[redacted]', persona: 'chatgpt-freeaccount' }) },
        );
        t += 60;
      }
      const prompt =
        ti === 0
          ? `${pick(ASKS)} ${topic}`
          : pick(['Go on', 'How true is that?', 'Shorter please', 'Why?', 'Give an example']);
      const userId = uuid();
      const assistantId = uuid();
      const cfRay = `${hex(16)}-MBA`;
      const requestBody: Record<string, unknown> = {
        action: 'next',
        messages: [
          { id: userId, author: { role: 'user' }, content: { content_type: 'text', parts: [prompt] } },
        ],
        parent_message_id: parent,
        model,
        timezone_offset_min: -60,
      };
      if (ti > 0) requestBody.conversation_id = convId;
      if (legacy) requestBody.suggestions = ti === 0 || opts.broken?.(ci) ? ['a', 'b', 'c', 'd'] : [];
      const words = Array.from({ length: events }, (_, k) => (k === 0 ? `About ${topic}:` : pick(WORDS)));
      const parts = legacy
        ? legacyStream(convId, assistantId, model, words)
        : v1Stream(convId, assistantId, model, words, ti === 0 ? title : null);
      add(
        {
          method: 'POST',
          url: legacy ? `${api}/conversation` : `${api}/f/conversation`,
          kind: 'conversation',
          conversationId: convId,
          requestBody: json(requestBody),
          responseHeaders: [
            ['content-type', 'text/event-stream; charset=utf-8'],
            ['cf-ray', cfRay],
          ],
        },
        { parts, waitMs: 300 + Math.floor(r() * 500), gapMs: 25 },
        live,
      );
      parent = assistantId;
      const send = calls.at(-1) as StoredCall;
      if (ti === 0) pageUrl = `${origin}/c/${convId}`;
      if (live) break;
      t = (send.endTime ?? t) + 20;
      add(
        {
          method: 'GET',
          url: `${api}/conversations?offset=0&limit=28&order=updated`,
          kind: 'conversations_list',
        },
        {
          body: json({
            items: [
              { id: convId, title: ti === 0 ? 'New chat' : title, create_time: new Date(t).toISOString() },
            ],
            total: 1,
            limit: 28,
            offset: 0,
          }),
        },
      );
      t += 30;
      const ttft = (send.firstChunkTime ?? send.startTime) - send.startTime;
      add(
        {
          method: 'POST',
          url: `${api}/lat/r`,
          kind: 'lat_r',
          requestBody: json(latR(cfRay, model, events, ttft, send, r)),
        },
        { body: json({ status: 'success' }) },
      );
      t += 40;
      if (legacy && ti === 0) {
        add(
          {
            method: 'POST',
            url: `${api}/conversation/gen_title/${convId}`,
            kind: 'gen_title',
            conversationId: convId,
            requestBody: json({ message_id: assistantId }),
          },
          { body: json({ title }), waitMs: 400 + Math.floor(r() * 400) },
        );
        t += 50;
      }
      for (let k = 0; k < perTurnTelemetry; k++) {
        const statsig = k % 3 === 2;
        add(
          statsig
            ? {
                method: 'POST',
                url: 'https://ab.chatgpt.com/v1/rgstr?k=client-x&st=javascript-client&sv=3',
                kind: 'statsig',
                requestBody: json({ events: [{ eventName: 'statsig::diagnostics', time: t }] }),
              }
            : {
                method: 'POST',
                url: `${origin}/ces/v1/${legacy ? 'b' : 't'}`,
                kind: 'ces',
                requestBody: json(
                  legacy
                    ? { batch: [{ event: 'Send Message', type: 'track', properties: {} }] }
                    : { event: 'Send Message', type: 'track', properties: {} },
                ),
                requestHeaders: [['content-type', 'text/plain']],
              },
          { body: json({ success: true }), waitMs: 30 + Math.floor(r() * 60) },
        );
        t += 15 + Math.floor(r() * 40);
      }
      // The user reads, then types the next prompt.
      t += 8_000 + Math.floor(r() * 40_000);
    }
  }
  return { calls, chunks, conversationIds };
}

function latR(
  cfRay: string,
  model: string,
  count: number,
  ttft: number,
  send: StoredCall,
  r: () => number,
): Record<string, unknown> {
  // The app's own numbers differ a little from what the recorder sees (it measures inside the page).
  const jitter = () => (r() - 0.5) * 20;
  return {
    server_request_id: cfRay,
    model,
    preflight_time_ms: 4 + r() * 3,
    count_tokens: count,
    ts_first_token_ms: Math.max(1, ttft + jitter()),
    ts_max_token_time_ms: 60 + r() * 40,
    ts_mean_token_without_first_ms: 30 + r() * 10,
    ts_median_token_without_first_ms: 31 + r() * 8,
    ts_min_token_time_ms: 0.1,
    ts_p95_token_without_first_ms: 48 + r() * 6,
    ts_p99_token_without_first_ms: 52 + r() * 8,
    ts_std_dev_token_ms: 8,
    ts_total_request_ms: (send.endTime ?? send.startTime) - send.startTime + jitter(),
  };
}

const sse = (data: string, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;

/** 2023 legacy snapshots: every frame repeats the whole text so far. */
function legacyStream(convId: string, assistantId: string, model: string, words: string[]): string[] {
  const frames: string[] = [];
  let text = '';
  const frame = (status: string) =>
    sse(
      JSON.stringify({
        message: {
          id: assistantId,
          author: { role: 'assistant', name: null, metadata: {} },
          content: { content_type: 'text', parts: [text] },
          status,
          end_turn: status === 'finished_successfully' ? true : null,
          weight: 1,
          metadata: { model_slug: model },
          recipient: 'all',
        },
        conversation_id: convId,
        error: null,
      }),
    );
  for (const w of words) {
    text += (text ? ' ' : '') + w;
    frames.push(frame('in_progress'));
  }
  frames.push(frame('finished_successfully'));
  frames.push(sse('[DONE]'));
  return frames;
}

/** 2026 delta encoding v1: a root, then appended text, the title frame, and the completion markers. */
function v1Stream(
  convId: string,
  assistantId: string,
  model: string,
  words: string[],
  title: string | null,
): string[] {
  const frames: string[] = [sse('"v1"', 'delta_encoding')];
  frames.push(
    sse(
      JSON.stringify({
        p: '',
        o: 'add',
        v: {
          message: {
            id: assistantId,
            author: { role: 'assistant', name: null, metadata: {} },
            content: { content_type: 'text', parts: [''] },
            status: 'in_progress',
            end_turn: null,
            weight: 1,
            metadata: { model_slug: model, resolved_model_slug: model },
            recipient: 'all',
            channel: null,
          },
          conversation_id: convId,
          error: null,
        },
        c: 0,
      }),
      'delta',
    ),
  );
  words.forEach((w, i) => {
    const v = i === 0 ? w : ` ${w}`;
    frames.push(
      sse(JSON.stringify(i === 0 ? { p: '/message/content/parts/0', o: 'append', v } : { v }), 'delta'),
    );
    if (title && i === Math.floor(words.length / 2))
      frames.push(sse(JSON.stringify({ type: 'title_generation', title, conversation_id: convId })));
  });
  frames.push(
    sse(
      JSON.stringify({
        p: '',
        o: 'patch',
        v: [
          { p: '/message/status', o: 'replace', v: 'finished_successfully' },
          { p: '/message/end_turn', o: 'replace', v: true },
        ],
      }),
      'delta',
    ),
  );
  frames.push(sse(JSON.stringify({ type: 'message_stream_complete', conversation_id: convId })));
  frames.push(sse('[DONE]'));
  return frames;
}
