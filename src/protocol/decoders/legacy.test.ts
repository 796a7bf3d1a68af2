import { describe, expect, it } from 'vitest';
import { decodeStream } from '../decode';
import type { DecodedTurn } from '../decoded';

const CONV = '5d8777ca-cd79-4756-857e-c5c21339f57c';

function decode(datas: unknown[], opts: { outcome?: string } = { outcome: 'complete' }): DecodedTurn {
  const text = datas.map((d) => `data: ${typeof d === 'string' ? d : JSON.stringify(d)}\n\n`).join('');
  return decodeStream([{ time: 7, data: text }], opts);
}

/** December 2022 (docs/protocol.md §5.2): `role` directly on the message, no status. */
const frame2022 = (text: string) => ({
  message: {
    id: '62f92567-4ce0-4fe3-800f-3d5b82aa0e4d',
    role: 'assistant',
    user: null,
    create_time: null,
    update_time: null,
    content: { content_type: 'text', parts: [text] },
    end_turn: null,
    weight: 1.0,
    metadata: {},
    recipient: 'all',
  },
  conversation_id: CONV,
  error: null,
});

function snapshot(id: string, role: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    message: {
      id,
      author: { role, name: null, metadata: {} },
      content: { content_type: 'text', parts: [text] },
      status: 'in_progress',
      end_turn: null,
      weight: 1.0,
      metadata: { model_slug: 'gpt-4' },
      recipient: 'all',
      ...extra,
    },
    conversation_id: CONV,
    error: null,
  };
}

