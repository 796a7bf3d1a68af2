/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): one entry per captured call, one page per
 * page session, so the capture opens in Chrome's and Firefox's Network panels and in HAR viewers.
 *
 * What HAR has no field for travels in custom fields (names start with `_`, as the spec allows):
 * - `_resourceType`: Chrome's Type column (fetch, xhr, ping for beacons, websocket);
 * - `_webSocketMessages`: WebSocket frames, in Chrome's own convention ({type: send|receive, time in
 *   seconds since the epoch, opcode, data}), so DevTools shows them in its Messages tab;
 * - `_sseEvents`: the events of an event stream with their arrival times (same time convention);
 * - `_flowRecorder`: the recorder's own record (call id, page session, kind, conversation id, exact
 *   sub-millisecond times, outcome, truncation), so a HAR made here imports back with the same identity.
 *
 * Timings: the fetch API cannot see DNS, connect or TLS, so blocked/dns/connect/ssl are -1 (unknown);
 * send is 0 (the request's upload is not observable), wait runs to the response headers, receive to the
 * end of the body.
 */
import { header, isEventStream, joinBody } from '../store/call-facts';
import type { StoredCall, StoredChunk } from '../store/schema';
import type { HarFlowRecorder, HarSseEvent, HarWebSocketMessage } from './har-fields';
import { parseSseBlock, timedBlocks } from './sse-blocks';

export type { HarFlowRecorder, HarSseEvent, HarWebSocketMessage } from './har-fields';

/**
 * The page hook cannot see the protocol version. ChatGPT serves h2 (h3 in some 2026 captures); Chrome
 * DevTools and Firefox accept any string here, and "HTTP/2.0" is what both show for h2 in their own HARs.
 */
export const HTTP_VERSION = 'HTTP/2.0';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  pageref: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: [];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; params?: HarNameValue[]; _encoding?: 'base64' };
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: [];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64'; comment?: string };
    redirectURL: string;
    headersSize: -1;
    bodySize: -1;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: { blocked: -1; dns: -1; connect: -1; ssl: -1; send: number; wait: number; receive: number };
  _resourceType: string;
  _sseEvents?: HarSseEvent[];
  _webSocketMessages?: HarWebSocketMessage[];
  _flowRecorder: HarFlowRecorder;
}

export interface HarPage {
  startedDateTime: string;
  id: string;
  title: string;
  pageTimings: { onContentLoad: -1; onLoad: -1 };
}

const RESOURCE_TYPES: Record<StoredCall['transport'], string> = {
  fetch: 'fetch',
  xhr: 'xhr',
  beacon: 'ping',
  websocket: 'websocket',
};

/** Microsecond precision: the capture's clock has it, and float noise beyond it helps nobody. */
const round = (ms: number) => Math.round(ms * 1000) / 1000;
const seconds = (ms: number) => Math.round(ms * 1000) / 1_000_000;
export const isoTime = (ms: number) => new Date(ms).toISOString();

const nameValues = (list: readonly [string, string][] | undefined): HarNameValue[] =>
  (list ?? []).map(([name, value]) => ({ name, value }));

function queryString(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const h = url.indexOf('#', q);
  const out: HarNameValue[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(q + 1, h === -1 ? undefined : h))) {
    out.push({ name, value });
  }
  return out;
}

const utf8 = new TextEncoder();

function base64Length(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - pad);
}

export function harPage(id: string, startTime: number, pageUrl: string): HarPage {
  return {
    startedDateTime: isoTime(startTime),
    id,
    title: pageUrl,
    pageTimings: { onContentLoad: -1, onLoad: -1 },
  };
}

