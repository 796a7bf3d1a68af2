/**
 * Test data: one or more known bodies per kind, for the schema tests and the meta-test. Real captures come
 * from the HAR digests in test/fixtures/real; kinds those lack are covered by bodies quoted or
 * reconstructed from docs/protocol.md (the section is named in `source`). Tests only.
 */
import type { Kind } from '../classify';
import { readJsonFixture } from '../test-fixtures';

export interface Sample {
  method: string;
  url: string;
  side: 'request' | 'response';
  body: string;
  encoding?: 'text' | 'base64';
  source: string;
}

interface DigestEntry {
  request: { method: string; url: string; postData: { text: string | null } | null };
  response: { status: number; content: { mimeType: string; text: string | null } };
}

export interface Digest {
  entries: DigestEntry[];
}

export const DIGEST_2023 = 'real/har-digest_2023-12-23_chat.openai.com.json';
export const DIGEST_2026 = 'real/har-digest_2026-03-12_chatgpt.com_backend-anon.json';

export function readDigest(name: string): Digest {
  return readJsonFixture(name) as Digest;
}

/** A body the digest cut (`…<truncated N chars>`): not the original, so not checked. */
export function isTruncated(text: string): boolean {
  return /…<truncated \d+ chars>$/.test(text);
}

/** The first digest entry whose URL contains `needle`, as a sample of one side. */
function fromDigest(digest: string, needle: string, side: 'request' | 'response'): Sample {
  const entry = readDigest(digest).entries.find((e) => e.request.url.includes(needle));
  const body = side === 'request' ? entry?.request.postData?.text : entry?.response.content.text;
  if (!entry || typeof body !== 'string') throw new Error(`no ${side} body for ${needle} in ${digest}`);
  return {
    method: entry.request.method,
    url: entry.request.url,
    side,
    body,
    source: `${digest} (${needle})`,
  };
}

const json = (value: unknown): string => JSON.stringify(value);
const API = 'https://chatgpt.com/backend-api';
const CONV = '86f73b54-0f51-47ba-84a3-07c1e25dce81';

