import { describe, expect, it } from 'vitest';
import { classify, KINDS, type Kind } from '../classify';
import { listFixtures, readJsonFixture } from '../test-fixtures';
import { SCHEMAS, validateBody } from './index';
import { type Sample, samples } from './samples.test-data';

const SAMPLES = samples();
const CHECKED_KINDS = KINDS.filter((k): k is Exclude<Kind, 'other'> => k !== 'other');

const expectedStatus = (s: Sample) => (s.encoding === 'base64' ? 'binary' : 'ok');

describe('meta: every kind has a schema and fixture-based samples', () => {
  it.each(CHECKED_KINDS)('%s', (kind) => {
    const entry = SCHEMAS[kind];
    expect(entry.request ?? entry.response, `${kind} has no schema`).toBeDefined();
    const list = SAMPLES[kind];
    expect(list.length, `${kind} has no sample`).toBeGreaterThan(0);
    expect(
      list.some((s) => expectedStatus(s) === 'ok'),
      `${kind} has no sample that is checked`,
    ).toBe(true);
    for (const s of list) {
      expect(classify(s.method, s.url), s.source).toBe(kind);
      const withUrl = validateBody(kind, s.side, s.body, s.encoding ?? 'text', { url: s.url });
      expect(withUrl, s.source).toEqual({ status: expectedStatus(s) });
    }
  });

  it('has no schema for other', () => {
    expect(SCHEMAS.other).toEqual({});
    expect(validateBody('other', 'response', '{"a":1}', 'text')).toEqual({ status: 'no-schema' });
  });

  it('every JSON sample also passes its family schema when the URL is unknown', () => {
    for (const kind of CHECKED_KINDS) {
      for (const s of SAMPLES[kind]) {
        // Bytes are not checked; NDJSON and statsc bodies are only recognised by their URL.
        if (s.encoding === 'base64' || /telemetry\/intake|statsc/.test(s.url)) continue;
        expect(validateBody(kind, s.side, s.body, 'text'), s.source).toEqual({ status: 'ok' });
      }
    }
  });
});

/** [kind, url, side, body, expected issue path]: a known field with the wrong type or missing. */
const DRIFT: [Kind, string, 'request' | 'response', unknown, string][] = [
  [
    'conversation',
    'https://chatgpt.com/backend-api/f/conversation',
    'request',
    {
      action: 'next',
      messages: [{ id: 'm', author: { role: 7 }, content: { content_type: 'text' } }],
      parent_message_id: 'p',
      model: 'auto',
    },
    '/messages/0/author/role',
  ],
  [
    'conversation',
    'https://chatgpt.com/backend-api/f/conversation',
    'request',
    { action: 'next', model: 'auto' },
    '/parent_message_id',
  ],
  [
    'conversation',
    'https://chatgpt.com/backend-api/f/conversation/resume',
    'request',
    { conversation_id: 'c', offset: -1 },
    '/offset',
  ],
  [
    'conversation_prepare',
    'https://chatgpt.com/backend-api/f/conversation/prepare',
    'response',
    { status: 'ok' },
    '/conduit_token',
  ],
  [
    'sentinel',
    'https://chatgpt.com/backend-api/sentinel/chat-requirements/finalize',
    'response',
    { persona: 'p', token: 't', expire_after: '540', expire_at: 1 },
    '/expire_after',
  ],
  [
    'sentinel',
    'https://chatgpt.com/backend-api/sentinel/chat-requirements',
    'response',
    { persona: 'p', token: 't', proofofwork: { required: 'yes' } },
    '/proofofwork/required',
  ],
  [
    'gen_title',
    'https://chat.openai.com/backend-api/conversation/gen_title/86f73b54-0f51-47ba-84a3-07c1e25dce81',
    'response',
    { title: null },
    '/title',
  ],
  [
    'lat_r',
    'https://chatgpt.com/backend-api/lat/r',
    'request',
    { server_request_id: 'x', ts_first_token_ms: '640' },
    '/ts_first_token_ms',
  ],
  ['ces', 'https://chatgpt.com/ces/v1/t', 'request', { type: 'hover', event: 'x' }, '/type'],
  [
    'ces',
    'https://chatgpt.com/ces/v1/b',
    'request',
    { batch: [{ type: 'track' }, { type: 'track', properties: [] }] },
    '/batch/1/properties',
  ],
  ['ces', 'https://chatgpt.com/ces/v1/m', 'request', { series: [{ type: 'Counter' }] }, '/series/0/metric'],
  ['statsig', 'https://ab.chatgpt.com/v1/rgstr', 'request', { events: [{ time: 1 }] }, '/events/0/eventName'],
  [
    'prompt_library',
    'https://chatgpt.com/backend-api/prompt_library/',
    'response',
    { items: [{ title: 't' }] },
    '/items/0/prompt',
  ],
  [
    'accounts_check',
    'https://chatgpt.com/backend-api/accounts/check/v4-2023-04-27',
    'response',
    { accounts: { default: { features: 'all' } } },
    '/accounts/default/features',
  ],
  [
    'conversations_list',
    'https://chatgpt.com/backend-api/conversations',
    'response',
    { items: [], total: 0, limit: 28 },
    '/offset',
  ],
  [
    'conversation_get',
    'https://chatgpt.com/backend-api/conversation/86f73b54-0f51-47ba-84a3-07c1e25dce81',
    'response',
    { title: 't', mapping: { a: { id: 'a', children: 'b' } }, current_node: 'a' },
    '/mapping/a/children',
  ],
  [
    'auth_session',
    'https://chatgpt.com/api/auth/session',
    'response',
    { user: { name: 'x' }, expires: 'y' },
    '/user/id',
  ],
  [
    'conversation_update',
    'https://chatgpt.com/backend-api/conversation/86f73b54-0f51-47ba-84a3-07c1e25dce81',
    'request',
    { title: 42 },
    '/title',
  ],
  [
    'websocket',
    'https://chatgpt.com/backend-api/celsius/ws/user',
    'response',
    { url: 'wss://x' },
    '/websocket_url',
  ],
];

