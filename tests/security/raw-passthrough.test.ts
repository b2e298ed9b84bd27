/**
 * Finding 4 of issue 18 (raw passthrough skips model rules): `X-Codex-Mode: raw` forwarded the
 * client's model and effort while usage, pricing and the response header used the resolved alias
 * and the clamped effort. Raw requests now resolve the model like every other request: the
 * upstream receives the resolved model and the clamped effort through a minimal edit of the
 * client's JSON (only `model` and `reasoning.effort` change; every other byte is as sent), or the
 * request is refused when that edit cannot be made. `raw_passthrough: false` on a key refuses raw
 * mode with a 403 in the OpenAI envelope.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope } from "../reliability/harness.ts";

const MINI = "sk-raw-mini-0123456789abcdefghijk";
const NORAW = "sk-no-raw-0123456789abcdefghijklm";

/** Between the gateway and the mock: keeps the exact bytes of every upstream request body. */
let capture: ReturnType<typeof Bun.serve>;
const bodies: string[] = [];
let gw: TestGateway;

beforeAll(async () => {
  let target = "";
  capture = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const text = await req.text();
      if (url.pathname.endsWith("/responses")) bodies.push(text);
      const headers = new Headers(req.headers);
      headers.delete("host");
      headers.delete("content-length");
      const up = await fetch(target + url.pathname + url.search, { method: req.method, headers, body: req.method === "GET" ? undefined : text });
      const h = new Headers(up.headers);
      h.delete("content-length");
      h.delete("content-encoding");
      return new Response(up.body, { status: up.status, headers: h });
    },
  });
  gw = await startTestGateway({
    config: {
      // HTTP (SSE) to the upstream, so the capturing proxy sees each request body as bytes.
      upstream: { base_url: `http://127.0.0.1:${capture.port}/backend-api/codex`, transport: "sse" },
      keys: [
        { name: "e2e", key: "sk-e2e-0123456789abcdefghijklmnop" },
        { name: "mini", key: MINI, models: { allow: ["*-mini*"] } },
        { name: "noraw", key: NORAW, raw_passthrough: false },
      ],
      models: {
        aliases: { "claude-*": "gpt-5.5", "best-high": "gpt-5.5-high" },
        rules: [
          { match: "gpt-5.5", max_effort: "medium" },
          { match: "gpt-5.4", default_effort: "low" },
        ],
      },
    },
  });
  target = gw.mock.url;
});
afterAll(async () => {
  await gw.stop();
  capture.stop(true);
});

/** A raw Responses body as the Codex CLI writes it, in unusual but valid JSON formatting. */
function rawText(model: string, reasoning: string | undefined): string {
  return [
    "{\n",
    `  "model" :  ${JSON.stringify(model)},\n`,
    '  "instructions": "Be brief.\\u00e9 \\/ ok",\n',
    '  "input": [ {"type":"message","role":"user","content":[{"type":"input_text","text":"raw \\"quoted\\" text"}]} ],\n',
    reasoning === undefined ? "" : `  "reasoning":${reasoning},\n`,
    '  "metadata": {"model": "not-this-one", "reasoning": {"effort": "none"}},\n',
    '  "stream": true,   "store": false, "include": ["reasoning.encrypted_content"]\n',
    "}",
  ].join("");
}

async function raw(key: string, text: string, headers: Record<string, string> = { "x-codex-mode": "raw" }): Promise<{ status: number; body: string; headers: Headers; upstream?: string }> {
  const before = bodies.length;
  const r = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body: text });
  const body = await r.text();
  return { status: r.status, body, headers: r.headers, upstream: bodies.length > before ? bodies[bodies.length - 1] : undefined };
}

describe("raw requests are resolved like every other request", () => {
  test("an effort suffix: the upstream gets the base model and the clamped effort, every other byte as sent", async () => {
    const sent = rawText("gpt-5.5-xhigh", '{ "effort" : "low", "summary": "auto" }');
    const r = await raw(gw.key, sent);
    expect(r.status).toBe(200);
    // xhigh from the suffix, clamped to medium by the rule; model without its suffix.
    const want = sent.replace('"gpt-5.5-xhigh"', '"gpt-5.5"').replace('"effort" : "low"', '"effort" : "medium"');
    expect(r.upstream).toBe(want);
    expect(r.headers.get("x-codex-gateway-reasoning-effort")).toBe("medium");
  });

  test("an alias: the upstream gets the model behind it", async () => {
    const sent = rawText("claude-opus-4", '{"effort":"medium"}');
    const r = await raw(gw.key, sent);
    expect(r.status).toBe(200);
    expect(r.upstream).toBe(sent.replace('"claude-opus-4"', '"gpt-5.5"'));
  });

  test("an alias with an effort in its target, and no reasoning object in the body: the effort is added", async () => {
    const sent = rawText("best-high", undefined);
    const r = await raw(gw.key, sent);
    expect(r.status).toBe(200);
    const up = JSON.parse(r.upstream!);
    expect(up.model).toBe("gpt-5.5");
    expect(up.reasoning).toEqual({ effort: "medium" });
    // Everything else as sent.
    const { model: _m, reasoning: _r, ...rest } = up;
    const { model: _m2, ...sentRest } = JSON.parse(sent);
    expect(rest).toEqual(sentRest);
  });

  test("a rule's default effort is applied to a body without one", async () => {
    const sent = rawText("gpt-5.4", '{"summary":"auto"}');
    const r = await raw(gw.key, sent);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.upstream!).reasoning).toEqual({ summary: "auto", effort: "low" });
  });

  test("a body the rules do not change is forwarded byte for byte", async () => {
    const sent = rawText("gpt-5.5", '{"effort":"medium","summary":"auto"}');
    const r = await raw(gw.key, sent);
    expect(r.status).toBe(200);
    expect(r.upstream).toBe(sent);
  });

  test("allow/deny apply to the resolved model in raw mode too", async () => {
    const r = await raw(MINI, rawText("gpt-5.5-minimal", undefined));
    expect(r.status).toBe(403);
    expect(r.upstream).toBeUndefined();
  });

  test("an edit that cannot be applied is refused, not forwarded unchanged", async () => {
    for (const [label, sent] of [
      ["reasoning is not an object", rawText("gpt-5.5-xhigh", '"xhigh"')],
      ["model given twice", `{"model":"gpt-5.5","model":"gpt-5.5-xhigh","input":"x"}`],
    ] as const) {
      const r = await raw(gw.key, sent);
      expect(r.status, label).toBe(400);
      expect(isEnvelope("openai", JSON.parse(r.body))).toBe(true);
      expect(r.upstream, label).toBeUndefined();
    }
  });
});

describe("raw_passthrough per key", () => {
  test("raw_passthrough: false refuses raw mode with a 403 in the OpenAI envelope", async () => {
    for (const headers of [{ "x-codex-mode": "raw" }, { "x-codex-raw-passthrough": "true" }] as Record<string, string>[]) {
      const r = await raw(NORAW, rawText("gpt-5.5", undefined), headers);
      expect(r.status).toBe(403);
      const body = JSON.parse(r.body);
      expect(isEnvelope("openai", body)).toBe(true);
      expect(body.error.code).toBe("raw_passthrough_not_allowed");
      expect(r.upstream).toBeUndefined();
    }
  });

  test("the same key without the raw header is served", async () => {
    const r = await raw(NORAW, rawText("gpt-5.5", undefined), {});
    expect(r.status).toBe(200);
  });
});
