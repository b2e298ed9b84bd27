import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SCENARIOS, startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { parseEventData, SseParser } from "../../src/upstream/sse.ts";
import { fetchUpstreamModels } from "../../src/upstream/models.ts";
import { harness, rejection } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(() => mock.close());

async function call(body: Record<string, unknown>, token = "tok-ok", headers: Record<string, string> = {}) {
  const r = await fetch(`${mock.baseUrl}/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "gpt-5.5", stream: true, store: false, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }], ...body }),
  });
  const text = await r.text();
  const p = new SseParser();
  const events = [...p.push(text), ...p.end()].map((x) => parseEventData(x.data)!).filter(Boolean);
  return { status: r.status, headers: r.headers, text, events };
}

describe("the mock speaks the backend's SSE", () => {
  test("a text turn: realistic event sequence, output: [] in completed, usage details", async () => {
    const { status, headers, events } = await call({ reasoning: { effort: "low", summary: "auto" }, prompt_cache_key: "k-mock" });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/event-stream");
    expect(headers.get("x-codex-primary-window-minutes")).toBe("300");
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["response.created", "response.in_progress", "response.output_item.added"]);
    expect(types).toContain("response.reasoning_summary_text.delta");
    expect(types).toContain("response.content_part.added");
    expect(types).toContain("response.output_text.done");
    expect(types.at(-1)).toBe("response.completed");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.filter((e) => e.type === "response.output_item.done").map((e) => e.item.type);
    expect(done).toEqual(["reasoning", "message"]);
    const completed = events.at(-1)!;
    expect(completed.response.output).toEqual([]);
    expect(completed.response.usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 16 } });
    // Same prompt_cache_key again: cached tokens (80 % of the input, in blocks of 64).
    const again = await call({ reasoning: { effort: "low" }, prompt_cache_key: "k-mock", instructions: "x".repeat(2000) });
    expect(again.events.at(-1)!.response.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });

  test("tool calls when the prompt names a tool, or tool_choice requires one; text after a tool result", async () => {
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const named = await call({ tools, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "use get_weather" }] }] });
    const fc = named.events.find((e) => e.type === "response.output_item.done")!.item;
    expect(fc).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"mock"}' });
    expect(named.events.some((e) => e.type === "response.function_call_arguments.delta")).toBe(true);
    const plain = await call({ tools });
    expect(plain.events.some((e) => e.type === "response.output_text.delta")).toBe(true);
    const required = await call({ tools, tool_choice: "required" });
    expect(required.events.find((e) => e.type === "response.output_item.done")!.item.type).toBe("function_call");
    const after = await call({ tools, tool_choice: "required", input: [{ type: "function_call", call_id: "c1", name: "get_weather", arguments: "{}" }, { type: "function_call_output", call_id: "c1", output: "sunny" }] });
    expect(after.events.some((e) => e.type === "response.output_text.delta")).toBe(true);
    const custom = await call({ tools: [{ type: "custom", name: "apply_patch" }] }, "tok-tools");
    expect(custom.events.find((e) => e.type === "response.output_item.done")!.item.type).toBe("custom_tool_call");
  });

  test("backend-like validation", async () => {
    expect((await call({ stream: false })).text).toBe('{"detail":"Stream must be set to true"}');
    expect((await call({ temperature: 0.2 })).text).toBe('{"detail":"Unsupported parameter: temperature"}');
    expect((await call({ input: "hi" })).text).toBe('{"detail":"Input must be a list"}');
  });

  test("scenario selection: header, token, prompt directive", async () => {
    expect((await call({}, "tok-ok", { "x-mock-scenario": "500" })).status).toBe(500);
    expect((await call({}, "tok-429-usage:x")).status).toBe(429);
    expect((await call({ input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "[[mock:403]]" }] }] })).status).toBe(403);
    expect((await call({}, "")).status).toBe(401);
    expect(Object.keys(SCENARIOS)).toContain("failed-at-once");
  });

  test("records requests; /responses/compact is gone (404, as on the backend since 2026-08)", async () => {
    const n = mock.requests.length;
    const r = await fetch(`${mock.baseUrl}/responses/compact`, { method: "POST", headers: { authorization: "Bearer tok-ok" }, body: JSON.stringify({ model: "gpt-5.5", input: [] }) });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ detail: "Not Found" });
    expect(mock.requests[n]).toMatchObject({ path: "/backend-api/codex/responses/compact", status: 404 });
  });

  test("fast profile: 50 deltas without delay in one write", async () => {
    const fast = await startMockUpstream({ port: 0, deltas: 50, record: false });
    try {
      const t0 = performance.now();
      const r = await fetch(`${fast.baseUrl}/responses`, { method: "POST", headers: { authorization: "Bearer tok-ok" }, body: JSON.stringify({ model: "m", stream: true, store: false, input: [] }) });
      const text = await r.text();
      expect(text.match(/response\.output_text\.delta/g)!.length).toBe(100); // event: line + data type
      expect(performance.now() - t0).toBeLessThan(200);
      expect(fast.requests.length).toBe(0);
    } finally {
      await fast.close();
    }
  });
});

describe("fetchUpstreamModels", () => {
  test("GET {base}/models?client_version with a healthy account's credentials", async () => {
    const h = harness(mock, [{ name: "a", access_token: "tok-ok:a", account_id: "acct-a" }]);
    try {
      const n = mock.requests.length;
      const got = await fetchUpstreamModels(h.up.pool, h.config);
      expect(got.models.map((m: any) => m.slug)).toContain("gpt-5.5");
      const rec = mock.requests[n];
      expect(rec.path).toBe("/backend-api/codex/models?client_version=0.169.0");
      expect(rec.headers.authorization).toBe("Bearer tok-ok:a");
      expect(rec.headers["chatgpt-account-id"]).toBe("acct-a");
    } finally {
      await h.close();
    }
  });
  test("a 401 refreshes once; no usable account rejects", async () => {
    const h = harness(mock, [{ name: "a", access_token: "tok-401:a", refresh_token: "rt-ok:a" }]);
    try {
      const got = await fetchUpstreamModels(h.up.pool, h.config);
      expect(got.models.length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
    const empty = harness(mock, []);
    try {
      expect((await rejection(fetchUpstreamModels(empty.up.pool, empty.config))).code).toBe("no_accounts");
    } finally {
      await empty.close();
    }
  });
});