describe('schema drift is reported with the path of the member that drifted', () => {
  it('covers every kind', () => {
    expect(new Set(DRIFT.map((d) => d[0]))).toEqual(new Set(CHECKED_KINDS));
  });

  it.each(DRIFT)('%s %s %s', (kind, url, side, body, path) => {
    const result = validateBody(kind, side, JSON.stringify(body), 'text', { url });
    expect(result.status).toBe('unrecognized');
    expect(result.issue?.path).toBe(path);
    expect(result.issue?.message.length).toBeGreaterThan(0);
  });

  it('reports the branch of a union that got furthest (no URL to pick the endpoint)', () => {
    const body = JSON.stringify({ batch: [{ type: 'track', properties: [] }] });
    const result = validateBody('ces', 'request', body, 'text');
    expect(result).toMatchObject({ status: 'unrecognized' });
    expect(result.issue?.path).toBe('/batch/0/properties');
  });

  it('reports a body that is not an object at the root', () => {
    expect(validateBody('gen_title', 'response', '[1,2]', 'text')).toEqual({
      status: 'unrecognized',
      issue: { path: '', message: expect.any(String) },
    });
  });
});

describe('validateBody statuses', () => {
  it('lets unknown extra fields pass (loose objects)', () => {
    const body = JSON.stringify({ title: 'T', brand_new_field: { nested: [1] } });
    expect(validateBody('gen_title', 'response', body, 'text')).toEqual({ status: 'ok' });
  });

  it('reports empty bodies as empty, bytes as binary and text as not-json', () => {
    expect(validateBody('sentinel', 'request', null, 'text')).toEqual({ status: 'empty' });
    expect(validateBody('sentinel', 'request', '  ', 'text')).toEqual({ status: 'empty' });
    expect(validateBody('statsig', 'request', 'H4sIAAAAAAAA', 'base64')).toEqual({ status: 'binary' });
    expect(validateBody('conversation', 'response', 'data: {"a": 1}\n\n', 'text')).toEqual({
      status: 'not-json',
    });
    expect(
      validateBody('ces', 'request', '{"type": "track"', 'text', { url: 'https://chatgpt.com/ces/v1/t' }),
    ).toEqual({
      status: 'not-json',
    });
  });

  it('reports no-schema for a side without one', () => {
    expect(validateBody('prompt_library', 'request', '{"x":1}', 'text')).toEqual({ status: 'no-schema' });
    expect(
      validateBody('sentinel', 'request', '{"x":1}', 'text', {
        url: 'https://chatgpt.com/backend-api/sentinel/ping',
      }),
    ).toEqual({ status: 'no-schema' });
  });

  it('checks error responses against the {detail} shape', () => {
    const body403 = JSON.stringify({
      detail:
        'Unusual activity has been detected from your device. Try again later. (ab5fbfca-00d2-4a6e-abaa-ccdafd4191c5)',
    });
    expect(validateBody('conversation', 'response', body403, 'text', { status: 403 })).toEqual({
      status: 'ok',
    });
    const body401 = JSON.stringify({ detail: { message: 'expired', code: 'token_expired' } });
    expect(validateBody('auth_session', 'response', body401, 'text', { status: 401 })).toEqual({
      status: 'ok',
    });
    expect(validateBody('lat_r', 'response', '{"error": "x"}', 'text', { status: 500 })).toMatchObject({
      status: 'unrecognized',
      issue: { path: '/detail' },
    });
  });

  it('validates NDJSON telemetry line by line', () => {
    const url = 'https://chatgpt.com/ces/v1/telemetry/intake?ddforward=x';
    const good = '{"message":"a","date":1}\n{"message":"b","date":2}';
    expect(validateBody('ces', 'request', good, 'text', { url })).toEqual({ status: 'ok' });
    expect(validateBody('ces', 'request', '{"message":"a"}\n{"message":5}', 'text', { url })).toMatchObject({
      status: 'unrecognized',
      issue: { path: '/1/message' },
    });
    expect(validateBody('ces', 'request', '{"message":"a"}\nnot json', 'text', { url })).toEqual({
      status: 'not-json',
    });
    // A single line is one JSON value; it is checked as a one-line batch.
    expect(validateBody('ces', 'request', '{"message":"a"}', 'text', { url })).toEqual({ status: 'ok' });
  });
});

