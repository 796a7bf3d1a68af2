import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { redactText } from '../capture/redact';
import { joinBody } from '../store/call-facts';
import { exportToText } from './export';
import type { HarEntry, HarPage } from './har';
import { parseImportText } from './import';
import { memorySource, merge, personalCapture, seedAndReal } from './test-data';

const require = createRequire(import.meta.url);

/** HAR 1.2 as published by har-schema (draft-06 JSON Schemas), checked with ajv. */
function harValidator() {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  for (const schema of Object.values(require('har-schema') as Record<string, object>)) ajv.addSchema(schema);
  const validate = ajv.getSchema('har.json#');
  if (!validate) throw new Error('har-schema did not load');
  return validate;
}

interface Har {
  log: { version: string; creator: { name: string }; pages: HarPage[]; entries: HarEntry[] };
}

const ALL = { label: 'All captures', callIds: null };

async function exportHar(shareSafe = false) {
  const cap = merge(seedAndReal('har'), personalCapture());
  const { text } = await exportToText(memorySource(cap), { format: 'har', shareSafe, scope: ALL });
  return { cap, text, har: JSON.parse(text) as Har };
}

describe('HAR export', () => {
  it('is valid HAR 1.2 (har-schema + ajv), plain and share-safe', async () => {
    const validate = harValidator();
    for (const shareSafe of [false, true]) {
      const { har } = await exportHar(shareSafe);
      const valid = validate(har);
      expect(validate.errors ?? [], `share-safe ${shareSafe}`).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it('also holds what the schema cannot say: times add up, dates and URLs parse, pages exist', async () => {
    const { cap, har } = await exportHar();
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries).toHaveLength(cap.calls.length);
    const pages = new Set(har.log.pages.map((p) => p.id));
    for (const e of har.log.entries) {
      const t = e.timings;
      // HAR 1.2: send, wait and receive are required and non-negative; -1 means "does not apply".
      for (const v of [t.send, t.wait, t.receive]) expect(v).toBeGreaterThanOrEqual(0);
      expect([t.blocked, t.dns, t.connect, t.ssl]).toEqual([-1, -1, -1, -1]);
      expect(e.time).toBeCloseTo(t.send + t.wait + t.receive, 2);
      expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
      expect(() => new URL(e.request.url)).not.toThrow();
      expect(pages.has(e.pageref)).toBe(true);
    }
  });

  it('carries the stream events with their times, socket frames, binary bodies and call identity', async () => {
    const { cap, har } = await exportHar();
    const byId = new Map(har.log.entries.map((e) => [e._flowRecorder.callId, e]));
    const send = cap.calls.find((c) => c.kind === 'conversation' && c.pageSessionId === 'seed-page');
    const entry = byId.get(send?.callId ?? '');
    expect(entry?.response.content.text).toBe(joinBody(cap.chunks.get(send?.callId ?? '') ?? []));
    expect(entry?.timings.wait).toBeCloseTo((send?.headersTime ?? 0) - (send?.startTime ?? 0), 3);
    const events = entry?._sseEvents ?? [];
    expect(events.length).toBeGreaterThan(5);
    expect(events.at(-1)?.data).toBe('[DONE]');
    for (let i = 1; i < events.length; i++)
      expect(events[i]?.time).toBeGreaterThanOrEqual(events[i - 1]?.time ?? 0);
    // Seconds since the epoch, like Chrome's _webSocketMessages.
    expect(events[0]?.time).toBeGreaterThan(1_000_000_000);
    expect(events[0]?.time).toBeLessThan(10_000_000_000);

    const socket = har.log.entries.find((e) => e._resourceType === 'websocket');
    expect(socket?._webSocketMessages?.map((m) => m.type)).toEqual(['send', 'receive', 'receive']);
    expect(socket?.response.content.text).toBeUndefined();

    const gzip = har.log.entries.find((e) => e.request.url.includes('gz=1'));
    expect(gzip?.request.postData?._encoding).toBe('base64');
    expect(entry?.request.httpVersion).toBe('HTTP/2.0');
  });

  it('imports back with the same calls, bodies and stream timing', async () => {
    const { cap, text } = await exportHar();
    const parsed = await parseImportText(text);
    expect(parsed.source).toBe('har');
    expect(parsed.calls).toHaveLength(cap.calls.length);
    const original = new Map(cap.calls.map((c) => [c.callId, c]));
    const chunksOf = (id: string) => parsed.chunks.filter((c) => c.callId === id);
    for (const c of parsed.calls) {
      const o = original.get(c.callId);
      expect(o, c.callId).toBeDefined();
      if (!o) continue;
      expect(c).toMatchObject({
        pageSessionId: o.pageSessionId,
        kind: o.kind,
        conversationId: o.conversationId,
        method: o.method,
        status: o.status,
        startTime: o.startTime,
        headersTime: o.headersTime,
        endTime: o.endTime,
        transport: o.transport,
        requestBodyEncoding: o.requestBodyEncoding,
      });
      if (o.transport === 'websocket') {
        // The hook marks received frames 'in'; absent means the same.
        expect(chunksOf(c.callId).map((x) => [x.data, x.direction ?? 'in'])).toEqual(
          (cap.chunks.get(o.callId) ?? []).map((x) => [x.data, x.direction ?? 'in']),
        );
      } else {
        // Secrets were redacted on export: compare with what a redacted store holds.
        expect(joinBody(chunksOf(c.callId), c.responseBodyEncoding)).toBe(
          redactText(joinBody(cap.chunks.get(o.callId) ?? [])),
        );
      }
    }
    const send = parsed.calls.find((c) => c.kind === 'conversation' && c.pageSessionId === 'seed-page');
    // One chunk per event, each at the time the event completed.
    expect(chunksOf(send?.callId ?? '').length).toBeGreaterThan(5);
    expect(send?.lastChunkTime).toBe(original.get(send?.callId ?? '')?.lastChunkTime);
  });
});