describe('legacy and 2022 snapshots (§6.1)', () => {
  it('decodes 2022 role-on-message frames; the last frame before [DONE] is final', () => {
    const turn = decode([frame2022('Pro'), frame2022('Professional'), '[DONE]']);
    expect(turn.format).toBe('legacy');
    expect(turn.assistantMessageId).toBe('62f92567-4ce0-4fe3-800f-3d5b82aa0e4d');
    expect(turn.text).toBe('Professional');
    expect(turn.status).toBeNull();
    expect(turn.incomplete).toBe(false);
    expect(turn.messages[0]?.role).toBe('assistant');
  });

  it('leaves a 2022 stream without [DONE] incomplete', () => {
    const turn = decode([frame2022('Pro')], { outcome: 'aborted' });
    expect(turn.incomplete).toBe(true);
    expect(turn.terminator).toBe('aborted');
  });

  it('replaces snapshots instead of concatenating them, and marks only growing frames as content', () => {
    const turn = decode([
      snapshot('a1', 'assistant', ''),
      snapshot('a1', 'assistant', 'Hel'),
      snapshot('a1', 'assistant', 'Hello'),
      snapshot('a1', 'assistant', 'Hello', { status: 'finished_successfully', end_turn: true }),
      '[DONE]',
    ]);
    expect(turn.text).toBe('Hello');
    expect(turn.events.map((e) => e.content)).toEqual([false, true, true, false, false]);
    expect(turn.messages.find((m) => m.id === 'a1')?.endTurn).toBe(true);
  });

  it('keeps messages apart by id: a tool call is kept, the text answer to all wins', () => {
    const turn = decode([
      snapshot('u', 'user', 'search this'),
      snapshot('call', 'assistant', '', {
        recipient: 'browser',
        content: { content_type: 'code', text: 'search("x")' },
      }),
      snapshot('tool', 'tool', '', { content: { content_type: 'tether_browsing_display', result: '' } }),
      snapshot('ans', 'assistant', 'Found it.', { status: 'finished_successfully' }),
      '[DONE]',
    ]);
    expect(turn.userMessageId).toBe('u');
    expect(turn.messages.map((m) => m.id)).toEqual(['call', 'tool', 'ans']);
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('Found it.');
  });

  it('prefers the final channel over a later commentary snapshot (2024+ snapshots carry channel, §13)', () => {
    const turn = decode([
      snapshot('ans', 'assistant', 'The answer.', { channel: 'final', status: 'finished_successfully' }),
      snapshot('note', 'assistant', 'A progress note.', { channel: 'commentary' }),
      '[DONE]',
    ]);
    expect(turn.assistantMessageId).toBe('ans');
    expect(turn.text).toBe('The answer.');
    expect(turn.incomplete).toBe(false);
  });

  it('gives snapshot messages their parts, tool names, images and content times (§13)', () => {
    const datas = [
      snapshot('call', 'assistant', '', {
        recipient: 'dalle.text2im',
        content: { content_type: 'code', text: '{"prompt":"a cat"}' },
      }),
      snapshot('img', 'tool', '', {
        author: { role: 'tool', name: 'dalle.text2im', metadata: {} },
        content: {
          content_type: 'multimodal_text',
          parts: [
            {
              content_type: 'image_asset_pointer',
              asset_pointer: 'file-service://file-abc',
              width: 1024,
              height: 1024,
              metadata: { dalle: { gen_id: 'g1', prompt: 'a cat' } },
            },
          ],
        },
      }),
      snapshot('ans', 'assistant', 'Here', {}),
      snapshot('ans', 'assistant', 'Here it is.', { status: 'finished_successfully' }),
      '[DONE]',
    ];
    const text = datas.map((d) => `data: ${typeof d === 'string' ? d : JSON.stringify(d)}\n\n`);
    const turn = decodeStream(text.map((data, i) => ({ time: 100 + i, data })));
    expect(turn.messages.map((m) => [m.id, m.part, m.tool ?? null])).toEqual([
      ['call', 'tool_call', 'dalle.text2im'],
      ['img', 'tool_result', 'dalle.text2im'],
      ['ans', 'answer', null],
    ]);
    expect(turn.messages[1]?.images).toEqual([
      { assetPointer: 'file-service://file-abc', width: 1024, height: 1024, genId: 'g1' },
    ]);
    expect(turn.messages[2]).toMatchObject({ seenTime: 102, firstContentTime: 102, lastContentTime: 103 });
    expect(turn.phases).toMatchObject({
      firstByte: 100,
      toolCalls: [{ tool: 'dalle.text2im', callId: 'call', resultId: 'img', start: 100, end: 101 }],
      answerStart: 102,
      answerEnd: 103,
      firstAnswerText: 102,
      end: 104,
      reasoningStart: null,
    });
  });

  it('skips non-string parts (image pointers) when building the text', () => {
    const turn = decode([
      snapshot('a', 'assistant', '', {
        content: {
          content_type: 'multimodal_text',
          parts: [{ asset_pointer: 'file-service://x' }, 'caption'],
        },
        status: 'finished_successfully',
      }),
    ]);
    expect(turn.text).toBe('caption');
  });

  it('reads both moderation shapes', () => {
    const turn = decode([
      snapshot('a', 'assistant', 'x', { status: 'finished_successfully' }),
      {
        conversation_id: CONV,
        message_id: 'a',
        is_completion: true,
        moderation_response: { flagged: true, blocked: false, moderation_id: 'modr-1' },
      },
      { message: null, conversation_id: CONV, type: 'moderation', message_id: 'a', is_completion: false },
      '[DONE]',
    ]);
    expect(turn.moderation).toEqual([
      { messageId: 'a', isCompletion: true, flagged: true, blocked: false, moderationId: 'modr-1' },
      { messageId: 'a', isCompletion: false, flagged: null, blocked: null, moderationId: null },
    ]);
    expect(turn.events.map((e) => e.label)).toEqual(['snapshot', 'moderation', 'moderation', 'done']);
  });

  it('reads an error frame (message null, error set)', () => {
    const turn = decode([
      {
        message: null,
        conversation_id: CONV,
        error: 'Our systems have detected unusual activity coming from your system. Please try again later.',
      },
    ]);
    expect(turn.format).toBe('legacy');
    expect(turn.errors).toEqual([
      'Our systems have detected unusual activity coming from your system. Please try again later.',
    ]);
    expect(turn.events[0]?.label).toBe('error');
    expect(turn.incomplete).toBe(true);
  });

  it('keeps pings and flags non-JSON data without stopping', () => {
    const text =
      'event: ping\ndata: 2023-04-18 22:39:17.123456\n\n' +
      `data: ${JSON.stringify(snapshot('a', 'assistant', 'x'))}\n\n` +
      'data: not json at all\n\n' +
      `data: ${JSON.stringify(snapshot('a', 'assistant', 'xy', { status: 'finished_successfully' }))}\n\n`;
    const turn = decodeStream([{ time: 1, data: text }]);
    expect(turn.events.map((e) => [e.label, e.flag !== undefined])).toEqual([
      ['ping', false],
      ['snapshot', false],
      ['invalid', true],
      ['snapshot', false],
    ]);
    expect(turn.text).toBe('xy');
    expect(turn.incomplete).toBe(false);
  });

  it('reports max_tokens answers as finished but not ending the turn', () => {
    const turn = decode([
      snapshot('a', 'assistant', 'cut', {
        status: 'finished_successfully',
        end_turn: false,
        metadata: { finish_details: { type: 'max_tokens' } },
      }),
      '[DONE]',
    ]);
    expect(turn.finishDetails).toEqual({ type: 'max_tokens' });
    expect(turn.messages[0]?.endTurn).toBe(false);
    expect(turn.incomplete).toBe(false);
  });

  it('keeps unknown JSON shapes in `unknown`, flagged', () => {
    const turn = decode([snapshot('a', 'assistant', 'x'), { something: 'else' }]);
    expect(turn.unknown).toEqual(['{"something":"else"}']);
    expect(turn.events[1]?.flag).toMatch(/unknown frame shape/);
  });
});
