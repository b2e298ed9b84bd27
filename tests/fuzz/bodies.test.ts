/**
 * Property-based fuzzing of every body-taking route (fast-check): wrong types, missing and extra
 * fields, broken JSON, non-objects, invalid UTF-8, wrong content types, huge strings, deep
 * nesting; plus a table of extremes per route (10k/100k-deep nesting, bodies over
 * server.body_limit_mb, chunked oversize, gzip bombs, bad Content-Encoding). Every answer must be
 * a 4xx in the route's envelope (or a success, or an upstream-caused 502/503/504 in the envelope
 * for bodies valid enough to reach the mock upstream): never a 500, a crash or a hang.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { deflateSync } from "node:zlib";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { logLines } from "../reliability/harness.ts";
import { bodyArb, deepArray, deepObject, judge, type Wire } from "./fuzz-helpers.ts";
import { BODY_ROUTES, type FuzzRoute } from "./routes.ts";

const LIMIT_MB = 0.25;
const LIMIT = LIMIT_MB * 1024 * 1024;
const BATCH = 10;
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** 64 MiB of zeros, compressed to a few KB each: inflated without a cap, every one is 256× the body limit. */
const BOMBS: [string, Uint8Array][] = (() => {
  const zeros = new Uint8Array(64 * 1024 * 1024);
  const frame = Bun.zstdCompressSync(zeros);
  return [
    ["gzip", Bun.gzipSync(zeros)],
    ["deflate", deflateSync(zeros)],
    ["zstd", frame],
    // 32 concatenated frames: 2 GiB when inflated, ~60 KB on the wire.
    ["zstd", new Uint8Array(Buffer.concat(Array.from({ length: 32 }, () => frame)))],
  ];
})();

let gw: TestGateway;
/** Only valid requests go here (fuzzing can rest the other gateway's accounts, legitimately). */
let clean: TestGateway;
let sent = 0;
beforeAll(async () => {
  gw = await startTestGateway({ accounts: ["ok", "ok"], config: { server: { body_limit_mb: LIMIT_MB, log_level: "info" } } });
  clean = await startTestGateway({ accounts: ["ok"], config: { server: { body_limit_mb: LIMIT_MB, log_level: "info" } } });
});
afterAll(async () => {
  await clean.stop();
  // Still alive and well after all of it.
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  const bad = logLines(gw).filter((l) => /unexpected|unhandled/i.test(String(l.msg)));
  expect(bad.map((l) => `${l.msg}: ${String(l.error).slice(0, 300)}`)).toEqual([]);
  console.log(`fuzz bodies: ${sent} requests`);
  await gw.stop();
});

async function send(w: Wire, dialect: FuzzRoute["dialect"]): Promise<string | undefined> {
  sent++;
  let res: Response;
  try {
    res = await fetch(gw.url + w.path, { method: w.method, headers: w.headers, body: w.body as BodyInit, signal: AbortSignal.timeout(8000) });
  } catch (e) {
    return `${w.method} ${w.path} [${w.note.slice(0, 240)}]: ${(e as Error).message}`;
  }
  try {
    const v = await judge(res, dialect);
    return v.ok ? undefined : `${w.method} ${w.path} [${w.note.slice(0, 240)}]: ${v.why}`;
  } catch (e) {
    return `${w.method} ${w.path} [${w.note.slice(0, 240)}]: reading the answer: ${(e as Error).message}`;
  }
}

const auth = () => ({ authorization: `Bearer ${gw.key}` });