export function samples(): Record<Exclude<Kind, 'other'>, Sample[]> {
  return {
    conversation: [
      fromDigest(DIGEST_2023, '/backend-api/conversation', 'request'),
      fromDigest(DIGEST_2026, '/backend-anon/f/conversation', 'request'),
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/conversation',
        side: 'request',
        source: 'docs/protocol.md §4 (2023 first turn, seed design note)',
        body: json({
          action: 'next',
          messages: [
            {
              id: 'aaa27fdc-adfc-4e97-8383-7be26db90000',
              author: { role: 'user' },
              content: { content_type: 'text', parts: ['Tell me a random fun fact about the Roman Empire'] },
            },
          ],
          parent_message_id: 'aaa1625d-8249-4412-9825-004c31440000',
          model: 'text-davinci-002-render-sha',
          timezone_offset_min: -180,
          suggestions: ['a', 'b', 'c', 'd'],
          history_and_training_disabled: false,
          arkose_token: null,
          conversation_mode: { kind: 'primary_assistant' },
          force_paragen: false,
          force_rate_limit: false,
        }),
      },
      {
        method: 'POST',
        url: `${API}/f/conversation/resume`,
        side: 'request',
        source: 'docs/protocol.md §5.5 (resume)',
        body: json({ conversation_id: '69dd2105-6578-8326-9a51-0d7c1e2f3a4b', offset: 0 }),
      },
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/conversation',
        side: 'response',
        source: 'docs/protocol.md §5.6 step 3',
        body: json({
          wss_url:
            'wss://fp-async-webps-prod.webpubsub.azure.com/client/hubs/conversations?access_token=[redacted]',
          conversation_id: '42a63b5b-45ad-4784-b04c-ece02246acd8',
          response_id: '84f29a22d9ac8c4b-EWR',
        }),
      },
    ],
    conversation_prepare: [
      {
        method: 'POST',
        url: `${API}/f/conversation/prepare`,
        side: 'request',
        source: 'docs/protocol.md §2, §3.4 (reconstructed: send body plus partial_query)',
        body: json({
          action: 'next',
          parent_message_id: 'c7e9ad61-bb6a-46ea-aca6-ee12ee3ca216',
          model: 'auto',
          conversation_id: '69dd2105-6578-8326-9a51-0d7c1e2f3a4b',
          partial_query: {
            id: 'q',
            author: { role: 'user' },
            content: { content_type: 'text', parts: ['how do I'] },
          },
          client_prepare_state: 'none',
        }),
      },
      {
        method: 'POST',
        url: `${API}/f/conversation/prepare`,
        side: 'response',
        source: 'docs/protocol.md §2',
        body: json({ status: 'ok', conduit_token: '<redacted-jwt>' }),
      },
    ],
    sentinel: [
      fromDigest(DIGEST_2023, '/sentinel/arkose/dx', 'response'),
      fromDigest(DIGEST_2026, '/sentinel/chat-requirements/prepare', 'request'),
      fromDigest(DIGEST_2026, '/sentinel/chat-requirements/finalize', 'request'),
      fromDigest(DIGEST_2026, '/sentinel/chat-requirements/finalize', 'response'),
      fromDigest(DIGEST_2026, '/sentinel/ping', 'response'),
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/sentinel/chat-requirements',
        side: 'request',
        source: 'docs/protocol.md §3.3 (March 2024)',
        body: json({ conversation_mode_kind: 'primary_assistant' }),
      },
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/sentinel/chat-requirements',
        side: 'response',
        source: 'docs/protocol.md §3.3 (March 2024)',
        body: json({
          persona: 'chatgpt-paid',
          arkose: { required: true, dx: '[redacted]' },
          turnstile: { required: false },
          token: 'gAAAAABl8Dd9<redacted>',
        }),
      },
      {
        method: 'POST',
        url: `${API}/sentinel/chat-requirements/prepare`,
        side: 'response',
        source: 'docs/protocol.md §2 (2026 prepare; the digest copy is truncated)',
        body: json({
          persona: 'chatgpt-noauth',
          prepare_token: 'gAAAAABpstDv<redacted>',
          turnstile: { required: true, dx: '[redacted]' },
          proofofwork: { required: true, seed: '0.1', difficulty: '06a3a0' },
          so: { required: false },
        }),
      },
    ],
    gen_title: [
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/conversation/gen_title/84db5a38-1333-4b09-a024-860e932ca064',
        side: 'request',
        source: 'docs/protocol.md §3.6 (2023-09-05 capture)',
        body: json({ message_id: 'a24c14a5-33b2-4537-bff5-4d7258fee623', model: 'gpt-4' }),
      },
      {
        method: 'POST',
        url: `https://chat.openai.com/backend-api/conversation/gen_title/${CONV}`,
        side: 'request',
        source: 'docs/protocol.md §3.1 (seed design note)',
        body: json({ message_id: '14588fa1-94fd-43d1-9104-e5b108bd8d7a' }),
      },
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/conversation/gen_title/84db5a38-1333-4b09-a024-860e932ca064',
        side: 'response',
        source: 'docs/protocol.md §3.6 (2023-09-05 capture)',
        body: json({ title: 'Test Request and Response' }),
      },
    ],
    lat_r: [fromDigest(DIGEST_2023, '/lat/r', 'request'), fromDigest(DIGEST_2023, '/lat/r', 'response')],
    ces: [
      fromDigest(DIGEST_2023, '/ces/v1/b', 'request'),
      fromDigest(DIGEST_2023, '/ces/v1/b', 'response'),
      fromDigest(DIGEST_2026, '/ces/v1/t', 'request'),
      {
        method: 'POST',
        url: 'https://chatgpt.com/ces/v1/m',
        side: 'request',
        source: 'docs/protocol.md §3.6 (library metrics)',
        body: json({
          series: [{ type: 'Counter', metric: 'analytics_js.invoke', value: 1, tags: { method: 'track' } }],
        }),
      },
      {
        method: 'POST',
        url: 'https://chatgpt.com/ces/v1/telemetry/intake?ddforward=%2Fapi%2Fv2%2Flogs',
        side: 'request',
        source: 'docs/protocol.md §2, §3.6 (Datadog browser logs, NDJSON)',
        body: `${json({ date: 1773326575000, message: 'first', status: 'info', service: 'chatgpt-web' })}\n${json({ date: 1773326575100, message: 'second', status: 'error' })}\n`,
      },
      {
        method: 'POST',
        url: 'https://chatgpt.com/ces/v1/telemetry/intake?ddforward=%2Fapi%2Fv2%2Flogs',
        side: 'response',
        source: 'docs/protocol.md §2',
        body: json({ ok: true, error: null }),
      },
      {
        method: 'POST',
        url: 'https://chatgpt.com/ces/statsc/flush',
        side: 'request',
        source: 'docs/protocol.md §3.6 (counters; shape unconfirmed)',
        body: json({ counters: [{ name: 'x', value: 1 }], histograms: [] }),
      },
      {
        method: 'POST',
        url: 'https://chatgpt.com/ces/v1/rgstr?k=client-x&st=javascript-client&sv=3.31.2&t=1&sid=s&ec=2&gz=1',
        side: 'request',
        encoding: 'base64',
        source: 'docs/protocol.md §2 (gzip binary)',
        body: 'H4sIAAAAAAAAA6tWSs7PS8tMBwCJz2cMCQAAAA==',
      },
    ],
    statsig: [
      fromDigest(DIGEST_2026, 'ab.chatgpt.com/v1/rgstr', 'response'),
      {
        method: 'POST',
        url: 'https://ab.chatgpt.com/v1/rgstr',
        side: 'request',
        source: 'docs/protocol.md §3.3 (2024 JSON rgstr; Statsig SDK event shape)',
        body: json({
          events: [
            {
              eventName: 'statsig::gate_exposure',
              user: {
                userID: 'user-<redacted>',
                customIDs: { stableID: '07c07116-eeea-4665-9ffb-9e36a64d8080' },
              },
              time: 1710245000000,
              metadata: { gate: 'some_gate', gateValue: 'true' },
            },
          ],
          statsigMetadata: {
            sdkType: 'js-client',
            sdkVersion: '4.45.1',
            stableID: '07c07116-eeea-4665-9ffb-9e36a64d8080',
          },
        }),
      },
    ],
    prompt_library: [
      {
        method: 'GET',
        url: 'https://chat.openai.com/backend-api/prompt_library/?limit=4&offset=0',
        side: 'response',
        source: 'docs/protocol.md §3.6 (unconfirmed: extension reads items[].prompt; mocks)',
        body: json({
          items: [
            {
              id: 'p1',
              title: 'Plan a trip',
              description: 'to see the northern lights in Norway',
              prompt: 'Plan a trip to see the northern lights in Norway.',
              category: 'travel',
            },
          ],
          total: 4,
          limit: 4,
          offset: 0,
        }),
      },
    ],
    accounts_check: [
      {
        method: 'GET',
        url: 'https://chat.openai.com/backend-api/accounts/check/v4-2023-04-27',
        side: 'response',
        source: 'docs/protocol.md §3.6 (field list)',
        body: json({
          accounts: {
            default: {
              account: {
                account_user_role: 'account-owner',
                account_user_id: 'user-<redacted>__acc',
                account_id: 'acc-1',
                plan_type: 'plus',
                structure: 'personal',
                is_deactivated: false,
              },
              features: ['shared_websocket', 'model_switcher'],
              entitlement: {
                subscription_id: 'sub-1',
                has_active_subscription: true,
                subscription_plan: 'chatgptplusplan',
                expires_at: '2024-04-01T00:00:00+00:00',
              },
              last_active_subscription: null,
              rate_limits: [],
            },
          },
          account_ordering: ['acc-1'],
        }),
      },
    ],
    conversations_list: [
      {
        method: 'GET',
        url: 'https://chat.openai.com/backend-api/conversations?offset=0&limit=28&order=updated',
        side: 'response',
        source: 'docs/protocol.md §3.6 (Dec 2023 item fields)',
        body: json({
          items: [
            {
              id: CONV,
              title: 'Roman Empire Fun Fact',
              create_time: '2023-12-15T13:33:30.047386+00:00',
              update_time: '2023-12-15T13:33:44.521947+00:00',
              mapping: null,
              current_node: null,
              conversation_template_id: null,
              gizmo_id: null,
              is_archived: false,
              workspace_id: null,
            },
          ],
          total: 1,
          limit: 28,
          offset: 0,
          has_missing_conversations: false,
        }),
      },
    ],
    conversation_get: [
      {
        method: 'GET',
        url: `https://chatgpt.com/backend-api/conversation/${CONV}`,
        side: 'response',
        source: 'docs/protocol.md §3.6 (tree shape; pionxzh/chatgpt-exporter)',
        body: json({
          title: 'Roman Empire Fun Fact',
          create_time: 1702647210.047386,
          update_time: 1702647224.521947,
          mapping: {
            'client-created-root': {
              id: 'client-created-root',
              message: null,
              parent: null,
              children: ['u1'],
            },
            u1: {
              id: 'u1',
              message: {
                id: 'u1',
                author: { role: 'user', name: null, metadata: {} },
                create_time: 1702647210.1,
                update_time: null,
                content: { content_type: 'text', parts: ['Tell me a fun fact'] },
                status: 'finished_successfully',
                end_turn: null,
                weight: 1,
                metadata: {},
                recipient: 'all',
              },
              parent: 'client-created-root',
              children: [],
            },
          },
          moderation_results: [],
          current_node: 'u1',
          conversation_id: CONV,
        }),
      },
      {
        method: 'GET',
        url: `https://chatgpt.com/backend-api/conversation/${CONV}/stream_status`,
        side: 'response',
        source: 'docs/protocol.md §5.5 (stream_status)',
        body: json({ status: 'COMPLETE' }),
      },
    ],
    conversation_update: [
      {
        method: 'PATCH',
        url: `https://chat.openai.com/backend-api/conversation/${CONV}`,
        side: 'request',
        source: 'docs/protocol.md §13 (rename; acheong08/ChatGPT V1.py change_title)',
        body: json({ title: 'Roman Empire facts' }),
      },
      {
        method: 'PATCH',
        url: `https://chatgpt.com/backend-api/conversation/${CONV}`,
        side: 'request',
        source: 'docs/protocol.md §13 (delete = hide; acheong08/ChatGPT V1.py delete_conversation)',
        body: json({ is_visible: false }),
      },
      {
        method: 'PATCH',
        url: 'https://chatgpt.com/backend-api/conversations',
        side: 'request',
        source: 'docs/protocol.md §13 (clear all)',
        body: json({ is_visible: false }),
      },
      {
        method: 'PATCH',
        url: `https://chatgpt.com/backend-api/conversation/${CONV}`,
        side: 'response',
        source: 'docs/protocol.md §13',
        body: json({ success: true }),
      },
    ],
    auth_session: [
      {
        method: 'GET',
        url: 'https://chatgpt.com/api/auth/session',
        side: 'response',
        source: 'docs/protocol.md §2 (logged in; token redacted)',
        body: json({
          user: {
            id: 'user-<redacted>',
            name: 'A User',
            email: '<redacted-email>',
            image: 'https://s.gravatar.com/avatar/x',
            picture: 'https://s.gravatar.com/avatar/x',
            idp: 'auth0',
            iat: 1702640000,
            mfa: false,
            groups: [],
          },
          expires: '2024-03-14T13:33:30.000Z',
          accessToken: '[redacted]',
          authProvider: 'auth0',
        }),
      },
      {
        method: 'GET',
        url: 'https://chatgpt.com/api/auth/session',
        side: 'response',
        source: 'logged out: an empty object',
        body: '{}',
      },
    ],
    websocket: [
      {
        method: 'POST',
        url: 'https://chat.openai.com/backend-api/register-websocket',
        side: 'response',
        source: 'docs/protocol.md §5.6 step 1',
        body: json({
          wss_url:
            'wss://fp-async-webps-prod.webpubsub.azure.com/client/hubs/conversations?access_token=[redacted]',
          expires_at: '2024-02-20T10:00:00Z',
        }),
      },
      {
        method: 'GET',
        url: 'https://chatgpt.com/backend-api/celsius/ws/user',
        side: 'response',
        source: 'docs/protocol.md §5.5',
        body: json({ websocket_url: 'wss://ws.chatgpt.com/ws/user/user-x?verify=[redacted]' }),
      },
    ],
  };
}
