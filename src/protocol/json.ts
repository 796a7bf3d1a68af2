/**
 * Small helpers for untrusted JSON: own-property access only (a stream may name `__proto__`), no throwing.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own member only: `obj['__proto__']` would otherwise read the prototype. */
export function own(obj: JsonRecord, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Set an own member; plain assignment of `__proto__` would replace the prototype instead. */
export function setOwn(obj: JsonRecord, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function field(obj: unknown, key: string): unknown {
  return isRecord(obj) ? own(obj, key) : undefined;
}

export function strField(obj: unknown, key: string): string | null {
  return str(field(obj, key));
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