describe.each(BODY_ROUTES)("fuzz $name", (route) => {
  test("malformed bodies: 4xx in the route's envelope, never a 5xx or a hang", async () => {
    const failures: string[] = [];
    // fc.check, not fc.assert: a counterexample holds 100 KB strings and 10k-deep arrays, too big
    // to print; the failures below say what was sent, and the seed replays the run (FUZZ_SEED).
    const run = await fc.check(
      fc.asyncProperty(fc.array(bodyArb(route.base!), { minLength: BATCH, maxLength: BATCH }), async (bodies) => {
        const out = await Promise.all(
          bodies.map((b) => send({ method: route.method, path: route.path, headers: { ...auth(), ...(b.contentType ? { "content-type": b.contentType } : {}) }, body: b.body, note: b.note }, route.dialect)),
        );
        const bad = out.filter((x): x is string => !!x);
        failures.push(...bad);
        return bad.length === 0;
      }),
      { numRuns: RUNS, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    expect(failures, `seed ${run.seed}`).toEqual([]);
  }, 30_000);

  test("extremes: deep nesting, oversize, chunked oversize, compression bombs, bad encodings", async () => {
    const base = route.base!();
    const json = (v: unknown) => JSON.stringify(v);
    const h = { ...auth(), "content-type": "application/json" };
    const wires: Wire[] = [];
    // Too deep for any real request: refused as a 400 before a translator recurses into it.
    const deep: Wire[] = [];
    const fields = Object.keys(base).slice(0, 6);
    for (const f of fields) {
      for (const [label, value] of [["array 10k", deepArray(10_000)], ["object 10k", deepObject(10_000)], ["array 200", deepArray(200)]] as const) {
        deep.push({ method: "POST", path: route.path, headers: h, body: json({ ...base, [f]: value }), note: `${f} = deep ${label}` });
      }
    }
    // Deep where translators look (a generation config, a schema, a tool's parameters).
    deep.push({ method: "POST", path: route.path, headers: h, body: json({ ...base, generationConfig: { responseMimeType: deepArray(5_000) }, response_format: { type: "json_schema", json_schema: { name: "x", schema: deepObject(5_000) } }, text: { format: { type: "json_schema", name: "x", schema: deepObject(5_000) } } }), note: "deep schemas" });
    // 100k levels as raw text (JSON.stringify of such a value would be the test's own problem).
    deep.push({ method: "POST", path: route.path, headers: h, body: `{"${fields[1] ?? "x"}":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, note: "deep array 100k" });
    wires.push({ method: "POST", path: route.path, headers: h, body: "[".repeat(120_000), note: "120k unclosed brackets" });
    // Oversize: declared, and streamed without a length.
    wires.push({ method: "POST", path: route.path, headers: h, body: json({ ...base, pad: "x".repeat(LIMIT + 10) }), note: "over body_limit_mb" });
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    wires.push({
      method: "POST",
      path: route.path,
      headers: h,
      body: new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"pad":"'));
          for (let i = 0; i < 8; i++) c.enqueue(chunk);
          c.enqueue(new TextEncoder().encode('"}'));
          c.close();
        },
      }) as unknown as string,
      note: "chunked, over body_limit_mb",
    });
    // Compression: a bomb per encoding, broken data, unsupported encodings, and the valid forms.
    const valid = new TextEncoder().encode(json(base));
    const encoded: [string, Uint8Array][] = [
      ...BOMBS,
      ["gzip", new TextEncoder().encode("definitely not gzip")],
      ["deflate", new Uint8Array([0x78, 0x9c, 1, 2, 3])],
      ["br", valid],
      ["compress", valid],
      ["gzip, gzip", Bun.gzipSync(Bun.gzipSync(valid))],
      ["gzip", Bun.gzipSync(valid).slice(0, 20)],
    ];
    for (const [ce, body] of encoded) wires.push({ method: "POST", path: route.path, headers: { ...h, "content-encoding": ce }, body, note: `content-encoding ${ce} (${body.byteLength} bytes)` });
    // Valid compressed bodies are accepted (the answer is whatever the route says, not a 4xx about encoding).
    const accepted: Wire[] = [
      { method: "POST", path: route.path, headers: { ...h, "content-encoding": "gzip" }, body: Bun.gzipSync(valid), note: "gzip valid" },
      { method: "POST", path: route.path, headers: { ...h, "content-encoding": "deflate" }, body: deflateSync(valid), note: "deflate (zlib) valid" },
      { method: "POST", path: route.path, headers: { ...h, "content-encoding": "zstd" }, body: Bun.zstdCompressSync(valid), note: "zstd valid" },
    ];
    // Empty and whitespace bodies; other methods on the path.
    wires.push({ method: "POST", path: route.path, headers: h, body: "", note: "empty body" });
    wires.push({ method: "POST", path: route.path, headers: h, body: " \n\t ", note: "whitespace body" });
    for (const m of ["PUT", "DELETE", "PATCH"]) wires.push({ method: m, path: route.path, headers: h, body: json(base), note: `method ${m}` });

    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const failures = (await Promise.all(wires.map((w) => send(w, route.dialect)))).filter(Boolean);
    expect(failures).toEqual([]);
    const notRefused: string[] = [];
    for (const w of deep) {
      const res = await fetch(gw.url + w.path, { method: "POST", headers: w.headers, body: w.body as BodyInit, signal: AbortSignal.timeout(8000) });
      const text = await res.text();
      if (res.status !== 400 || !text.includes("nested more than")) notRefused.push(`${w.note}: ${res.status} ${text.slice(0, 150)}`);
    }
    expect(notRefused).toEqual([]);
    // A bomb is refused while it inflates: the peak memory of the process does not jump by the
    // inflated size (64 MiB, and 2 GiB for the multi-frame one).
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(256 * 1024 * 1024);

    const refused: string[] = [];
    for (const w of accepted) {
      try {
        const res = await fetch(clean.url + w.path, { method: w.method, headers: { ...w.headers, authorization: `Bearer ${clean.key}` }, body: w.body as BodyInit, signal: AbortSignal.timeout(8000) });
        const text = await res.text();
        if (res.status >= 400) refused.push(`${w.note}: ${res.status} ${text.slice(0, 200)}`);
      } catch (e) {
        refused.push(`${w.note}: ${(e as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
  }, 30_000);
});

test("a body above Bun's old cap (max(4 × body_limit, 64 MiB)) is refused with a 413, and the server keeps serving", async () => {
  // Bun's own cap is off (issue 19): the gateway answers in the envelope (tests/fuzz/edges.test.ts checks it).
  const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: auth(), body: new Uint8Array(65 * 1024 * 1024 + 1), signal: AbortSignal.timeout(15_000) });
  expect(res.status).toBe(413);
  await res.text();
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
}, 20_000);

test("prompt_cache_key and session ids of any shape: never a 5xx (they key sessions and travel in a header)", async () => {
  const values: unknown[] = ["line\nbreak", "tab\tand\u0000nul", "ünïcödé 😀", " padded ", "x".repeat(5000), { a: 1 }, ["x"], 5, true, null, ""];
  const bad: string[] = [];
  for (const v of values) {
    for (const [path, body] of [
      ["/v1/responses", { model: "gpt-5.5", input: "hi", prompt_cache_key: v }],
      ["/v1/chat/completions", { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }], prompt_cache_key: v }],
      ["/v1/chat/completions", { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }], user: v, metadata: { session_id: v } }],
      ["/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }], metadata: { user_id: v } }],
    ] as const) {
      const res = await fetch(gw.url + path, { method: "POST", headers: { ...auth(), "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(8000) });
      await res.text();
      if (res.status >= 500) bad.push(`${path} ${JSON.stringify(v).slice(0, 40)}: ${res.status}`);
    }
  }
  expect(bad).toEqual([]);
});
