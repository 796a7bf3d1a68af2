/**
 * The JSON export format, version 1: the one definition. Types come from it, the importer validates with
 * it, and docs/chatgpt-flows.schema.json is generated from it (`node --import tsx scripts/gen-schema.ts`;
 * format.test.ts fails when the checked-in file differs).
 *
 * Raw captures are exactly the store's records (src/store/schema.ts) with their chunks nested, so nothing
 * is lost on a round trip. The analysis is a projection of src/analysis's output: everything a reader
 * needs to study a flow without the extension, minus what is already in the raw captures (each decoded
 * event's raw data lives in the chunks) and minus lookup helpers (the list view's search text).
 *
 * Compatibility: version 1 only grows by optional fields and new enum values of `kind`. Readers must
 * ignore members they do not know. A change that removes or re-means a field bumps the version.
 */
import { z } from 'zod';
import {
  bodyIssue,
  callCounts,
  flowCheck,
  latencyComparison,
  latencyComparisonRow,
  latencyStats,
  latRReport,
  pageSession,
  turnLinks,
  turnMessageIds,
  turnModel,
} from '../analysis/schema';
import { decodedEvent, decodedTurn as protocolDecodedTurn } from '../protocol/decoded';
import { storedCall, storedChunk } from '../store/schema';

export const FORMAT_NAME = 'chatgpt-flow-recorder';
export const FORMAT_VERSION = 1;

const nullableString = z.string().nullable();
const ids = z.array(z.string());

/** A chunk inside its call: the store's chunk without the callId it is nested under. */
export const exportedChunk = storedChunk.omit({ callId: true });
export type ExportedChunk = z.infer<typeof exportedChunk>;

export const exportedCall = storedCall
  .extend({
    chunks: z
      .array(exportedChunk)
      .describe(
        'Response body reads (or WebSocket frames) in arrival order: join `data` for the body; base64 bodies are base64 per chunk.',
      ),
  })
  .describe('One captured call exactly as stored (secrets already redacted), with its body chunks.');
export type ExportedCall = z.infer<typeof exportedCall>;

// ---- Analysis (derived; recomputed on import, kept here for readers without the extension) ----------

// Where the analysis has an enum, the file has any string: a newer version's values must still import.
const exportedComparison = latencyComparison.extend({
  rows: z.array(
    latencyComparisonRow.extend({
      metric: z.string().describe('ttft, contentEvents, gapP50, gapP95, gapP99, total, reasoning'),
    }),
  ),
});
const exportedCheck = flowCheck.extend({ rule: z.string() });
const exportedCounts = callCounts.extend({ byKind: z.record(z.string(), z.number().int()) });

// The decoded turn is the protocol layer's one definition (src/protocol/decoded.ts); the export leaves out
// each event's raw data, which is already in the call's chunks.
const exportedDecodedEvent = decodedEvent
  .omit({ data: true })
  .describe("One event of the stream, with its arrival time; its raw data is in the call's chunks.");

const decodedTurn = protocolDecodedTurn.extend({ events: z.array(exportedDecodedEvent) });

const turn = z.object({
  index: z.number().int(),
  callId: z.string().describe('The conversation POST.'),
  pageSessionId: z.string(),
  startTime: z.number(),
  action: nullableString,
  userPrompt: nullableString,
  model: turnModel,
  assistantText: z.string(),
  answerSource: z.enum(['response', 'websocket']),
  messageIds: turnMessageIds,
  isContinuation: z.boolean(),
  requestConversationId: nullableString,
  suggestions: z.array(z.string()).nullable(),
  status: z.number().int().nullable(),
  decoded: decodedTurn,
  decodedResponse: decodedTurn.optional(),
  linkedCalls: turnLinks,
  latency: latencyStats,
  reported: latRReport.optional(),
  comparison: exportedComparison.optional(),
  live: z.boolean(),
  incomplete: z.boolean(),
});

export const exportedConversation = z.object({
  id: z.string().describe('Server conversation id, or `provisional:<callId>` while none is known.'),
  idSource: z.enum(['server', 'provisional']),
  title: nullableString,
  titleSource: z
    .enum(['stream', 'gen_title', 'conversations_list', 'conversation_get', 'conversation_update'])
    .nullable(),
  host: nullableString,
  startedAt: z.number(),
  endedAt: z.number(),
  pageSessionIds: ids,
  turnCount: z.number().int(),
  firstPrompt: nullableString,
  callIds: ids.describe('Every call linked to the conversation, in time order.'),
  turnCallIds: ids,
  counts: exportedCounts,
  flags: z.array(z.string()),
  live: z.boolean(),
  incomplete: z.boolean(),
  turns: z.array(turn),
  checks: z.array(exportedCheck),
  bodyIssues: z.array(bodyIssue),
});
export type ExportedConversation = z.infer<typeof exportedConversation>;

export const exportedPageSession = pageSession;
export type ExportedPageSession = z.infer<typeof exportedPageSession>;

export const exportedAnalysis = z
  .object({
    pageSessions: z.array(exportedPageSession),
    conversations: z.array(exportedConversation),
    errors: z
      .array(z.object({ conversationId: nullableString, message: z.string() }))
      .describe('Conversations the analysis could not process; their raw calls are still exported.'),
  })
  .describe('Derived from `calls` by the extension (src/analysis); an importer recomputes it.');
export type ExportedAnalysis = z.infer<typeof exportedAnalysis>;

export const exportFile = z
  .object({
    format: z.literal(FORMAT_NAME),
    version: z.literal(FORMAT_VERSION),
    exportedAt: z.iso.datetime().describe('When the file was written (UTC, ISO 8601).'),
    generator: z.object({ name: z.string(), version: z.string() }),
    scope: z.object({
      label: z.string().describe('What the user exported, e.g. "All captures" or a conversation title.'),
      all: z.boolean().describe('True when every stored call was exported.'),
    }),
    shareSafe: z
      .boolean()
      .describe(
        'Prompt/reply text and identifying values were replaced by placeholders (see docs/export-format.md).',
      ),
    calls: z.array(exportedCall),
    analysis: exportedAnalysis,
    counts: z.object({
      calls: z.number().int(),
      chunks: z.number().int(),
      pageSessions: z.number().int(),
      conversations: z.number().int(),
    }),
  })
  .meta({
    title: 'ChatGPT Flow Recorder export',
    description:
      'Captured ChatGPT web-app traffic with its decoded turns and analysis. Times are epoch milliseconds (sub-millisecond precision).',
  });
export type ExportFile = z.infer<typeof exportFile>;

/** The JSON Schema of the format (draft 2020-12), as checked in at docs/chatgpt-flows.schema.json. */
export function exportJsonSchema(): Record<string, unknown> {
  // io 'input': the schema of what the importer accepts, so unknown members stay allowed (forward compat).
  const schema = z.toJSONSchema(exportFile, { io: 'input', target: 'draft-2020-12' });
  return {
    $schema: schema.$schema,
    // A URN, not a URL: the format is identified by name and version, wherever the file is hosted.
    $id: `urn:${FORMAT_NAME}:export:${FORMAT_VERSION}`,
    ...schema,
  };
}

/** The checked-in file's text: stable key order, two-space indent, final newline. */
export function exportJsonSchemaText(): string {
  return `${JSON.stringify(exportJsonSchema(), null, 2)}\n`;
}
