/**
 * JSON shown the way DevTools' preview does: objects and arrays fold (a <details> each, the first levels
 * open), long arrays show their first entries. Closed folds do not render their content, so a large body
 * costs nothing until it is opened.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { inflateGzipBase64, isGzipBase64 } from './gzip';

const MAX_ENTRIES = 300;

/** <details> whose children are only rendered once it has been opened. */
export function LazyDetails(props: {
  summary: ComponentChildren;
  open?: boolean;
  class?: string;
  children: () => ComponentChildren;
}) {
  const [opened, setOpened] = useState(props.open ?? false);
  return (
    <details
      class={props.class}
      open={props.open}
      onToggle={(e) => {
        if (e.currentTarget.open) setOpened(true);
      }}
    >
      <summary>{props.summary}</summary>
      {opened && props.children()}
    </details>
  );
}

function preview(value: unknown): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const head = keys.slice(0, 4).join(', ');
    return `{${head}${keys.length > 4 ? ', …' : ''}}`;
  }
  return '';
}

function Primitive({ value }: { value: unknown }) {
  if (value === null) return <span class="j-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span class="j-str">{JSON.stringify(value)}</span>;
    case 'number':
      return <span class="j-num">{String(value)}</span>;
    case 'boolean':
      return <span class="j-bool">{String(value)}</span>;
    default:
      return <span>{String(value)}</span>;
  }
}

export function JsonView({
  value,
  name,
  depth = 0,
  openDepth = 2,
}: {
  value: unknown;
  name?: string;
  depth?: number;
  openDepth?: number;
}) {
  const label = name !== undefined ? <span class="j-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="j-line">
        {label}
        <Primitive value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    return (
      <div class="j-line">
        {label}
        <span class="j-punct">{Array.isArray(value) ? '[]' : '{}'}</span>
      </div>
    );
  }
  return (
    <LazyDetails
      class="j-node"
      open={depth < openDepth}
      summary={
        <>
          {label}
          <span class="j-preview">{preview(value)}</span>
        </>
      }
    >
      {() => (
        <div class="j-children">
          {entries.slice(0, MAX_ENTRIES).map(([k, v]) => (
            <JsonView key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > MAX_ENTRIES && (
            <div class="j-more muted">… {entries.length - MAX_ENTRIES} more</div>
          )}
        </div>
      )}
    </LazyDetails>
  );
}

/** A body: folded JSON when it parses (also newline-delimited JSON), else preformatted text. */
export function BodyView({
  text,
  encoding,
}: {
  text: string | null;
  encoding?: 'text' | 'base64' | undefined;
}) {
  if (text === null || text === '') return <p class="muted">No body.</p>;
  if (encoding === 'base64' && isGzipBase64(text)) return <GzipBodyView data={text} />;
  if (encoding === 'base64') {
    return (
      <p class="muted">
        Binary body, {Math.floor((text.length * 3) / 4).toLocaleString('en-US')} bytes (stored base64).
      </p>
    );
  }
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return <JsonView value={JSON.parse(t) as unknown} />;
    } catch {
      const lines = t.split(/\r?\n/).filter((l) => l.trim());
      try {
        const values = lines.map((l) => JSON.parse(l) as unknown);
        return <JsonView value={values} name={`${values.length} JSON lines`} />;
      } catch {
        // Not JSON after all: show it as text.
      }
    }
  }
  return (
    <pre class="body-text">
      {text.length > 200_000
        ? `${text.slice(0, 200_000)}\n… (${text.length - 200_000} more characters)`
        : text}
    </pre>
  );
}

/** A gzip body (Statsig `gz=1` batches): inflated in the browser and shown like any other body. */
function GzipBodyView({ data }: { data: string }) {
  const [text, setText] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void inflateGzipBase64(data).then((t) => live && setText(t));
    return () => {
      live = false;
    };
  }, [data]);
  const size = Math.floor((data.length * 3) / 4).toLocaleString('en-US');
  if (text === undefined) return <p class="muted">Inflating gzip body ({size} bytes)…</p>;
  if (text === null) return <p class="muted">Binary body, {size} bytes (gzip that does not inflate).</p>;
  return (
    <>
      <p class="muted">gzip body, {size} bytes, inflated:</p>
      <BodyView text={text} />
    </>
  );
}
