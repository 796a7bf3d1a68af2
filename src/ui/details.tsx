/**
 * One call, in full: method, URL, status and timings; request and response headers; bodies pretty-printed
 * with folding; the decoded stream (each event with its time); and whether the bodies match their schemas
 * (schema drift is flagged, never hidden).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { DecodeCache } from '../analysis/index';
import type { Turn } from '../analysis/types';
import type { DecodedTurn } from '../protocol/decoded';
import { type ValidationResult, validateBody } from '../protocol/schemas/index';
import { isEventStream, joinBody } from '../store/call-facts';
import type { StoredCall, StoredChunk } from '../store/schema';
import {
  callLabel,
  formatBytes,
  formatClock,
  formatMs,
  formatOffset,
  KIND_LABEL,
  OUTCOME_LABEL,
} from './format';
import { BodyView, JsonView, LazyDetails } from './json-view';
import { callTiming } from './timeline-model';

export interface DetailsProps {
  call: StoredCall;
  /** Position within its turn group (the timeline's number), when known. */
  n: number | null;
  chunks: readonly StoredChunk[] | undefined;
  /** The turn this call is the send of, when it is one (its decoded answer is already there). */
  turn: Turn | null;
  cache: DecodeCache;
  origin: number;
  onClose: () => void;
  /** Asks for the call's chunks when the analysis did not load them. */
  onNeedChunks: (callId: string) => void;
}

const STATUS_TEXT: Record<ValidationResult['status'], string> = {
  ok: 'matches its schema',
  unrecognized: 'does not match its schema (schema drift)',
  'not-json': 'not JSON',
  empty: 'no body',
  binary: 'binary (not checked)',
  'no-schema': 'no schema for this endpoint',
};

function SchemaFlag({ side, result }: { side: string; result: ValidationResult }) {
  const bad = result.status === 'unrecognized';
  return (
    <li class={bad ? 'flag-bad' : result.status === 'ok' ? 'flag-ok' : 'flag-neutral'}>
      <span class="flag-icon" aria-hidden="true">
        {bad ? '✗' : result.status === 'ok' ? '✓' : '·'}
      </span>
      <span>
        {side}: {STATUS_TEXT[result.status]}
        {result.issue && (
          <>
            {' '}
            at <code>{result.issue.path || '/'}</code>: {result.issue.message}
          </>
        )}
      </span>
    </li>
  );
}

