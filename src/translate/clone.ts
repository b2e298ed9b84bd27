/**
 * Deep copy of a JSON value (what JSON.parse returns: plain objects, arrays, primitives).
 * Used instead of `structuredClone` on the stream hot path: upstream events are freshly parsed JSON,
 * and structuredClone's generic algorithm measured ~30× slower on item/part-sized objects
 * (≈9 µs vs 0.3 µs for the three clones of a typical message item; ~6% of CPU per Responses stream).
 * Key order is kept; a parsed own "__proto__" key stays an own property (plain assignment would
 * set the prototype instead).
 */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = cloneJson(v[i]);
    return a as T;
  }
  const src = v as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    if (k === "__proto__") Object.defineProperty(o, k, { value: cloneJson(src[k]), enumerable: true, writable: true, configurable: true });
    else o[k] = cloneJson(src[k]);
  }
  return o as T;
}
