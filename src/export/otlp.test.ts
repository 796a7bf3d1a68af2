import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { makeCanaries, thinkingFlow2026 } from '../../test/flows';
import { captureFlow } from '../analysis/test-captures';
import { exportToText } from './export';
import { type OtlpSpan, spanIdOf, traceIdOf, unixNanos } from './otlp';
import { memorySource, merge, SEED_CONV, seedAndReal } from './test-data';

const ALL = { label: 'All captures', callIds: null };
const PROTO_DIR = fileURLToPath(new URL('../../test/fixtures/otlp-proto/', import.meta.url));

/** The official OTLP protobuf definitions (vendored, test/fixtures/otlp-proto/README.md). */
function loadOtlp(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => PROTO_DIR + target;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  return root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
}

/** OTLP/JSON → the protobuf JSON mapping protobufjs reads: ids are hex in OTLP/JSON, bytes in protobuf. */
function toProtoObject(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (key, value) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string'
      ? Buffer.from(value, 'hex')
      : value && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)
        ? Buffer.from(value.data)
        : value,
  );
}

function thinkingCapture() {
  return captureFlow(thinkingFlow2026(makeCanaries('otlp')), {
    prefix: 'think',
    pageSessionId: 'think-page',
  });
}

async function otlpFile(shareSafe = false) {
  const cap = merge(seedAndReal('otlp'), thinkingCapture());
  const { text, result } = await exportToText(memorySource(cap), { format: 'otlp', shareSafe, scope: ALL });
  return { cap, text, result, json: JSON.parse(text) as OtlpJson };
}

interface OtlpJson {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}
const spansOf = (j: OtlpJson) => j.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;