function Headers({ list }: { list: readonly (readonly [string, string])[] | undefined }) {
  if (!list || list.length === 0) return <p class="muted">None captured.</p>;
  return (
    <table class="kv">
      <tbody>
        {list.map(([k, v], i) => (
          <tr key={i}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DetailsPanel(props: DetailsProps) {
  const { call, chunks, turn, cache, origin } = props;
  const closeRef = useRef<HTMLButtonElement>(null);
  const stream = isEventStream(call) || call.transport === 'websocket';
  const t = callTiming(call);

  useEffect(() => {
    if (!chunks && (call.chunkCount ?? 1) > 0) props.onNeedChunks(call.callId);
  }, [call.callId]);

  useEffect(() => {
    closeRef.current?.focus({ preventScroll: true });
  }, [call.callId]);

  const decoded: DecodedTurn | null = useMemo(() => {
    if (turn?.callId === call.callId) return turn.decodedResponse ?? turn.decoded;
    if (!stream || !chunks) return null;
    return cache.decode(call, chunks);
  }, [call, chunks, turn, cache, stream]);

  const responseText = useMemo(
    () => (chunks && !stream ? joinBody(chunks, call.responseBodyEncoding ?? 'text') : null),
    [chunks, stream, call.responseBodyEncoding],
  );
  const requestCheck = useMemo(
    () =>
      call.requestTruncated
        ? null
        : validateBody(call.kind, 'request', call.requestBody, call.requestBodyEncoding, { url: call.url }),
    [call],
  );
  const responseCheck = useMemo(() => {
    if (stream || call.truncated || responseText === null) return null;
    const ctx: { url: string; status?: number } = { url: call.url };
    if (call.status !== undefined) ctx.status = call.status;
    return validateBody(call.kind, 'response', responseText, call.responseBodyEncoding ?? 'text', ctx);
  }, [call, responseText, stream]);

  const label = callLabel(call);
  return (
    <aside class="details" aria-label={`Details of ${label}`}>
      <div class="details-head">
        <h3>
          {props.n !== null && <span class="tl-n">{props.n}</span>} {label}
        </h3>
        <span class="spacer" />
        <button
          ref={closeRef}
          type="button"
          class="btn btn-icon"
          aria-label="Close details (Esc)"
          onClick={props.onClose}
        >
          ✕
        </button>
      </div>
      <div class="details-body">
        <dl class="summary">
          <dt>Request</dt>
          <dd class="mono url">
            <strong>{call.method}</strong> {call.url}
          </dd>
          <dt>Status</dt>
          <dd>
            {call.status !== undefined
              ? `${call.status} ${call.statusText ?? ''}`
              : t.live
                ? 'waiting…'
                : '—'}
            {call.outcome && call.outcome !== 'complete' && (
              <span class="badge badge-warn">{OUTCOME_LABEL[call.outcome]}</span>
            )}
            {call.malformedText && (
              <span class="badge badge-warn" title="Bytes that are not valid UTF-8 were replaced with U+FFFD">
                malformed UTF-8
              </span>
            )}
            {call.bodiesDropped && (
              <span class="badge" title="The retention settings dropped this telemetry call's bodies">
                bodies dropped
              </span>
            )}
            {call.error && <span class="muted"> {call.error}</span>}
          </dd>
          <dt>Kind</dt>
          <dd>
            {KIND_LABEL[call.kind]} <span class="muted">· {call.transport}</span>
            {call.importId && <span class="badge">imported</span>}
          </dd>
          <dt>Started</dt>
          <dd>
            {formatClock(call.startTime)}{' '}
            <span class="muted">({formatOffset(call.startTime - origin)} in the conversation)</span>
          </dd>
          <dt>Waiting</dt>
          <dd>{formatMs(t.waitingMs)}</dd>
          <dt>Receiving</dt>
          <dd>
            {formatMs(t.receivingMs)}
            {t.live && ' (streaming)'}
          </dd>
          <dt>Total</dt>
          <dd>{t.totalMs !== null ? formatMs(t.totalMs) : 'not ended yet'}</dd>
          <dt>Body</dt>
          <dd>
            {formatBytes(call.bodyBytes)}
            {call.chunkCount !== undefined && <span class="muted"> in {call.chunkCount} reads</span>}
            {call.truncated && <span class="badge badge-warn">cut at the size limit</span>}
          </dd>
        </dl>

        <section aria-label="Schema checks">
          <h4>Schema</h4>
          <ul class="flags">
            {requestCheck ? (
              <SchemaFlag side="Request body" result={requestCheck} />
            ) : (
              <li class="flag-neutral">Request body: cut at the size limit (not checked)</li>
            )}
            {responseCheck && <SchemaFlag side="Response body" result={responseCheck} />}
            {decoded && (
              <li class={decoded.unknown.length > 0 || decoded.errors.length > 0 ? 'flag-bad' : 'flag-ok'}>
                <span class="flag-icon" aria-hidden="true">
                  {decoded.unknown.length > 0 || decoded.errors.length > 0 ? '✗' : '✓'}
                </span>
                <span>
                  Stream ({decoded.format}): {decoded.events.length} events
                  {decoded.unknown.length > 0
                    ? `, ${decoded.unknown.length} not understood`
                    : ', all understood'}
                  {decoded.errors.length > 0 && `, errors: ${decoded.errors.join('; ')}`}
                </span>
              </li>
            )}
          </ul>
        </section>

        <LazyDetails class="section" summary={`Request headers (${call.requestHeaders.length})`}>
          {() => <Headers list={call.requestHeaders} />}
        </LazyDetails>
        <LazyDetails class="section" summary={`Response headers (${call.responseHeaders?.length ?? 0})`}>
          {() => <Headers list={call.responseHeaders} />}
        </LazyDetails>
        <LazyDetails class="section" open summary="Request body">
          {() => (
            <>
              {call.requestTruncated && <p class="badge badge-warn">Cut at the size limit.</p>}
              <BodyView text={call.requestBody} encoding={call.requestBodyEncoding} />
            </>
          )}
        </LazyDetails>
        {decoded ? (
          <DecodedStream decoded={decoded} start={call.startTime} live={t.live} />
        ) : (
          <LazyDetails class="section" open summary="Response body">
            {() =>
              chunks === undefined && (call.chunkCount ?? 1) > 0 ? (
                <p class="muted">Loading…</p>
              ) : (
                <BodyView text={responseText} encoding={call.responseBodyEncoding} />
              )
            }
          </LazyDetails>
        )}
        {decoded && chunks && (
          <LazyDetails class="section" summary={`Raw body (${chunks.length} reads)`}>
            {() => <pre class="body-text">{joinBody(chunks)}</pre>}
          </LazyDetails>
        )}
      </div>
    </aside>
  );
}

function DecodedStream({ decoded, start, live }: { decoded: DecodedTurn; start: number; live: boolean }) {
  return (
    <section class="section decoded" aria-label="Decoded stream">
      <h4>Decoded stream</h4>
      <dl class="summary">
        <dt>Format</dt>
        <dd>{decoded.format}</dd>
        <dt>Conversation</dt>
        <dd class="mono">{decoded.conversationId ?? '—'}</dd>
        <dt>Model</dt>
        <dd>{decoded.model ?? '—'}</dd>
        <dt>Ended by</dt>
        <dd>
          {live ? 'still streaming' : decoded.terminator}
          {decoded.incomplete && !live && <span class="badge badge-warn">incomplete</span>}
        </dd>
        {decoded.title && (
          <>
            <dt>Title</dt>
            <dd>{decoded.title}</dd>
          </>
        )}
      </dl>
      <h5>Answer</h5>
      <p class="reply-text stream-text">{decoded.text || <span class="muted">(no text yet)</span>}</p>
      <LazyDetails summary={`Events (${decoded.events.length})`} open={decoded.events.length <= 60}>
        {() => (
          <ol class="events">
            {decoded.events.map((e, i) => (
              <li key={i} class={e.flag ? 'event flagged' : e.content ? 'event content' : 'event'}>
                <span class="ev-time num">{formatOffset(e.time - start)}</span>
                <span class="ev-label">{e.label}</span>
                {e.content && (
                  <span class="ev-content" title="added answer text">
                    text
                  </span>
                )}
                {e.flag && <span class="badge badge-error">{e.flag}</span>}
                <EventData data={e.data} />
              </li>
            ))}
          </ol>
        )}
      </LazyDetails>
      {decoded.unknown.length > 0 && (
        <LazyDetails summary={`Not understood (${decoded.unknown.length})`} class="flag-bad">
          {() => (
            <ul>
              {decoded.unknown.map((u, i) => (
                <li key={i} class="mono">
                  {u}
                </li>
              ))}
            </ul>
          )}
        </LazyDetails>
      )}
    </section>
  );
}

function EventData({ data }: { data: string }) {
  const short = data.length > 90 ? `${data.slice(0, 90)}…` : data;
  const t = data.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return <code class="ev-data">{short}</code>;
  return (
    <LazyDetails class="ev-json" summary={<code class="ev-data">{short}</code>}>
      {() => {
        try {
          return <JsonView value={JSON.parse(t) as unknown} openDepth={1} />;
        } catch {
          return <pre class="body-text">{data}</pre>;
        }
      }}
    </LazyDetails>
  );
}