describe('every body variant the public record shows is accepted (test/fixtures/schema-variants)', () => {
  interface VariantCall {
    method: string;
    url: string;
    expected_kind: Kind;
    request?: unknown;
    response?: unknown;
    status?: number;
    expected_request?: string;
    expected_response?: string;
  }
  const files = listFixtures('schema-variants').filter((f) => f.endsWith('.json'));

  it('finds the variant fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s', (file) => {
    const { calls } = readJsonFixture(`schema-variants/${file}`) as { calls: VariantCall[] };
    for (const c of calls) {
      const kind = classify(c.method, c.url);
      expect(kind, c.url).toBe(c.expected_kind);
      const context = { url: c.url, ...(c.status === undefined ? {} : { status: c.status }) };
      if (c.expected_request !== undefined) {
        const body = JSON.stringify(c.request);
        expect(validateBody(kind, 'request', body, 'text', context)).toEqual({ status: c.expected_request });
      }
      if (c.expected_response !== undefined) {
        const body = JSON.stringify(c.response);
        expect(validateBody(kind, 'response', body, 'text', context)).toEqual({
          status: c.expected_response,
        });
      }
    }
  });

  it('still reports drift inside the no-updates and role-on-message shapes', () => {
    const init = 'https://ab.chatgpt.com/v1/initialize';
    expect(validateBody('statsig', 'response', '{"has_updates": "no"}', 'text', { url: init }).status).toBe(
      'unrecognized',
    );
    const send = JSON.stringify({
      action: 'next',
      messages: [{ id: 'm', role: 'user', content: { content_type: 7 } }],
      parent_message_id: 'p',
      model: 'text-davinci-002-render',
    });
    expect(
      validateBody('conversation', 'request', send, 'text', {
        url: 'https://chat.openai.com/backend-api/conversation',
      }),
    ).toMatchObject({ status: 'unrecognized', issue: { path: '/messages/0/content/content_type' } });
  });
});