describe('OTLP/JSON export', () => {
  it('derives hex ids deterministically and writes nanosecond times as strings', () => {
    expect(traceIdOf('conversation:a')).toMatch(/^[0-9a-f]{32}$/);
    expect(spanIdOf('http:c1')).toMatch(/^[0-9a-f]{16}$/);
    expect(traceIdOf('conversation:a')).toBe(traceIdOf('conversation:a'));
    expect(traceIdOf('conversation:a')).not.toBe(traceIdOf('conversation:b'));
    expect(unixNanos(1714567805123.456)).toBe('1714567805123456000');
    expect(unixNanos(1714567805123)).toBe('1714567805123000000');
  });

  it('writes a trace per conversation, a GenAI chat span per turn, HTTP client spans and phase spans', async () => {
    const { json, cap, result } = await otlpFile();
    expect(result.filename).toMatch(/\.otlp\.json$/);
    const spans = spansOf(json);
    // Every call is an HTTP span exactly once.
    const http = spans.filter((s) => attr(s, 'http.request.method'));
    expect(http.map((s) => attr(s, 'chatgpt_flow.call.id')).length).toBe(cap.calls.length);
    expect(new Set(http.map((s) => s.spanId)).size).toBe(cap.calls.length);
    for (const s of http) {
      expect(s.kind).toBe(3);
      expect(attr(s, 'url.full')).toHaveProperty('stringValue');
    }
    const chats = spans.filter(
      (s) => attr(s, 'gen_ai.operation.name')?.toString() && s.name.startsWith('chat'),
    );
    expect(chats.length).toBeGreaterThanOrEqual(3);
    const seedTurn = chats.find((s) => JSON.stringify(attr(s, 'gen_ai.conversation.id')).includes(SEED_CONV));
    expect(seedTurn?.traceId).toBe(traceIdOf(`conversation:${SEED_CONV}`));
    expect(attr(seedTurn as OtlpSpan, 'gen_ai.provider.name')).toEqual({ stringValue: 'openai' });
    expect(attr(seedTurn as OtlpSpan, 'gen_ai.system')).toEqual({ stringValue: 'openai' });
    // Every parent exists in the same trace.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of spans) {
      if (!s.parentSpanId) continue;
      expect(byId.get(s.parentSpanId)?.traceId, s.name).toBe(s.traceId);
    }
    // The thinking turn: reasoning, a web.run tool call and the answer, under the chat span.
    const phases = spans.filter((s) => attr(s, 'chatgpt_flow.phase'));
    const names = phases.map((s) => s.name);
    expect(names).toContain('reasoning');
    expect(names).toContain('execute_tool web.run');
    expect(names).toContain('answer');
    const tool = phases.find((s) => s.name === 'execute_tool web.run') as OtlpSpan;
    expect(byId.get(tool.parentSpanId ?? '')?.name).toMatch(/^chat/);
    // Stream chunks are events.
    expect(http.some((s) => (s.events?.length ?? 0) > 1)).toBe(true);
  });

  it('survives the official protobuf definitions: fromObject, verify, encode, decode', async () => {
    const { json } = await otlpFile();
    const Request = loadOtlp();
    const msg = Request.fromObject(toProtoObject(json) as Record<string, unknown>);
    expect(Request.verify(msg)).toBeNull();
    const bytes = Request.encode(msg).finish();
    expect(bytes.length).toBeGreaterThan(1000);
    const back = Request.toObject(Request.decode(bytes), { longs: String, enums: Number, bytes: Array }) as {
      resourceSpans: {
        scopeSpans: {
          spans: {
            traceId: number[];
            spanId: number[];
            parentSpanId?: number[];
            name: string;
            kind: number;
            startTimeUnixNano: string;
            endTimeUnixNano: string;
            attributes: { key: string; value: Record<string, unknown> }[];
            events?: { timeUnixNano: string }[];
          }[];
        }[];
      }[];
    };
    const decoded = back.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const spans = spansOf(json);
    expect(decoded).toHaveLength(spans.length);
    const hex = (b: number[] | undefined) => Buffer.from(b ?? []).toString('hex');
    spans.forEach((s, i) => {
      const d = decoded[i];
      expect(d && hex(d.traceId)).toBe(s.traceId);
      expect(d && hex(d.spanId)).toBe(s.spanId);
      expect(d && hex(d.parentSpanId)).toBe(s.parentSpanId ?? '');
      expect(d?.name).toBe(s.name);
      expect(d?.kind).toBe(s.kind);
      expect(d?.startTimeUnixNano).toBe(s.startTimeUnixNano);
      expect(d?.endTimeUnixNano).toBe(s.endTimeUnixNano);
      expect(d?.attributes.map((a) => a.key)).toEqual(s.attributes.map((a) => a.key));
      expect((d?.events ?? []).map((e) => e.timeUnixNano)).toEqual(
        (s.events ?? []).map((e) => e.timeUnixNano),
      );
    });
    // Typed values survive: an int64 status code, a double, a string array.
    const flat = decoded.flatMap((d) => d.attributes);
    expect(flat.find((a) => a.key === 'http.response.status_code')?.value).toEqual({ intValue: '200' });
    expect(flat.find((a) => a.key === 'gen_ai.response.finish_reasons')?.value).toHaveProperty('arrayValue');
  });

  it('caps chunk events per span and counts the dropped ones', async () => {
    const cap = thinkingCapture();
    const send = cap.calls.find((c) => c.kind === 'conversation');
    if (!send) throw new Error('no send');
    const many = Array.from({ length: 100 }, (_, i) => ({
      callId: send.callId,
      seq: 1000 + i,
      time: send.startTime + 5000 + i,
      bytes: 1,
      data: ': ping\n\n',
    }));
    cap.chunks.set(send.callId, [...(cap.chunks.get(send.callId) ?? []), ...many]);
    const { text } = await exportToText(memorySource(cap), { format: 'otlp', shareSafe: false, scope: ALL });
    const span = spansOf(JSON.parse(text)).find(
      (s) => s.spanId === spanIdOf(`http:${send.callId}`),
    ) as OtlpSpan;
    expect(span.events).toHaveLength(64);
    const total = cap.chunks.get(send.callId)?.length ?? 0;
    expect(span.droppedEventsCount).toBe(total - 64);
    expect(attr(span, 'chatgpt_flow.chunks.dropped_count')).toEqual({ intValue: String(total - 64) });
  });

  it('share-safe: no canary reaches the trace file', async () => {
    const { text, cap } = await (async () => {
      const c = seedAndReal('otlpsafe');
      const r = await exportToText(memorySource(c), { format: 'otlp', shareSafe: true, scope: ALL });
      return { text: r.text, cap: c };
    })();
    expect(cap.canaries.filter((k) => text.includes(k))).toEqual([]);
  });
});
