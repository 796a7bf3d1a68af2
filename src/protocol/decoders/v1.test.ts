import { describe, expect, it } from 'vitest';
import { decodeStream } from '../decode';
import { type DecodedTurn, decodedTurn } from '../decoded';
import { readFixture } from '../test-fixtures';

const FIXTURE_06 = 'real-2026/06-v1-2026-02-thinking-preamble-commentary-then-stop.sse';
const FIXTURE_07 = 'real-2026/07-v1-2026-05-reasoning-thoughts-append-array.sse';

type Frame = [event: string | null, data: unknown];

/** Build a v1 body: `["delta", {...}]` → `event: delta\ndata: {...}\n\n`; strings are sent as-is. */
function body(frames: Frame[], declare = true): string {
  const head = declare ? 'event: delta_encoding\ndata: "v1"\n\n' : '';
  return (
    head +
    frames
      .map(
        ([event, data]) =>
          `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
      )
      .join('')
  );
}

function decode(frames: Frame[], declare = true): DecodedTurn {
  return decodeStream([{ time: 5, data: body(frames, declare) }], { outcome: 'complete' });
}

const CONV = '69b2d0ea-1970-83e8-95a6-1d5d1d85117e';

function root(id: string, role: string, extra: Record<string, unknown> = {}) {
  return {
    message: {
      id,
      author: { role, name: null, metadata: {} },
      content: { content_type: 'text', parts: [''] },
      status: role === 'assistant' ? 'in_progress' : 'finished_successfully',
      metadata: { model_slug: 'gpt-5-3' },
      recipient: 'all',
      channel: null,
      ...extra,
    },
    conversation_id: CONV,
    error: null,
  };
}

const append = (text: string) => ({ p: '/message/content/parts/0', o: 'append', v: text });
const finish = [
  { p: '/message/status', o: 'replace', v: 'finished_successfully' },
  { p: '/message/end_turn', o: 'replace', v: true },
];

describe('v1: the general rules (§6.2)', () => {
  it('bare frames inherit c, p and o; v is never inherited', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('sys', 'system'), c: 0 }],
      ['delta', { v: root('user', 'user'), c: 1 }],
      ['delta', { v: root('ans', 'assistant'), c: 2 }],
      ['delta', { o: 'patch', v: [append('Hel')] }],
      ['delta', { v: [append('lo'), ...finish] }],
      [null, { type: 'message_stream_complete', conversation_id: CONV }],
    ]);
    expect(turn.format).toBe('v1');
    expect(turn.userMessageId).toBe('user');
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('Hello');
    expect(turn.status).toBe('finished_successfully');
    expect(turn.incomplete).toBe(false);
    expect(turn.events.filter((e) => e.flag)).toEqual([]);
  });

  it('append style: an explicit path and op, then bare string frames append to it', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', append('One')],
      ['delta', { v: ' two' }],
      ['delta', { v: ' ' }],
      ['delta', { v: 'three' }],
      ['delta', { p: '', o: 'patch', v: [append('.'), ...finish] }],
    ]);
    expect(turn.text).toBe('One two three.');
    expect(turn.status).toBe('finished_successfully');
  });

  it('typed frames between deltas do not reset the inherited state', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', append('A')],
      [null, { type: 'title_generation', title: 'T', conversation_id: CONV }],
      [null, { type: 'message_marker', message_id: 'ans', marker: 'user_visible_token', event: 'first' }],
      ['delta', { v: 'B' }],
    ]);
    expect(turn.text).toBe('AB');
  });

  it('nested patch ops carry their own p and o and do not change the inherited ones', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', { p: '', o: 'patch', v: [append('x')] }],
      // Inherits p "" and o patch, not the nested op's path: so this is another patch, not an append.
      ['delta', { v: [append('y')] }],
    ]);
    expect(turn.text).toBe('xy');
    expect(turn.events.filter((e) => e.flag)).toEqual([]);
  });

  it('merges an appended metadata object into the existing one', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      [
        'delta',
        {
          o: 'patch',
          v: [
            append('Hi'),
            {
              p: '/message/metadata',
              o: 'append',
              v: { is_complete: true, finish_details: { type: 'stop' } },
            },
          ],
        },
      ],
    ]);
    const answer = turn.messages.find((m) => m.id === 'ans');
    expect(answer?.metadata).toMatchObject({ model_slug: 'gpt-5-3', is_complete: true });
    expect(turn.finishDetails).toEqual({ type: 'stop' });
    expect(turn.model).toBe('gpt-5-3');
  });

  it('keeps several messages apart by id and picks the last text answer to all', () => {
    const turn = decode([
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('call', 'assistant', { recipient: 'python', content: { content_type: 'code', text: '' } }),
          c: 0,
        },
      ],
      ['delta', { p: '/message/content/text', o: 'append', v: 'print(1)' }],
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('out', 'tool', { content: { content_type: 'execution_output', text: '1' } }),
          c: 1,
        },
      ],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 2 }],
      ['delta', { o: 'patch', v: [append('It printed 1.')] }],
    ]);
    expect(turn.messages.map((m) => [m.id, m.role, m.recipient, m.text])).toEqual([
      ['call', 'assistant', 'python', 'print(1)'],
      ['out', 'tool', 'all', '1'],
      ['ans', 'assistant', 'all', 'It printed 1.'],
    ]);
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('It printed 1.');
  });

  it('prefers the channel "final" message over a later non-final one (rule 6)', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('final', 'assistant', { channel: 'final' }), c: 0 }],
      ['delta', { o: 'patch', v: [append('answer')] }],
      ['delta', { p: '', o: 'add', v: root('note', 'assistant', { channel: 'commentary' }), c: 1 }],
      ['delta', { o: 'patch', v: [append('aside')] }],
    ]);
    expect(turn.assistantMessageId).toBe('final');
    expect(turn.text).toBe('answer');
  });

  it('never takes commentary or a thinking preamble as the answer, whatever its position (§13)', () => {
    const turn = decode([
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('pre', 'assistant', {
            channel: 'commentary',
            metadata: { is_thinking_preamble_message: true },
          }),
          c: 0,
        },
      ],
      ['delta', { o: 'patch', v: [append('I will look this up.')] }],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 1 }],
      ['delta', { o: 'patch', v: [append('Answer.')] }],
      ['delta', { p: '', o: 'add', v: root('note', 'assistant', { channel: 'commentary' }), c: 2 }],
      ['delta', { o: 'patch', v: [append('Later note.')] }],
    ]);
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('Answer.');
    // Only the final answer's text counts as content (TTFT, rate): not the preamble, not the note.
    expect(turn.events.filter((e) => e.content).map((e) => e.data)).toEqual([
      JSON.stringify({ o: 'patch', v: [append('Answer.')] }),
    ]);
  });

  it('has no answer when the stream stops before a final message (fixture 06)', () => {
    const turn = decodeStream([{ time: 1, data: readFixture(FIXTURE_06) }]);
    expect(turn.assistantMessageId).toBeNull();
    expect(turn.text).toBe('');
    expect(turn.incomplete).toBe(true);
    expect(turn.events.some((e) => e.content)).toBe(false);
    expect(turn.events.filter((e) => e.flag !== undefined)).toEqual([]);
    const preamble = turn.messages.find((m) => m.id === '50fdc9fd-f84c-4f39-88dd-f66d307ba528');
    expect(preamble?.channel).toBe('commentary');
    expect(preamble?.text).toMatch(/^I\u2019m going to \(1\) explain/);
    expect(turn.messages.map((m) => m.recipient)).toEqual(['all', 'web.run', 'all']);
    // With no answer, the model is the one the assistant's messages name.
    expect(turn.model).toBe('gpt-5-2-thinking');
  });

  it('a tool call (recipient other than all) is never the answer, even as text on channel final', () => {
    const turn = decode([
      [
        'delta',
        { p: '', o: 'add', v: root('call', 'assistant', { recipient: 'bio', channel: 'final' }), c: 0 },
      ],
      ['delta', { o: 'patch', v: [append('remember this')] }],
    ]);
    expect(turn.assistantMessageId).toBeNull();
    expect(turn.text).toBe('');
  });

  it('keeps a reasoning recap as a message but not as the answer', () => {
    const turn = decode([
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('recap', 'assistant', {
            content: { content_type: 'reasoning_recap', content: 'Thought for 3s' },
          }),
          c: 0,
        },
      ],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 1 }],
      ['delta', { o: 'patch', v: [append('42')] }],
    ]);
    expect(turn.messages.find((m) => m.id === 'recap')?.text).toBe('Thought for 3s');
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('42');
  });

  it('is complete only with finished_successfully and message_stream_complete or [DONE] (rule 7)', () => {
    const finished: Frame[] = [
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', { o: 'patch', v: [append('x'), ...finish] }],
    ];
    const noEnd = decode(finished);
    expect(noEnd.status).toBe('finished_successfully');
    expect(noEnd.streamComplete).toBe(false);
    expect(noEnd.incomplete).toBe(true);
    expect(noEnd.terminator).toBe('end-of-body');

    const withDone = decode([...finished, [null, '[DONE]']]);
    expect(withDone.incomplete).toBe(false);
    expect(withDone.terminator).toBe('[DONE]');

    const notFinished = decode([
      finished[0] as Frame,
      [null, { type: 'message_stream_complete', conversation_id: CONV }],
    ]);
    expect(notFinished.streamComplete).toBe(true);
    expect(notFinished.incomplete).toBe(true);
  });

  it('marks content only on events that added answer text', () => {
    const turn = decode([
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('user', 'user', { content: { content_type: 'text', parts: ['q'] } }),
          c: 0,
        },
      ],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 1 }],
      ['delta', { o: 'patch', v: [append('a'), { p: '/message/metadata/token_count', o: 'replace', v: 1 }] }],
      ['delta', { v: [{ p: '/message/metadata/token_count', o: 'replace', v: 2 }] }],
      ['delta', { v: [append('b')] }],
    ]);
    expect(turn.events.map((e) => `${e.label}${e.content ? '+' : ''}`)).toEqual([
      'delta_encoding',
      'delta',
      'delta',
      'delta+',
      'delta',
      'delta+',
    ]);
  });
});

describe('v1: array appends extend (docs/protocol.md §6.2 table, §11 as settled in 2026-11)', () => {
  it('reads the real-2026 reasoning turn (fixture 07): thoughts grow, later ops index them, no flags', () => {
    const turn = decodeStream([{ time: 1, data: readFixture(FIXTURE_07) }]);
    expect(turn.events.filter((e) => e.flag !== undefined)).toEqual([]);
    expect(turn.text).toBe('17 \u00d7 23 = **391**.');
    expect(turn.incomplete).toBe(false);
  });

  it('extends content_references and search_result_groups so later paths reach the new elements', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 0 }],
      ['delta', { p: '/message/metadata/content_references', o: 'append', v: [{ matched_text: 'a' }] }],
      ['delta', { p: '/message/metadata/content_references', o: 'append', v: [{ matched_text: 'b' }] }],
      [
        'delta',
        { p: '/message/metadata/content_references/1/safe_urls', o: 'append', v: ['https://x.test/'] },
      ],
      ['delta', { p: '/message/metadata/search_result_groups', o: 'append', v: [{ domain: 'x.test' }] }],
      ['delta', { p: '/message/metadata/search_result_groups/0/entries', o: 'append', v: [{ url: 'u' }] }],
      ['delta', append('done')],
    ]);
    expect(turn.events.filter((e) => e.flag !== undefined)).toEqual([]);
    const meta = turn.messages[0]?.metadata;
    expect(meta?.content_references).toEqual([
      { matched_text: 'a' },
      { matched_text: 'b', safe_urls: ['https://x.test/'] },
    ]);
    expect(meta?.search_result_groups).toEqual([{ domain: 'x.test', entries: [{ url: 'u' }] }]);
  });
});

describe('v1: typed frames (§5.4)', () => {
  it('reads ids, titles (last wins, all kept), errors and completion', () => {
    const turn = decode([
      [
        null,
        { type: 'resume_conversation_token', kind: 'topic', token: '<redacted-jwt>', conversation_id: CONV },
      ],
      [
        null,
        {
          type: 'input_message',
          input_message: { id: 'u1', metadata: { request_id: 'req', turn_trace_id: 'trace' } },
          conversation_id: CONV,
        },
      ],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      [null, { type: 'title_generation', title: 'First', conversation_id: CONV }],
      [
        null,
        {
          type: 'server_ste_metadata',
          metadata: { model_slug: 'i-mini', request_id: 'ste-req', message_id: 'sys' },
          conversation_id: CONV,
        },
      ],
      [null, { type: 'error', error: { message: 'Something went wrong' } }],
      [null, { type: 'message_stream_complete', conversation_id: CONV }],
      [null, { type: 'conversation_detail_metadata', limits_progress: [], conversation_id: CONV }],
      [null, { type: 'title_generation', title: 'Second', conversation_id: CONV }],
    ]);
    expect(turn.conversationId).toBe(CONV);
    expect(turn.userMessageId).toBe('u1');
    expect(turn.requestId).toBe('req');
    expect(turn.turnTraceId).toBe('trace');
    expect(turn.title).toBe('Second');
    expect(turn.titles).toEqual(['First', 'Second']);
    expect(turn.errors).toEqual(['Something went wrong']);
    expect(turn.streamComplete).toBe(true);
    expect(turn.terminator).toBe('message_stream_complete');
    // server_ste_metadata names a system message in the real capture; it must not move the answer.
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.model).toBe('gpt-5-3');
    expect(turn.unknown).toEqual([]);
  });

  it('falls back to server_ste_metadata for the request id and model', () => {
    const turn = decode([
      [
        null,
        {
          type: 'server_ste_metadata',
          metadata: { model_slug: 'i-mini', request_id: 'ste-req', turn_trace_id: 't' },
        },
      ],
    ]);
    expect(turn.requestId).toBe('ste-req');
    expect(turn.turnTraceId).toBe('t');
    expect(turn.model).toBe('i-mini');
  });

  it('records a stream handoff; with no answer in this body the turn stays incomplete', () => {
    const turn = decode([
      [
        null,
        {
          type: 'stream_handoff',
          conversation_id: CONV,
          turn_exchange_id: 'x',
          options: [{ type: 'subscribe_ws_topic', topic_id: 'conversation-turn-1' }],
        },
      ],
    ]);
    expect(turn.events.map((e) => e.label)).toEqual(['delta_encoding', 'stream_handoff']);
    expect(turn.assistantMessageId).toBeNull();
    expect(turn.incomplete).toBe(true);
  });

  it('recognises every 2026 typed frame with its schema: recorded, not unknown, not flagged', () => {
    const frames: Record<string, unknown>[] = [
      { type: 'conversation_async_status', conversation_id: CONV, async_status: 7 },
      {
        type: 'message_marker',
        conversation_id: CONV,
        message_id: 'ans',
        marker: 'last_token',
        event: 'last',
      },
      { type: 'title_generation', title: 'T', conversation_id: CONV },
      { type: 'server_ste_metadata', metadata: { model_slug: 'gpt-5-3' }, conversation_id: CONV },
      {
        type: 'conversation_detail_metadata',
        banner_info: null,
        blocked_features: [],
        model_limits: [],
        limits_progress: [{ feature_name: 'file_upload', remaining: 3, reset_after: 'x' }],
        default_model_slug: 'auto',
        atlas_mode_enabled: null,
        conversation_id: CONV,
      },
      {
        type: 'url_moderation',
        conversation_id: CONV,
        message_id: 'ans',
        url_moderation_result: { full_url: 'https://x.test/', is_safe: true },
      },
      { type: 'num_variants_in_stream', num_variants_in_stream: 2, display_treatment: 'skippable' },
      {
        type: 'moderation',
        conversation_id: CONV,
        message_id: 'ans',
        is_completion: true,
        moderation_response: { flagged: false, blocked: false, moderation_id: 'modr-1' },
      },
      { type: 'perf_stats', conversation_id: CONV },
      {
        type: 'stream_handoff',
        conversation_id: CONV,
        options: [{ type: 'subscribe_ws_topic', topic_id: 't' }],
      },
      { type: 'message_stream_complete', conversation_id: CONV },
    ];
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 0 }],
      ...frames.map((f): Frame => [null, f]),
    ]);
    expect(turn.unknown).toEqual([]);
    expect(turn.events.filter((e) => e.flag !== undefined)).toEqual([]);
    expect(turn.events.slice(2).map((e) => e.label)).toEqual(frames.map((f) => f.type));
    expect(turn.moderation).toEqual([
      { messageId: 'ans', isCompletion: true, flagged: false, blocked: false, moderationId: 'modr-1' },
    ]);
    expect(turn.title).toBe('T');
    expect(turn.streamComplete).toBe(true);
  });

  it('flags a known typed frame that drifted from its schema, and the not-yet-decoded item stream', () => {
    const turn = decode([
      [null, { type: 'conversation_async_status', conversation_id: CONV, async_status: 'seven' }],
      [null, { type: 'stream-item-patch', item_id: 'i1', patches: [], conversation_id: CONV }],
    ]);
    expect(turn.unknown).toEqual([]);
    expect(turn.events.map((e) => e.flag)).toEqual([
      undefined,
      'conversation_async_status does not match its schema at /async_status: Invalid input: expected number, received string',
      'stream-item-patch: item-stream frames are not decoded into messages',
    ]);
  });

  it("reads an untyped {error, error_code} frame as the turn's error (the app checks data.error first)", () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 0 }],
      ['delta', append('partial')],
      [null, { error: 'Something went wrong while generating the response.', error_code: 'internal_error' }],
    ]);
    expect(turn.errors).toEqual(['Something went wrong while generating the response.']);
    expect(turn.events.at(-1)).toMatchObject({ label: 'error' });
    expect(turn.events.at(-1)?.flag).toBeUndefined();
    expect(turn.text).toBe('partial');
  });

  it('keeps unknown typed frames in `unknown`, flagged, and carries on', () => {
    const weird = { type: 'brand_new_frame', payload: 1 };
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', append('a')],
      [null, weird],
      ['delta', { v: 'b' }],
    ]);
    expect(turn.unknown).toEqual([JSON.stringify(weird)]);
    expect(turn.events.find((e) => e.label === 'brand_new_frame')?.flag).toMatch(/unknown frame type/);
    expect(turn.text).toBe('ab');
  });

  it('decodes a legacy snapshot that appears inside a v1 stream', () => {
    const turn = decode([
      [
        null,
        {
          ...root('legacy', 'assistant', {
            status: 'finished_successfully',
            content: { content_type: 'text', parts: ['old style'] },
          }),
        },
      ],
    ]);
    expect(turn.format).toBe('v1');
    expect(turn.text).toBe('old style');
    expect(turn.events.map((e) => e.label)).toEqual(['delta_encoding', 'snapshot']);
  });
});

describe('v1: malformed frames are flagged, never thrown', () => {
  it('flags bad JSON, bad c, unknown ops and patches to missing paths, and keeps decoding', () => {
    const turn = decode([
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
      ['delta', '{"v": "broken'],
      ['delta', { c: 'zero', v: 'x' }],
      ['delta', { p: '/message/content/parts/0', o: 'splice', v: 'x' }],
      ['delta', { p: '/message/nowhere/deep', o: 'append', v: 'x' }],
      ['delta', { p: '/message/content/parts/0', o: 'append', v: 'ok' }],
      ['delta', 42],
    ]);
    const flags = turn.events.map((e) => e.flag ?? null);
    expect(flags[2]).toMatch(/bad JSON/);
    expect(flags[3]).toMatch(/not a channel number/);
    expect(flags[4]).toMatch(/unknown op "splice"/);
    expect(flags[5]).toMatch(/path not found/);
    expect(flags[6]).toBeNull();
    expect(flags[7]).toMatch(/not a JSON object/);
    expect(turn.text).toBe('ok');
  });

  it('flags a first bare frame that has no operation to inherit', () => {
    const turn = decode([['delta', { v: 'x' }]]);
    expect(turn.events[1]?.flag).toMatch(/none to inherit/);
  });

  it('treats another delta encoding as unknown: kept raw and flagged (rule 1)', () => {
    const text =
      'event: delta_encoding\ndata: "v2"\n\nevent: delta\ndata: {"p": "", "o": "add", "v": {}}\n\n';
    const turn = decodeStream([{ time: 1, data: text }]);
    expect(turn.format).toBe('unknown');
    expect(turn.events.map((e) => e.flag)).toEqual([
      'unsupported delta encoding "v2"',
      'stream format not recognised',
    ]);
    expect(turn.unknown).toHaveLength(2);
  });

  it('decodes a resumed stream that starts with deltas and no declaration', () => {
    const turn = decode(
      [
        ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 0 }],
        ['delta', append('resumed')],
      ],
      false,
    );
    expect(turn.format).toBe('v1');
    expect(turn.text).toBe('resumed');
  });
});

describe('v1: the message model — parts, content times and phases (§13)', () => {
  /** Each frame in its own chunk, 10 ms apart from t = 1000 (the declaration is chunk 0). */
  function timed(frames: Frame[]): DecodedTurn {
    const chunks = body(frames)
      .split(/(?<=\n\n)/)
      .map((data, i) => ({ time: 1000 + 10 * i, data }));
    return decodeStream(chunks, { outcome: 'complete' });
  }
  const thoughts = (extra: Record<string, unknown> = {}) =>
    root('th', 'assistant', { content: { content_type: 'thoughts', thoughts: [] }, ...extra });

  const turn = timed([
    ['delta', { p: '', o: 'add', v: thoughts(), c: 0 }], // 1010
    ['delta', { p: '/message/content/thoughts', o: 'append', v: [{ summary: 'Plan', content: '' }] }], // 1020
    ['delta', { p: '/message/content/thoughts/0/content', o: 'append', v: 'search it' }], // 1030
    [
      'delta',
      {
        p: '',
        o: 'add',
        v: root('call', 'assistant', {
          recipient: 'web.run',
          content: { content_type: 'code', text: '{"search_query":[{"q":"x"}]}' },
        }),
        c: 1,
      },
    ], // 1040
    [
      'delta',
      {
        p: '',
        o: 'add',
        v: root('res', 'tool', {
          author: { role: 'tool', name: 'web.run', metadata: {} },
          content: { content_type: 'text', parts: [''] },
          metadata: {
            search_result_groups: [
              { domain: 'x.test', entries: [{ url: 'https://x.test/a', title: 'A', snippet: 'about a' }] },
            ],
          },
        }),
        c: 2,
      },
    ], // 1050
    ['delta', { p: '/message/content/parts/0', o: 'append', v: 'results' }], // 1060
    [
      'delta',
      {
        p: '',
        o: 'add',
        v: root('recap', 'assistant', {
          content: { content_type: 'reasoning_recap', content: 'Thought for 1m 5s' },
        }),
        c: 3,
      },
    ], // 1070
    ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 4 }], // 1080
    ['delta', { p: '/message/content/parts/0', o: 'append', v: 'It is ' }], // 1090
    ['delta', { v: 'x.' }], // 1100
    [null, { type: 'message_stream_complete', conversation_id: CONV }], // 1110
  ]);

  it('gives every message its part, tool name and content', () => {
    expect(turn.messages.map((m) => [m.id, m.part, m.tool ?? null])).toEqual([
      ['th', 'reasoning', null],
      ['call', 'tool_call', 'web.run'],
      ['res', 'tool_result', 'web.run'],
      ['recap', 'reasoning', null],
      ['ans', 'answer', null],
    ]);
    const byId = new Map(turn.messages.map((m) => [m.id, m]));
    expect(byId.get('th')?.reasoning).toEqual({
      thoughts: [{ summary: 'Plan', content: 'search it', finished: null }],
      recap: null,
      seconds: null,
    });
    expect(byId.get('recap')?.reasoning).toMatchObject({ recap: 'Thought for 1m 5s', seconds: 65 });
    expect(byId.get('call')?.text).toBe('{"search_query":[{"q":"x"}]}');
    expect(byId.get('call')?.content).toEqual({ content_type: 'code', text: '{"search_query":[{"q":"x"}]}' });
    expect(byId.get('res')?.sources).toEqual([{ url: 'https://x.test/a', title: 'A', snippet: 'about a' }]);
    expect(byId.get('res')?.content).toEqual({ content_type: 'text', parts: ['results'] });
    expect(byId.get('ans')?.content).toBeUndefined();
  });

  it('stamps each message with when it appeared and when its content first and last grew', () => {
    const times = Object.fromEntries(
      turn.messages.map((m) => [m.id, [m.seenTime, m.firstContentTime, m.lastContentTime]]),
    );
    expect(times).toEqual({
      th: [1010, 1020, 1030],
      call: [1040, 1040, 1040],
      res: [1050, 1060, 1060],
      recap: [1070, 1070, 1070],
      ans: [1080, 1090, 1100],
    });
  });

  it('derives the phases: first byte, reasoning, each tool call, answer, reported seconds', () => {
    expect(turn.phases).toEqual({
      firstByte: 1000,
      firstAnswerText: 1090,
      reasoningStart: 1020,
      reasoningEnd: 1070,
      toolCalls: [{ tool: 'web.run', callId: 'call', resultId: 'res', start: 1040, end: 1060 }],
      answerStart: 1090,
      answerEnd: 1100,
      end: 1110,
      reportedThoughtSeconds: 65,
    });
  });

  it('keeps a message whose channel root was replaced by the next message on the same c', () => {
    const same = decode([
      ['delta', { p: '', o: 'add', v: thoughts(), c: 0 }],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant', { channel: 'final' }), c: 0 }],
      ['delta', append('ok')],
    ]);
    expect(same.messages.map((m) => [m.id, m.part])).toEqual([
      ['th', 'reasoning'],
      ['ans', 'answer'],
    ]);
    expect(same.text).toBe('ok');
  });

  it('makes the answer candidates that were not chosen commentary (text before a tool call)', () => {
    const t = decode([
      ['delta', { p: '', o: 'add', v: root('pre', 'assistant'), c: 0 }],
      ['delta', append('Let me check.')],
      [
        'delta',
        {
          p: '',
          o: 'add',
          v: root('call', 'assistant', { recipient: 'python', content: { content_type: 'code', text: '1' } }),
          c: 1,
        },
      ],
      ['delta', { p: '', o: 'add', v: root('ans', 'assistant'), c: 2 }],
      ['delta', append('Done.')],
    ]);
    expect(t.messages.map((m) => m.part)).toEqual(['commentary', 'tool_call', 'answer']);
    expect(t.phases?.toolCalls).toEqual([
      { tool: 'python', callId: 'call', resultId: null, start: 5, end: null },
    ]);
  });

  it('is valid against its own zod schema, and a turn written before 2026-11 still parses', () => {
    expect(decodedTurn.safeParse(turn).success).toBe(true);
    const { phases: _p, ...old } = turn;
    const oldMessages = old.messages.map(
      ({
        part: _a,
        tool: _b,
        seenTime: _c,
        firstContentTime: _d,
        lastContentTime: _e,
        reasoning: _f,
        sources: _g,
        content: _h,
        ...m
      }) => m,
    );
    expect(decodedTurn.safeParse({ ...old, messages: oldMessages }).success).toBe(true);
  });
});
