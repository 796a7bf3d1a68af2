/** Making the wrappers look like the functions they replace. */

/** Gives a wrapper the original's name and length, as a page that inspects them would see. */
export function like<T extends object>(wrapper: T, original: unknown): T {
  try {
    const o = original as { name: string; length: number };
    Object.defineProperty(wrapper, 'name', { value: o.name });
    Object.defineProperty(wrapper, 'length', { value: o.length });
  } catch {}
  return wrapper;
}
