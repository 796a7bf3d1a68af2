/** Test-only: a valid stored call with plain defaults (a conversation POST on chatgpt.com), overridable. */
import type { StoredCall } from './schema';

export function testCall(over: Partial<StoredCall> = {}): StoredCall {
  return {
    callId: 'c',
    pageSessionId: 'p',
    tabId: 1,
    transport: 'fetch',
    method: 'POST',
    url: 'https://chatgpt.com/backend-api/f/conversation',
    pageUrl: 'https://chatgpt.com/',
    kind: 'conversation',
    conversationId: null,
    requestHeaders: [],
    requestBody: null,
    requestBodyEncoding: 'text',
    requestTruncated: false,
    startTime: 1,
    ...over,
  };
}
