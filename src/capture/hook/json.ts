/**
 * JSON for the hook's own event objects, written without `JSON.stringify` on objects: the events live in
 * the page's realm, so their prototypes are the page's, and `JSON.stringify` calls any `toJSON` a page
 * script puts on `Object.prototype` or `Array.prototype` (it could read every capture, rewrite it, or make
 * serialisation throw and stop the recording). This encoder reads own enumerable keys only (the captured
 * `Object.keys`), indexes arrays by their own length, and hands only primitive strings and numbers to the
 * captured `JSON.stringify`, which consults no `toJSON` for primitives (ECMA-262 SerializeJSONProperty).
 * Values that are neither primitives, arrays nor plain data (functions, symbols, undefined) are left out as
 * JSON does.
 */
import type { Intrinsics } from './intrinsics';

/** The JSON text of `value` (an event or a part of one). Throws only on cycles (the hook makes none). */
export function toJson(js: Pick<Intrinsics, 'stringify' | 'keys' | 'isArray'>, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return js.stringify(value);
    case 'number':
      // A finite number's JSON text is its String (ECMA-262 SerializeJSONProperty: Number::toString).
      // Finite without a global a page could replace (`Number.isFinite`): NaN and ±Infinity give NaN here.
      return value - value === 0 ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (js.isArray(value)) {
        let out = '[';
        const n = value.length;
        for (let i = 0; i < n; i++) {
          const v = toJson(js, value[i]);
          out += (i ? ',' : '') + (v === '' ? 'null' : v);
        }
        return `${out}]`;
      }
      const keys = js.keys(value);
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = toJson(js, (value as Record<string, unknown>)[k]);
        if (v === '') continue;
        out += `${first ? '' : ','}${js.stringify(k)}:${v}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return '';
  }
}
