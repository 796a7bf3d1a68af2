/**
 * The v1 operation engine (docs/protocol.md §6.2 rules 3–4): apply `{p, o, v}` to `roots[c]`. Pure and
 * total: a bad operation returns an error string and leaves the document as it was, it never throws.
 */
import { isRecord, type JsonRecord, own, setOwn } from '../json';

/** Documents by channel `c`. */
export type Roots = Map<number, unknown>;

/** Nested patches are not seen in captures; the limit keeps hostile input from exhausting the stack. */
const MAX_PATCH_DEPTH = 16;

/** RFC 6901 JSON Pointer, relative to the root document. `null` for a malformed pointer. */
export function parsePointer(p: string): string[] | null {
  if (p === '') return [];
  if (p[0] !== '/') return null;
  const segments = p.slice(1).split('/');
  // ~1 before ~0, so "~01" decodes to "~1" and not "/".
  return p.includes('~') ? segments.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : segments;
}

const INDEX = /^(?:0|[1-9][0-9]*)$/;

function arrayIndex(segment: string): number | null {
  return INDEX.test(segment) ? Number(segment) : null;
}

function child(container: unknown, segment: string): unknown {
  if (Array.isArray(container)) {
    const i = arrayIndex(segment);
    return i === null ? undefined : container[i];
  }
  return isRecord(container) ? own(container, segment) : undefined;
}

/**
 * append (docs/protocol.md §6.2 table, settled in §11/§13): string + string concatenates; array + array
 * extends by `v`'s elements (the server appends one-element arrays to `thoughts`, `content_references`,
 * `search_result_groups`, `safe_urls`, and later operations index those elements); array + anything else
 * pushes `v`; object + object shallow-merges (merge, not replace: the final metadata append must keep
 * model_slug); missing sets `v`. Returns the new value, or an error string.
 */
function appended(target: unknown, v: unknown): { value: unknown } | { error: string } {
  if (target === undefined || target === null) return { value: v };
  if (typeof target === 'string') {
    return typeof v === 'string' ? { value: target + v } : { error: 'append of a non-string to a string' };
  }
  if (Array.isArray(target)) {
    // A loop, not push(...v): a hostile stream may send an array too long for the argument list.
    if (Array.isArray(v)) for (const item of v) target.push(item);
    else target.push(v);
    return { value: target };
  }
  if (isRecord(target)) {
    if (!isRecord(v)) return { error: 'append of a non-object to an object' };
    for (const key of Object.keys(v)) setOwn(target, key, own(v, key));
    return { value: target };
  }
  return { error: `append to a ${typeof target}` };
}

/** truncate: cut a string or array to length `v` (never captured; the chat2api-derived rule, §11). */
function truncated(target: unknown, v: unknown): { value: unknown } | { error: string } {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    return { error: 'truncate length is not a count' };
  if (typeof target === 'string') return { value: target.slice(0, v) };
  if (Array.isArray(target)) {
    if (target.length > v) target.length = v;
    return { value: target };
  }
  return { error: target === undefined ? 'truncate of a missing member' : `truncate of a ${typeof target}` };
}

export class DeltaEngine {
  constructor(private readonly roots: Roots) {}

  /**
   * Apply one operation at pointer `p` on `roots[c]`. Returns null on success, else why it was not applied.
   * For nested patches the errors of the sub-operations are joined; good sub-operations still apply.
   */
  apply(c: number, p: string, o: string, v: unknown, depth = 0): string | null {
    const path = parsePointer(p);
    if (path === null) return `bad path "${p}"`;
    // `v` is never inherited (rule 2); only remove can do without it.
    if (v === undefined && o !== 'remove') return `${o} without v`;
    if (o === 'patch') return this.patch(c, path, v, depth);
    if (path.length === 0) return this.applyRoot(c, o, v);
    if (!this.roots.has(c)) return `no document for c=${c}`;
    let container = this.roots.get(c);
    for (let i = 0; i < path.length - 1; i++) {
      container = child(container, path[i] ?? '');
      if (typeof container !== 'object' || container === null) return `path not found: ${p}`;
    }
    const key = path[path.length - 1] ?? '';
    if (Array.isArray(container)) return this.applyInArray(container, key, o, v, p);
    if (isRecord(container)) return this.applyInObject(container, key, o, v, p);
    return `path not found: ${p}`;
  }

