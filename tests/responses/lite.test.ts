/**
 * Responses Lite (docs/protocol.md P2.5): a Codex client's Lite request passes through unchanged;
 * every other client targeting a Lite model (catalog `use_responses_lite`, live or built-in) gets
 * the Lite shape built for it; the Lite header goes with a Lite body only (a 400 otherwise).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fromModelInfo } from "../../src/models/directory.ts";
import { isLiteBody, liteHeaders, liteTools, toResponsesLite } from "../../src/translate/lite.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const fn = (name: string) => ({ type: "function", name, description: name, parameters: { type: "object", properties: {} }, strict: false });

describe("toResponsesLite (pure)", () => {
  test("tools into additional_tools (one functions namespace), instructions into a developer message, parallel off, reasoning.context, no image detail", () => {
    const out = toResponsesLite({
      model: "gpt-5.6-sol",
      instructions: "base instructions",
      tools: [fn("a"), { type: "custom", name: "apply_patch", format: { type: "grammar" } }, { type: "web_search" }, { type: "namespace", name: "mcp__x", description: "x", tools: [fn("b")] }],
      parallel_tool_calls: true,
      reasoning: { effort: "low" },
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }, { type: "input_image", image_url: "data:image/png;base64,AA", detail: "high" }] }],
      stream: true,
      store: false,
    });
    expect(out.tools).toBeUndefined();
    expect(out.instructions).toBeUndefined();
    expect(out.parallel_tool_calls).toBe(false);
    expect(out.reasoning).toEqual({ effort: "low", context: "all_turns" });
    expect(out.input[0]).toEqual({
      type: "additional_tools",
      role: "developer",
      tools: [{ type: "namespace", name: "functions", description: "", tools: [fn("a"), { type: "custom", name: "apply_patch", format: { type: "grammar" } }] }, { type: "namespace", name: "mcp__x", description: "x", tools: [fn("b")] }],
    });
    expect(out.input[1]).toEqual({ type: "message", role: "developer", content: [{ type: "input_text", text: "base instructions" }] });
    expect((out.input[2] as any).content[1]).toEqual({ type: "input_image", image_url: "data:image/png;base64,AA" });
    expect(isLiteBody(out)).toBe(true);
  });

  test("an existing functions namespace is merged; no tools → no additional_tools item", () => {
    expect(liteTools([{ type: "namespace", name: "functions", description: "mine", tools: [fn("x")] }, fn("y")])).toEqual([{ type: "namespace", name: "functions", description: "mine", tools: [fn("x"), fn("y")] }]);
    const out = toResponsesLite({ model: "m", input: [], instructions: "" });
    expect(out.input).toEqual([]);
    expect(isLiteBody(out)).toBe(false);
  });

  test("liteHeaders: the header exactly with a Lite body; the same object when nothing changes", () => {
    const none = new Headers({ a: "1" });
    expect(liteHeaders(none, false)).toBe(none);
    expect(liteHeaders(none, true).get("x-openai-internal-codex-responses-lite")).toBe("true");
    const sent = new Headers({ "x-openai-internal-codex-responses-lite": "true" });
    expect(liteHeaders(sent, true)).toBe(sent);
    expect(liteHeaders(sent, false).has("x-openai-internal-codex-responses-lite")).toBe(false);
  });

  test("the catalog flag comes from the live ModelInfo, over the built-in entry", () => {
    expect(fromModelInfo({ slug: "gpt-7", use_responses_lite: true }, undefined, 0)!.responsesLite).toBe(true);
    expect(fromModelInfo({ slug: "gpt-5.6-sol", use_responses_lite: false }, { slug: "gpt-5.6-sol", displayName: "x", contextWindow: 1, visibility: "list", created: 0, responsesLite: true }, 0)!.responsesLite).toBe(false);
  });
});

describe("Lite through the gateway", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(gw.url + path, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  test("a chat client on a Lite model: the Lite shape and header go upstream; the tool call comes back", async () => {
    const res = await post("/v1/chat/completions", { model: "gpt-5.6-sol", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "use get_weather" }], tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }] });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.tool_calls[0].function.name).toBe("get_weather");
    const up = gw.mock.responsesRequests().at(-1)!;
    expect(up.headers["x-openai-internal-codex-responses-lite"]).toBe("true");
    expect(up.body.tools).toBeUndefined();
    expect(up.body.input[0].type).toBe("additional_tools");
    expect(up.body.input[1]).toMatchObject({ role: "developer" });
    expect(up.body).toMatchObject({ parallel_tool_calls: false, reasoning: { context: "all_turns" } });
  });

  test("a Codex client's Lite request passes through unchanged, header included", async () => {
    const additional = { type: "additional_tools", role: "developer", tools: [{ type: "namespace", name: "functions", description: "", tools: [fn("exec_command")] }] };
    const res = await post("/v1/responses", { model: "gpt-5.6-sol", stream: true, parallel_tool_calls: false, reasoning: { effort: "low", context: "all_turns" }, input: [additional, { type: "message", role: "developer", content: [{ type: "input_text", text: "base" }] }, { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }] }, { originator: "codex_exec", "x-openai-internal-codex-responses-lite": "true" });
    expect(res.status).toBe(200);
    await res.text();
    const up = gw.mock.responsesRequests().at(-1)!;
    expect(up.headers["x-openai-internal-codex-responses-lite"]).toBe("true");
    expect(up.body.input[0]).toEqual(additional);
  });

  test("a model that is not Lite never gets the Lite header (the backend would answer 400)", async () => {
    const res = await post("/v1/responses", { model: "gpt-5.5", input: "hi" }, { "x-openai-internal-codex-responses-lite": "true" });
    expect(res.status).toBe(200);
    const up = gw.mock.responsesRequests().at(-1)!;
    expect(up.headers["x-openai-internal-codex-responses-lite"]).toBeUndefined();
    expect(Array.isArray(up.body.tools) || up.body.tools === undefined).toBe(true);
    expect(up.body.input[0].type).toBe("message");
  });
});
