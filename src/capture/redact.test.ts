import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from './events';
import { REDACTED, redactBody, redactHeaders, redactText, redactUrl } from './redact';
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
