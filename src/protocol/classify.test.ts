import { describe, expect, it } from 'vitest';
import { classify, conversationIdFromUrl, KINDS, type Kind } from './classify';
import { conversationUpdateOf, titleFromUpdate } from './conversation-update';
import { validateBody } from './schemas/index';
import { readJsonFixture } from './test-fixtures';

const CONV = '86f73b54-0f51-47ba-84a3-07c1e25dce81';
const HOSTS = ['https://chatgpt.com', 'https://chat.openai.com'];
const PREFIXES = ['/backend-api', '/backend-anon'];

/** [method, path after the prefix, kind]; each row is checked on both hosts and both prefixes. */
const API_TABLE: [string, string, Kind][] = [
  ['POST', '/conversation', 'conversation'],
  ['POST', '/f/conversation', 'conversation'],
  ['POST', '/f/conversation/resume', 'conversation'],
  ['POST', '/conversation/prepare', 'conversation_prepare'],
  ['POST', '/f/conversation/prepare', 'conversation_prepare'],
  ['POST', `/conversation/gen_title/${CONV}`, 'gen_title'],
  ['GET', `/conversation/${CONV}`, 'conversation_get'],
  ['GET', `/conversation/${CONV}/stream_status`, 'conversation_get'],
  ['POST', `/conversation/${CONV}/async-status`, 'conversation_get'],
  ['GET', '/conversations?offset=0&limit=28&order=updated', 'conversations_list'],
  ['POST', '/sentinel/chat-requirements', 'sentinel'],
  ['POST', '/sentinel/chat-requirements/prepare', 'sentinel'],
  ['POST', '/sentinel/chat-requirements/finalize', 'sentinel'],
  ['POST', '/sentinel/ping', 'sentinel'],
  ['POST', '/sentinel/arkose/dx', 'sentinel'],
  ['POST', '/lat/r', 'lat_r'],
  ['GET', '/prompt_library/?limit=4&offset=0', 'prompt_library'],
  ['GET', '/accounts/check/v4-2023-04-27', 'accounts_check'],
  ['POST', '/register-websocket', 'websocket'],
  ['GET', '/celsius/ws/user', 'websocket'],
  // Not a send: the app fetches conversation/init and GETs on /conversation are something else.
  ['POST', '/conversation/init', 'other'],
  ['GET', '/conversation', 'other'],
  ['GET', '/me', 'other'],
  // The method picks the operation (§13): rename, hide, archive and delete are not the download or list.
  ['PATCH', `/conversation/${CONV}`, 'conversation_update'],
  ['DELETE', `/conversation/${CONV}`, 'conversation_update'],
  ['PATCH', '/conversations', 'conversation_update'],
  ['POST', `/conversation/${CONV}`, 'other'],
  ['PATCH', `/conversation/${CONV}/stream_status`, 'other'],
  ['GET', `/conversation/${CONV}/async-status`, 'conversation_get'],
  ['POST', '/conversations', 'other'],
  ['DELETE', '/conversations', 'other'],
  // Every other rule names one operation; another method on its path is something else.
  ['GET', '/f/conversation/prepare', 'other'],
  ['GET', `/conversation/gen_title/${CONV}`, 'other'],
  ['GET', '/f/conversation/resume', 'other'],
  ['GET', '/sentinel/chat-requirements', 'other'],
  ['POST', '/prompt_library/', 'other'],
  ['POST', '/accounts/check/v4-2023-04-27', 'other'],
  ['GET', '/register-websocket', 'other'],
  ['POST', '/celsius/ws/user', 'other'],
];