  /** Root ops: add/replace install a new document (the next message); the rest follow the general rules. */
  private applyRoot(c: number, o: string, v: unknown): string | null {
    switch (o) {
      case 'add':
      case 'replace':
        this.roots.set(c, v);
        return null;
      case 'remove':
        if (!this.roots.has(c)) return `no document for c=${c}`;
        this.roots.delete(c);
        return null;
      case 'append': {
        const r = appended(this.roots.get(c), v);
        if ('error' in r) return r.error;
        this.roots.set(c, r.value);
        return null;
      }
      case 'truncate': {
        const r = truncated(this.roots.get(c), v);
        if ('error' in r) return r.error;
        this.roots.set(c, r.value);
        return null;
      }
      default:
        return `unknown op "${o}"`;
    }
  }

  private applyInObject(obj: JsonRecord, key: string, o: string, v: unknown, p: string): string | null {
    switch (o) {
      case 'add':
      case 'replace':
        // replace of a member that does not exist yet sets it: the server does this with new metadata keys.
        setOwn(obj, key, v);
        return null;
      case 'append': {
        const r = appended(own(obj, key), v);
        if ('error' in r) return `${r.error} at ${p}`;
        setOwn(obj, key, r.value);
        return null;
      }
      case 'remove':
        if (!Object.hasOwn(obj, key)) return `path not found: ${p}`;
        delete obj[key];
        return null;
      case 'truncate': {
        const r = truncated(own(obj, key), v);
        if ('error' in r) return `${r.error} at ${p}`;
        setOwn(obj, key, r.value);
        return null;
      }
      default:
        return `unknown op "${o}"`;
    }
  }

  private applyInArray(arr: unknown[], key: string, o: string, v: unknown, p: string): string | null {
    const i = arrayIndex(key);
    switch (o) {
      case 'add':
        if (key === '-') arr.push(v);
        else if (i !== null && i <= arr.length) arr.splice(i, 0, v);
        else return `index out of range: ${p}`;
        return null;
      case 'replace':
        if (i === null || i >= arr.length) return `index out of range: ${p}`;
        arr[i] = v;
        return null;
      case 'append': {
        if (i === null || i > arr.length) return `index out of range: ${p}`;
        const r = appended(arr[i], v);
        if ('error' in r) return `${r.error} at ${p}`;
        arr[i] = r.value;
        return null;
      }
      case 'remove':
        if (i === null || i >= arr.length) return `index out of range: ${p}`;
        arr.splice(i, 1);
        return null;
      case 'truncate': {
        if (i === null || i >= arr.length) return `index out of range: ${p}`;
        const r = truncated(arr[i], v);
        if ('error' in r) return `${r.error} at ${p}`;
        arr[i] = r.value;
        return null;
      }
      default:
        return `unknown op "${o}"`;
    }
  }

  /**
   * patch: apply each `{p, o, v}` of `v` in order. Each must carry its own `p` and `o` (rule 4). On the root
   * the nested paths are absolute; under a non-root path (never captured) they are read relative to it.
   */
  private patch(c: number, base: string[], v: unknown, depth: number): string | null {
    if (depth >= MAX_PATCH_DEPTH) return 'patch nested too deep';
    if (!Array.isArray(v)) return 'patch value is not an array';
    const prefix = base.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
    const errors: string[] = [];
    for (const op of v) {
      const p = isRecord(op) ? own(op, 'p') : undefined;
      const o = isRecord(op) ? own(op, 'o') : undefined;
      if (typeof p !== 'string' || typeof o !== 'string') {
        errors.push('nested op without its own p and o');
        continue;
      }
      const err = this.apply(c, prefix + p, o, isRecord(op) ? own(op, 'v') : undefined, depth + 1);
      if (err !== null) errors.push(err);
    }
    return errors.length > 0 ? errors.join('; ') : null;
  }
}
