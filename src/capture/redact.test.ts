import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from './events';
import { LineBuffer } from './line-buffer';
import { isSecretName, REDACTED, redactBody, redactHeaders, redactText, redactUrl } from './redact';
import { sanitizeEvent } from './sanitize';

const CANARY = 'CANARYx9q';
const jwt = `ey${'J'}hbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.${CANARY}sig`;

describe('headers', () => {
  it('redacts every secret header family, keeping the auth scheme', () => {
    const out = redactHeaders([
      ['Authorization', `Bearer ${jwt}`],
      ['Cookie', `__Secure-next-auth.session-token=${CANARY}`],
      ['set-cookie', `_uasid=${CANARY}`],
      ['OpenAI-Sentinel-Chat-Requirements-Token', `gAAAAAB${CANARY}`],
      ['openai-sentinel-proof-token', CANARY],
      ['openai-sentinel-turnstile-token', CANARY],
      ['openai-sentinel-arkose-token', CANARY],
      ['x-conduit-token', CANARY],
      ['oai-echo-logs', CANARY],
      ['oai-device-id', 'device-1'],
      ['content-type', 'application/json'],
    ]);
    expect(JSON.stringify(out)).not.toContain(CANARY);
    expect(out[0]).toEqual(['Authorization', `Bearer ${REDACTED}`]);
    expect(out).toContainEqual(['oai-device-id', 'device-1']);
    expect(out).toContainEqual(['content-type', 'application/json']);
  });
});

describe('bodies', () => {
  it('redacts secrets by field name in JSON, with compact or Python-style separators', () => {
    const bodies = [
      `{"accessToken":"${CANARY}","sessionToken":"${CANARY}","user":{"name":"Ada"}}`,
      `{"persona": "chatgpt-noauth", "token": "${CANARY}", "prepare_token": "${CANARY}", "turnstile": {"required": true, "dx": "${CANARY}"}, "so": {"collector_dx": "${CANARY}"}}`,
      `{"arkose_token":"${CANARY}|r=us-east-1","model":"gpt-4"}`,
      `{"status":"ok","conduit_token":"${CANARY}"}`,
      `{"wss_url":"wss://x.webpubsub.azure.com/client/hubs/h?access_token=${CANARY}","expires_at":"x"}`,
      `{"object":"string","data":"x","dx":"${CANARY}"}`,
      `{"proofofwork":{"required":true,"seed":"${CANARY}","difficulty":"0fffff"}}`,
    ];
    for (const b of bodies) {
      const out = redactBody('https://chatgpt.com/backend-api/x', b);
      expect(out, b).not.toContain(CANARY);
      expect(() => JSON.parse(out)).not.toThrow();
    }
  });

  it('redacts the sentinel proof config `p` only on sentinel URLs (v1 deltas use `p` for paths)', () => {
    expect(
      redactBody('https://chatgpt.com/backend-anon/sentinel/chat-requirements/prepare', `{"p":"${CANARY}"}`),
    ).toBe(`{"p":"${REDACTED}"}`);
    const delta = '{"p": "/message/content/parts/0", "o": "append", "v": "hi"}';
    expect(redactBody('https://chatgpt.com/backend-api/f/conversation', delta)).toBe(delta);
  });

  it('redacts the resume token in a v1 stream and JWT/Fernet shapes anywhere', () => {
    const sse = `data: {"type": "resume_conversation_token", "kind": "topic", "token": "${jwt}", "conversation_id": "c"}\n\n`;
    expect(redactText(sse)).not.toContain(CANARY);
    expect(redactText(sse)).toContain('"conversation_id": "c"');
    expect(redactText(`x ${jwt} y`)).toBe(`x ${REDACTED} y`);
    expect(redactText(`t=gAAAAABpstDg${CANARY}abcdefghijklmnopqrstu`)).not.toContain(CANARY);
  });

  it('redacts form bodies and token query parameters', () => {
    expect(
      redactBody('https://tcr9i.chat.openai.com/fc/gt2/public_key/x', `bda=${CANARY}&public_key=35536E1E`),
    ).toBe(`bda=${REDACTED}&public_key=35536E1E`);
    expect(redactUrl(`wss://ws.chatgpt.com/ws/user/1?verify=${CANARY}&x=1`)).toBe(
      `wss://ws.chatgpt.com/ws/user/1?verify=${REDACTED}&x=1`,
    );
  });

  it('leaves ordinary conversation text alone', () => {
    const text =
      'data: {"message": {"content": {"parts": ["A token of appreciation: the word token."]}}}\n\n';
    expect(redactText(text)).toBe(text);
  });
});

describe('background sanitize (defence in depth)', () => {
  it('redacts events that arrive unredacted', () => {
    const events: CaptureEvent[] = [
      {
        type: 'start',
        callId: 'a',
        pageSessionId: 'p',
        transport: 'fetch',
        method: 'POST',
        url: `https://chatgpt.com/backend-api/sentinel/chat-requirements?session_token=${CANARY}`,
        pageUrl: 'https://chatgpt.com/',
        requestHeaders: [['authorization', `Bearer ${CANARY}`]],
        requestBody: `{"p":"${CANARY}"}`,
        requestBodyEncoding: 'text',
        requestTruncated: false,
        startTime: 1,
      },
      {
        type: 'response',
        callId: 'a',
        status: 200,
        statusText: 'OK',
        responseHeaders: [['x-conduit-token', CANARY]],
        responseBodyEncoding: 'text',
        headersTime: 2,
      },
      { type: 'chunk', callId: 'a', seq: 0, time: 3, bytes: 10, data: `{"token":"${CANARY}"}` },
    ];
    expect(JSON.stringify(events.map(sanitizeEvent))).not.toContain(CANARY);
  });

  it('leaves base64 chunks (bytes) alone: a Fernet-looking run of base64 is not a token there', () => {
    const bytes = 'gAAAAAB2vcTL0abcdefghijklmnopqrstuvwxyz0123==';
    const chunk: CaptureEvent = {
      type: 'chunk',
      callId: 'a',
      seq: 0,
      time: 1,
      bytes: 30,
      data: bytes,
      encoding: 'base64',
    };
    expect(sanitizeEvent(chunk)).toEqual(chunk);
    expect(sanitizeEvent({ ...chunk, encoding: 'text' })).not.toEqual(chunk);
  });
});