describe('classify', () => {
  for (const host of HOSTS) {
    for (const prefix of PREFIXES) {
      it.each(API_TABLE)(`${host}${prefix} %s %s → %s`, (method, path, kind) => {
        expect(classify(method, `${host}${prefix}${path}`)).toBe(kind);
      });
    }
  }

  it.each(HOSTS)('classifies every /ces/ path as ces on %s', (host) => {
    for (const path of [
      '/ces/v1/b',
      '/ces/v1/t',
      '/ces/v1/p',
      '/ces/v1/i',
      '/ces/v1/m',
      '/ces/v1/rgstr?k=client-abc&st=javascript-client&sv=3.31.2&t=1&sid=x&ec=1&gz=1',
      '/ces/statsc/flush',
      '/ces/v1/telemetry/intake?ddforward=%2Fapi%2Fv2%2Flogs',
    ]) {
      expect(classify('POST', `${host}${path}`)).toBe('ces');
    }
  });

  it.each(HOSTS)('classifies the auth session on %s', (host) => {
    expect(classify('GET', `${host}/api/auth/session`)).toBe('auth_session');
  });

  it('keeps /backend-alt/ resumes as conversation', () => {
    expect(classify('POST', 'https://chatgpt.com/backend-alt/f/conversation/resume')).toBe('conversation');
  });

  it('ignores query strings and fragments, and the method case', () => {
    expect(classify('post', 'https://chatgpt.com/backend-api/f/conversation?x=1#frag')).toBe('conversation');
    expect(classify('GET', 'https://chatgpt.com/backend-api/lat/r?debug=1')).toBe('lat_r');
  });

  it('sends ab.chatgpt.com (Statsig) to statsig, whatever the path', () => {
    expect(classify('POST', 'https://ab.chatgpt.com/v1/rgstr?k=client-x&gz=1')).toBe('statsig');
    expect(classify('POST', 'https://ab.chatgpt.com/v1/initialize')).toBe('statsig');
    expect(classify('POST', 'https://featuregates.org/v1/initialize')).toBe('statsig');
  });

  it('labels socket URLs websocket', () => {
    expect(classify('GET', 'wss://ws.chatgpt.com/ws/user/abc?verify=x')).toBe('websocket');
    expect(classify('GET', 'wss://fp-async-webps-prod.webpubsub.azure.com/client/hubs/x')).toBe('websocket');
  });

  it('labels unknown hosts, pages and bad URLs other', () => {
    expect(
      classify(
        'POST',
        'https://tcr9i.chat.openai.com/fc/gt2/public_key/35536E1E-65B4-4D96-9D97-6ADB7EFF8147',
      ),
    ).toBe('other');
    expect(classify('POST', 'https://example.com/backend-api/conversation')).toBe('other');
    expect(classify('GET', 'https://chatgpt.com/c/69b2d0ea-1970-83e8-95a6-1d5d1d85117e')).toBe('other');
    expect(classify('GET', 'https://cdn.oaistatic.com/assets/app.js')).toBe('other');
    expect(classify('GET', 'not a url')).toBe('other');
  });

  it('covers every kind in this table', () => {
    const seen = new Set<Kind>([...API_TABLE.map((r) => r[2]), 'ces', 'statsig', 'auth_session', 'other']);
    expect([...seen].sort()).toEqual([...KINDS].sort());
  });
});

describe('the real-2026 PATCH fixture (03): rename and hide are conversation updates', () => {
  const fx = readJsonFixture('real-2026/03-url-patch-conversation-rename-hide.json') as {
    calls: { method: string; url: string; request: string | null; response: string; status: number }[];
  };

  it('classifies by method, names the conversation, validates both sides and reads the new title', () => {
    const rows = fx.calls.map((c) => {
      const kind = classify(c.method, c.url);
      return {
        kind,
        id: conversationIdFromUrl(c.url),
        request:
          c.request === null
            ? 'empty'
            : validateBody(kind, 'request', c.request, 'text', { url: c.url }).status,
        response: validateBody(kind, 'response', c.response, 'text', { url: c.url, status: c.status }).status,
        title: c.method === 'PATCH' ? titleFromUpdate(c.request) : null,
      };
    });
    expect(rows).toEqual([
      {
        kind: 'conversation_update',
        id: '86f73b54-0f51-47ba-84a3-07c1e25dce81',
        request: 'ok',
        response: 'ok',
        title: 'Roman Empire facts',
      },
      {
        kind: 'conversation_update',
        id: '69eb5a4b-282c-83ea-b4f6-91ba9510bc9f',
        request: 'ok',
        response: 'ok',
        title: null,
      },
      {
        kind: 'conversation_get',
        id: '69eb5a4b-282c-83ea-b4f6-91ba9510bc9f',
        request: 'empty',
        response: 'ok',
        title: null,
      },
    ]);
  });

  it('reads what an update asks for, from text or parsed JSON, and never throws', () => {
    expect(conversationUpdateOf('{"is_visible": false}')).toEqual({
      title: null,
      visible: false,
      archived: null,
    });
    expect(conversationUpdateOf({ is_archived: true, title: 'T' })).toEqual({
      title: 'T',
      visible: null,
      archived: true,
    });
    for (const bad of [null, undefined, '', 'not json', '[1]', 42, '{"title": 5}']) {
      expect(titleFromUpdate(bad)).toBeNull();
    }
  });
});

describe('conversationIdFromUrl', () => {
  it('reads the id from gen_title, conversation/{id} and page URLs', () => {
    expect(conversationIdFromUrl(`https://chat.openai.com/backend-api/conversation/gen_title/${CONV}`)).toBe(
      CONV,
    );
    expect(conversationIdFromUrl(`https://chatgpt.com/backend-api/conversation/${CONV}/stream_status`)).toBe(
      CONV,
    );
    expect(conversationIdFromUrl(`https://chatgpt.com/c/${CONV.toUpperCase()}`)).toBe(CONV);
    expect(conversationIdFromUrl(`https://chatgpt.com/g/g-abc/c/${CONV}`)).toBe(CONV);
    expect(conversationIdFromUrl('https://chatgpt.com/backend-api/conversation')).toBeNull();
    expect(conversationIdFromUrl('nonsense')).toBeNull();
  });
});
