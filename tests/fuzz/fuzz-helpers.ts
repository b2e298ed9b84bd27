/**
 * Arbitraries for malformed requests, and the one rule every answer must follow: a 4xx in the
 * route's own envelope, or an upstream-caused 502/503/504 in that envelope, or a success. Never a
 * 500, never a bare body, never a hang.
 */
import fc from "fast-check";
import { isEnvelope, type Dialect } from "../reliability/harness.ts";

export interface Wire {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** What was sent, for the failure message. */
  note: string;
}

export function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export function deepObject(depth: number): unknown {
  let v: unknown = { leaf: "x" };
  for (let i = 0; i < depth; i++) v = { a: v, type: "text" };
  return v;
}

/** Values that break assumptions: wrong types, edge numbers, odd strings, huge and deep. */
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, "", 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, true, false, [], {}, [null], { type: null }, "\u0000", "\uD800", "💥💥", "<|endoftext|>", "%E0%A4%A", "../../etc/passwd", "data:image/png;base64,!!!!", "http://127.0.0.1:1/x") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(20_000, 120_000).map((n) => "x".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(100, 2_000, 10_000).chain((n) => fc.constantFrom(deepArray(n), deepObject(n))) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 50, maxLength: 300 }) },
);

interface Op {
  path: number[];
  action: "set" | "delete" | "add";
  key: string;
  value: unknown;
}

const op: fc.Arbitrary<Op> = fc.record({
  path: fc.array(fc.nat(1000), { maxLength: 5 }),
  action: fc.constantFrom("set", "set", "delete", "add"),
  key: fc.oneof(fc.constantFrom("type", "role", "content", "text", "name", "model", "stream", "__proto__", "constructor", "tools", "parts"), fc.string({ maxLength: 8 })),
  value: nasty,
});

/** Apply ops to a copy of `base`: each walks down a random path and sets, deletes or adds a field there. */
export function mutate(base: Record<string, unknown>, ops: Op[]): Record<string, unknown> {
  const root = structuredClone(base);
  for (const op of ops) {
    // A fresh copy per insertion: fast-check may hand the same value object to two ops, and
    // inserting it twice (once inside itself) would make the body cyclic and unserialisable.
    const o = { ...op, value: structuredClone(op.value) };
    let parent: any = root;
    let slot: string | number | undefined;
    for (const p of o.path) {
      const cur = slot === undefined ? parent : parent[slot];
      if (!cur || typeof cur !== "object") break;
      const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
      if (!keys.length) break;
      if (slot !== undefined) parent = cur;
      slot = keys[p % keys.length];
    }
    const target: any = slot === undefined ? root : parent;
    if (o.action === "add") {
      const obj = slot === undefined ? root : target[slot];
      if (obj && typeof obj === "object" && !Array.isArray(obj)) Object.defineProperty(obj, o.key, { value: o.value, enumerable: true, writable: true, configurable: true });
      else if (Array.isArray(obj)) obj.push(o.value);
    } else if (slot === undefined) {
      continue;
    } else if (o.action === "delete") {
      if (Array.isArray(target)) target.splice(Number(slot), 1);
      else delete target[slot];
    } else target[slot] = o.value;
  }
  return root;
}

const enc = new TextEncoder();

/** Malformed bodies for a route whose valid body is `base`. */
export function bodyArb(base: () => Record<string, unknown>): fc.Arbitrary<{ body: Uint8Array | string; contentType: string; note: string }> {
  const json = "application/json";
  return fc.oneof(
    // Valid JSON, wrong shape: fields set to wrong types, deleted, added (some stay valid and reach the upstream).
    { weight: 8, arbitrary: fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => ({ body: JSON.stringify(mutate(base(), ops)), contentType: json, note: `mutated ${JSON.stringify(ops).slice(0, 300)}` })) },
    // Not an object at all.
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).filter((v) => !(v && typeof v === "object" && !Array.isArray(v))).map((v) => ({ body: JSON.stringify(v) ?? "", contentType: json, note: `top-level ${JSON.stringify(v)?.slice(0, 80)}` })) },
    // Broken JSON: cut off, or a byte dropped in.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(), fc.constantFrom("cut", "insert"), fc.constantFrom("{", "}", '"', ",", ":", "\\", "\u0000", "]")).map(([at, how, ch]) => {
        const t = JSON.stringify(base());
        const i = at % t.length;
        return { body: how === "cut" ? t.slice(0, i) : t.slice(0, i) + ch + t.slice(i), contentType: json, note: `broken json (${how} at ${i})` };
      }),
    },
    // Random bytes, mostly not UTF-8.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => ({ body: b, contentType: json, note: `bytes ${Buffer.from(b).toString("hex").slice(0, 60)}` })) },
    // A valid body with invalid UTF-8 spliced into a string.
    {
      weight: 1,
      arbitrary: fc.constantFrom([0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]).map((bad) => {
        const t = enc.encode(JSON.stringify(base()));
        const q = t.indexOf(0x22, 10) + 1; // just inside the first string after the opening
        return { body: new Uint8Array([...t.slice(0, q), ...bad, ...t.slice(q)]), contentType: json, note: `invalid utf-8 ${bad.map((x) => x.toString(16)).join(" ")}` };
      }),
    },
    // Wrong content types on a valid body.
    { weight: 1, arbitrary: fc.constantFrom("text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/xml", "", "application/json; charset=utf-16").map((ct) => ({ body: JSON.stringify(base()), contentType: ct, note: `content-type ${ct}` })) },
  );
}

export interface Verdict {
  ok: boolean;
  status: number;
  why?: string;
}

/** The rule. Reads the whole answer (a stream must end, within the caller's timeout). */
export async function judge(res: Response, dialect: Dialect): Promise<Verdict> {
  const status = res.status;
  const text = await res.text();
  if (status >= 500 && ![502, 503, 504].includes(status)) return { ok: false, status, why: `status ${status}: ${text.slice(0, 300)}` };
  if (status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status, why: `status ${status} without a JSON body: ${JSON.stringify(text.slice(0, 200))}` };
    }
    if (!isEnvelope(dialect, body)) return { ok: false, status, why: `status ${status} not in the ${dialect} envelope: ${text.slice(0, 300)}` };
    if ((res.headers.get("content-type") ?? "").indexOf("application/json") !== 0) return { ok: false, status, why: `error with content-type ${res.headers.get("content-type")}` };
  }
  return { ok: true, status };
}