describe('hostile placements (one per kind that used to survive)', () => {
  const C = 'CANARYh0st1le';
  const jweToken = `ey${'J'}hbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..9sXfq1yZkGMX7Tb2.${C}Qf3Rk8.Uo5Pj2Nn4Mq`;
  const cases: [string, string][] = [
    ['authorization in a CES JSON body', `{"event":"x","authorization":"Bearer ${C}"}`],
    ['Bearer in a beacon text body', `sent Bearer ${C}-abc in a beacon`],
    ['Bearer in a WebSocket frame', `{"type":"msg","note":"Bearer ${C}"}`],
    ['resume_token, not a JWT', `{"resume_token":"${C}"}`],
    ['resume_conversation_token, not a JWT', `{"resume_conversation_token":"${C}"}`],
    ['accessToken URL parameter', `https://chatgpt.com/x?accessToken=${C}`],
    ['id_token in a fragment', `https://chatgpt.com/cb#id_token=${C}&state=1`],
    ['refresh_token in a fragment', `https://chatgpt.com/#refresh_token=${C}`],
    ['access_token in a fragment', `https://chatgpt.com/#access_token=${C}`],
    ['FormData field (as the hook encodes it)', `model=gpt-4o&refresh_token=${C}`],
    ['multipart field', `--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${C}\r\n--b--\r\n`],
    ['session cookie echoed in a body', `{"debug":"__Secure-next-auth.session-token=${C}; Path=/"}`],
    ['JWE with an empty second segment', `{"blob":"${jweToken}"}`],
    ['JSON inside a JSON string', JSON.stringify({ payload: JSON.stringify({ apiKey: C }) })],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const out = redactText(text);
      expect(out).not.toContain(C);
      expect(out).toContain(REDACTED);
    });
  }

  it('base64-wrapped WebSocket payload (Azure Web PubSub: base64 SSE in a JSON field)', () => {
    const frame = `{"type":"message","data":{"body":"${btoa(`data: {"accessToken":"${C}"}\n\n`)}"}}`;
    const body = atob(JSON.parse(redactText(frame)).data.body);
    expect(body).toBe(`data: {"accessToken":"${REDACTED}"}\n\n`);
  });

  it('keeps the shape: markers in place, base64 still base64 of the redacted text', () => {
    expect(redactText(`{"accessToken":"${C}","n":1}`)).toBe(`{"accessToken":"${REDACTED}","n":1}`);
    expect(redactText(`x Bearer ${C} y`)).toBe(`x Bearer ${REDACTED} y`);
    expect(redactUrl(`https://a/#access_token=${C}&state=s`)).toBe(
      `https://a/#access_token=${REDACTED}&state=s`,
    );
    const frame = JSON.parse(redactText(`{"data":"${btoa(`{"token":"${C}","id":"m1"}`)}"}`));
    expect(atob(frame.data)).toBe(`{"token":"${REDACTED}","id":"m1"}`);
    expect(redactText('{"turnstile":{"a":{"b":"c"}},"x":1}')).toBe(`{"turnstile":"${REDACTED}","x":1}`);
  });

  it('carries a secret key to its value on a later line (pretty-printed /api/auth/session)', () => {
    const b = new LineBuffer();
    const out = [
      '{\n  "user": {"id": "u1"},\n  "accessToken":\n',
      `    "${C}",\n  "sessionToken"\n`,
      `    : "${C}",\n  "expires": "2026"\n}\n`,
    ]
      .map((p) => b.push(p))
      .join('');
    expect(out + b.end()).toBe(
      `{\n  "user": {"id": "u1"},\n  "accessToken":\n    "${REDACTED}",\n  "sessionToken"\n    : "${REDACTED}",\n  "expires": "2026"\n}\n`,
    );
  });

  it('leaves prose, ids and slugs alone', () => {
    const text =
      'data: {"id":"msg-1","model_slug":"gpt-4o","parts":["A Bearer token, token=, the token count: 3 tokens."],"count_tokens":3,"idx":2}\n\n';
    expect(redactText(text)).toBe(text);
    expect(isSecretName('max_tokens')).toBe(false);
    for (const n of ['accessToken', 'access-token', 'ID_TOKEN', 'x-conduit-token', 'apiKey', 'client_secret'])
      expect(isSecretName(n), n).toBe(true);
  });

  it('private and secret keys and signed-URL signatures are secrets; plain keys are not (found in review)', () => {
    for (const n of ['secret_key', 'privateKey', 'aws_secret_access_key', 'client_credentials'])
      expect(isSecretName(n), n).toBe(true);
    for (const n of ['key', 'message_key', 'idempotency_key', 'keys']) expect(isSecretName(n), n).toBe(false);
    expect(redactText(`{"secret_key":"${CANARY}","key":"k1"}`)).toBe(
      `{"secret_key":"${REDACTED}","key":"k1"}`,
    );
    const url = `https://files.example/x.png?X-Amz-Credential=${CANARY}a&X-Amz-Signature=${CANARY}b&w=1`;
    expect(redactUrl(url)).not.toContain(CANARY);
    expect(redactUrl(url)).toContain('w=1');
  });
});