export function harEntry(call: StoredCall, chunks: readonly StoredChunk[]): HarEntry {
  const start = call.startTime;
  const headersAt = call.headersTime;
  const end = Math.max(start, call.endTime ?? call.lastChunkTime ?? headersAt ?? start);
  const wait = headersAt !== undefined ? Math.max(0, headersAt - start) : end - start;
  const receive = headersAt !== undefined ? Math.max(0, end - headersAt) : 0;
  const ordered = [...chunks].sort((a, b) => a.seq - b.seq);
  const inbound = ordered.filter((c) => c.direction !== 'out');

  const requestContentType = header(call.requestHeaders, 'content-type');
  const request: HarEntry['request'] = {
    method: call.method,
    url: call.url,
    httpVersion: HTTP_VERSION,
    cookies: [],
    headers: nameValues(call.requestHeaders),
    queryString: queryString(call.url),
    headersSize: -1,
    bodySize: 0,
  };
  if (call.requestBody !== null) {
    const base64 = call.requestBodyEncoding === 'base64';
    const postData: NonNullable<HarEntry['request']['postData']> = {
      mimeType: requestContentType ?? (base64 ? 'application/octet-stream' : 'text/plain'),
      text: call.requestBody,
    };
    if (base64) postData._encoding = 'base64';
    else if (/application\/x-www-form-urlencoded/i.test(requestContentType ?? '')) {
      postData.params = [...new URLSearchParams(call.requestBody)].map(([name, value]) => ({ name, value }));
    }
    request.postData = postData;
    request.bodySize = base64 ? base64Length(call.requestBody) : utf8.encode(call.requestBody).length;
  }

  const encoding = call.responseBodyEncoding ?? 'text';
  const content: HarEntry['response']['content'] = {
    size: call.bodyBytes ?? inbound.reduce((n, c) => n + c.bytes, 0),
    mimeType: header(call.responseHeaders, 'content-type') ?? 'x-unknown',
  };
  if (call.transport !== 'websocket' && inbound.length > 0) {
    content.text = joinBody(inbound, encoding);
    if (encoding === 'base64') content.encoding = 'base64';
  }
  if (call.truncated) content.comment = 'Body cut at the recorder’s size cap; the rest was not recorded.';

  const response: HarEntry['response'] = {
    status: call.status ?? 0,
    statusText: call.statusText ?? '',
    httpVersion: HTTP_VERSION,
    cookies: [],
    headers: nameValues(call.responseHeaders),
    content,
    redirectURL: header(call.responseHeaders, 'location') ?? '',
    headersSize: -1,
    bodySize: -1,
  };
  if (call.outcome !== undefined && call.outcome !== 'complete') {
    response._error = call.error ?? (call.outcome === 'cancelled' ? 'cancelled by the page' : call.outcome);
  }

  const entry: HarEntry = {
    pageref: call.pageSessionId,
    startedDateTime: isoTime(start),
    time: round(wait + receive),
    request,
    response,
    cache: {},
    timings: {
      blocked: -1,
      dns: -1,
      connect: -1,
      ssl: -1,
      send: 0,
      wait: round(wait),
      receive: round(receive),
    },
    _resourceType: RESOURCE_TYPES[call.transport],
    _flowRecorder: flowRecorderOf(call),
  };
  if (call.transport === 'websocket') {
    entry._webSocketMessages = ordered.map((c) => ({
      type: c.direction === 'out' ? 'send' : 'receive',
      time: seconds(c.time),
      opcode: 1,
      data: c.data,
    }));
  } else if (isEventStream(call) && encoding === 'text') {
    entry._sseEvents = timedBlocks(inbound).map((b) => {
      const f = parseSseBlock(b.data);
      const ev: HarSseEvent = { time: seconds(b.time), data: f.data };
      if (f.event !== undefined) ev.event = f.event;
      if (f.id !== undefined) ev.id = f.id;
      if (f.comment !== undefined) ev.comment = f.comment;
      return ev;
    });
  }
  return entry;
}

function flowRecorderOf(call: StoredCall): HarFlowRecorder {
  const r: HarFlowRecorder = {
    callId: call.callId,
    pageSessionId: call.pageSessionId,
    tabId: call.tabId,
    kind: call.kind,
    conversationId: call.conversationId,
    transport: call.transport,
    startTime: call.startTime,
    requestTruncated: call.requestTruncated,
    requestBodyEncoding: call.requestBodyEncoding,
  };
  const optional = [
    'headersTime',
    'firstChunkTime',
    'lastChunkTime',
    'endTime',
    'outcome',
    'error',
    'truncated',
    'keepalive',
    'bodyBytes',
    'chunkCount',
    'importId',
  ] as const;
  for (const k of optional) {
    const v = call[k];
    if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = v;
  }
  return r;
}
