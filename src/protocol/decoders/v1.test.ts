import { describe, expect, it } from 'vitest';
import { decodeStream } from '../decode';
import type { DecodedTurn } from '../decoded';
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

describe('v1: array appends extend (wire-formats §6.2 table, §11 as settled in 2026-11)', () => {
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
