// Type tests of the message protocol: checked by `tsc --noEmit` (each `@ts-expect-error` fails the type
// check if the line below it compiles), and run by vitest for the runtime half.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { captureBatchId, isCaptureAck, readSettingsMessage } from './capture/channel';
import {
  dispatch,
  dispatchRaw,
  type Handlers,
  parseReply,
  type Request,
  type Responses,
  type Send,
  type SenderInfo,
  storedBroadcast,
} from './messages';

const page: SenderInfo = { tabId: null, fromExtensionPage: true };

const handlers: Handlers = {
  'capture/batch': async (body) => ({ ok: true, stored: body.events.length, rejected: 0 }),
  'store/delete': async () => ({ ok: true }),
  'store/clear': async () => ({ ok: true }),
  'store/import': async (body) => ({ added: body.calls.length, skipped: 0, committed: body.final ?? true }),
  'tab/count': async (body) => ({ count: body.tabId }),
  'store/retention': async () => ({ deleted: 0, stripped: 0 }),
  'health/dismiss': async () => ({ ok: true }),
  'insights/summarize': async (body) => ({ written: body.callIds.length }),
};

describe('message protocol types', () => {
  it('types each message by its own request and response', () => {
    const send: Send = () => Promise.reject(new Error('type test'));
    expectTypeOf(send<'tab/count'>)
      .parameter(1)
      .toEqualTypeOf<{ tabId: number }>();
    expectTypeOf(send<'tab/count'>).returns.resolves.toEqualTypeOf<{ count: number }>();
    expectTypeOf<Request<'store/delete'>>().toEqualTypeOf<{ callIds: string[] }>();
    expectTypeOf<Responses['store/import']>().toEqualTypeOf<{
      added: number;
      skipped: number;
      committed: boolean;
    }>();

    // A wrong message name does not compile.
    // @ts-expect-error 'store/nuke' is not a message
    void send('store/nuke', {}).catch(() => {});
    // A wrong body does not compile: a field of the wrong type, a missing field, another message's body.
    // @ts-expect-error callIds is a string array
    void send('store/delete', { callIds: 'c1' }).catch(() => {});
    // @ts-expect-error tab/count needs tabId
    void send('tab/count', {}).catch(() => {});
    // @ts-expect-error store/delete's body sent as tab/count
    void send('tab/count', { callIds: [] }).catch(() => {});
  });

  it('rejects handler maps with a wrong response type, a missing or an unknown message', () => {
    const wrongResponse: Handlers = {
      ...handlers,
      // @ts-expect-error tab/count answers { count }, not store/delete's { ok: true }
      'tab/count': async () => ({ ok: true }),
    };
    const wrongType: Handlers = {
      ...handlers,
      // @ts-expect-error count is a number
      'tab/count': async () => ({ count: '3' }),
    };
    const { 'store/clear': _, ...rest } = handlers;
    // @ts-expect-error store/clear has no handler
    const missing: Handlers = rest;
    const unknown: Handlers = {
      ...handlers,
      // @ts-expect-error 'store/nuke' is not a message
      'store/nuke': async () => ({ ok: true }),
    };
    const wrongBody: Handlers = {
      ...handlers,
      // @ts-expect-error tab/count's body has no callIds
      'tab/count': async (body) => ({ count: body.callIds.length }),
    };
    expect([wrongResponse, wrongType, missing, unknown, wrongBody]).toHaveLength(5);
  });
});

describe('dispatch', () => {
  it('answers a valid message with its handler', async () => {
    expect(await dispatchRaw(handlers, { name: 'tab/count', body: { tabId: 7 } }, page)).toEqual({
      ok: true,
      value: { count: 7 },
    });
    const r = await dispatch(handlers, 'store/delete', { callIds: ['a'] }, page);
    expectTypeOf(r).toEqualTypeOf<{ ok: true; value: { ok: true } } | { ok: false; error: string }>();
    expect(r).toEqual({ ok: true, value: { ok: true } });
  });

  it('turns a bad envelope, an unknown name, a bad body or a throw into an error reply', async () => {
    expect(await dispatchRaw(handlers, 'tab/count', page)).toEqual({ ok: false, error: 'not a message' });
    expect(await dispatchRaw(handlers, { name: 'toString', body: {} }, page)).toEqual({
      ok: false,
      error: 'unknown message toString',
    });
    const bad = await dispatchRaw(handlers, { name: 'tab/count', body: { tabId: 'x' } }, page);
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/^tab\/count: tabId /) });
    const throwing: Handlers = {
      ...handlers,
      'store/clear': () => Promise.reject(new Error('disk full')),
    };
    expect(await dispatch(throwing, 'store/clear', {}, page)).toEqual({ ok: false, error: 'disk full' });
  });
});

describe('parseReply', () => {
  it('checks the reply against the message’s response schema', () => {
    expect(parseReply('tab/count', { ok: true, value: { count: 2 } })).toEqual({
      ok: true,
      value: { count: 2 },
    });
    expect(parseReply('tab/count', { ok: false, error: 'nope' })).toEqual({ ok: false, error: 'nope' });
    expect(parseReply('tab/count', undefined)).toEqual({ ok: false, error: 'tab/count: no answer' });
    expect(parseReply('tab/count', { ok: true, value: { ok: true } })).toEqual({
      ok: false,
      error: 'tab/count: malformed answer',
    });
  });
});

describe('port messages', () => {
  it('reads capture acks, stored broadcasts and settings only in their own shape', () => {
    expect(isCaptureAck({ batchId: 'b', ok: true })).toBe(true);
    expect(isCaptureAck({ batchId: 'b', ok: false, error: 'x' })).toBe(true);
    expect(isCaptureAck({ batchId: 1, ok: true })).toBe(false);
    expect(isCaptureAck({ batchId: 'b', ok: false, error: 3 })).toBe(false);
    expect(isCaptureAck(null)).toBe(false);
    expect(captureBatchId({ batchId: 'b1', events: 'junk' })).toBe('b1');
    expect(captureBatchId('junk')).toBe('');
    expect(storedBroadcast.safeParse({ event: 'stored', callIds: ['a'], tabId: 3 }).success).toBe(true);
    expect(storedBroadcast.safeParse({ event: 'stored', callIds: 'a', tabId: 3 }).success).toBe(false);
    expect(readSettingsMessage('{"type":"settings","recording":false,"maxBodyBytes":1024}')).toEqual({
      type: 'settings',
      recording: false,
      maxBodyBytes: 1024,
      scope: 'all',
    });
    expect(
      readSettingsMessage('{"type":"settings","recording":true,"maxBodyBytes":9,"scope":"chatgpt"}')?.scope,
    ).toBe('chatgpt');
    expect(readSettingsMessage('{"type":"settings","recording":true,"maxBodyBytes":-1}')).toBeNull();
    expect(readSettingsMessage('{"type":"other"}')).toBeNull();
    expect(readSettingsMessage('not json')).toBeNull();
  });
});
