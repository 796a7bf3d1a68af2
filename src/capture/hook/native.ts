/**
 * Making the wrappers look like the functions they replace. Wrappers are written as method definitions
 * (`{ fetch(…) {…} }.fetch`): like the browser's built-in functions they have no `prototype` and throw
 * TypeError when called with `new`; `like` then copies the original's name and length.
 * Not done: `Function.prototype.toString` still shows the wrapper's source. Hiding that would mean
 * replacing toString for every function of the page, a larger change than the one it would hide.
 */

/** Gives a wrapper the original's name and length, as a page that inspects them would see. */
export function like<T extends object>(wrapper: T, original: unknown): T {
  try {
    const o = original as { name: string; length: number };
    Object.defineProperty(wrapper, 'name', { value: o.name });
    Object.defineProperty(wrapper, 'length', { value: o.length });
  } catch {}
  return wrapper;
}
