/**
 * Issue 19 on the Responses surface: reasoning input items without encrypted_content are dropped
 * (as the Chat path does), and tool names over 64 characters are shortened upstream and mapped
 * back in the stream and the non-stream answer.
 */
import { describe, expect, test } from "bun:test";
import { responsesContext, responsesFromResponse, responsesStream, responsesToCodex } from "../../src/translate/responses/index.ts";
import type { ResponsesContext } from "../../src/translate/responses/context.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { ctxFor, user } from "./helpers.ts";

describe("reasoning input items without encrypted_content are dropped", () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["summary only, no id", { type: "reasoning", summary: [{ type: "summary_text", text: "s" }] }, false],
    ["empty encrypted_content", { type: "reasoning", summary: [], encrypted_content: "" }, false],
    ["null encrypted_content", { type: "reasoning", summary: [], encrypted_content: null }, false],
    ["with encrypted_content (id kept)", { id: "rs_9", type: "reasoning", summary: [], encrypted_content: "gAAAAB" }, true],
  ];
  for (const [name, item, kept] of cases) {
    test(name, () => {
      const out = responsesToCodex({ model: "m", input: [user("q"), item, user("again")] }, ctxFor());
      expect(out.input.some((i) => i.type === "reasoning")).toBe(kept);
      expect(out.input.filter((i) => i.type === "message").length).toBe(2);
    });
  }
});

describe("tool names over 64 characters (docs/protocol.md P2.7-8)", () => {
  const long = `mcp__github_enterprise_server__${"search_issues_and_pull_requests_".repeat(2)}v2`;
  const dotted = "server.tool:run";
  const body = {
    model: "gpt-5.5",
    input: [user("go"), { type: "function_call", call_id: "call_0", name: long, arguments: "{}" }, { type: "function_call_output", call_id: "call_0", output: "ok" }],
    tools: [
      { type: "function", name: long, parameters: { type: "object", properties: {} } },
      { type: "function", name: dotted, parameters: { type: "object", properties: {} } },
      { type: "function", name: "short_ok", parameters: { type: "object", properties: {} } },
      { type: "web_search" },
    ],
    tool_choice: { type: "function", name: long },
  };

  function ctx(): ResponsesContext {
    return { ...ctxFor(), ...responsesContext(body, { headers: new Headers() }) };
  }

  test("request: every name valid upstream, the same one for a tool, its history call and tool_choice", () => {
    const out = responsesToCodex(body, ctx()) as Record<string, any>;
    const names = out.tools.filter((t: any) => t.name).map((t: any) => t.name);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(names[2]).toBe("short_ok");
    expect(out.input[1].name).toBe(names[0]);
    expect(out.tool_choice.name).toBe(names[0]);
    expect(names[0]).not.toBe(long);
    expect(names[1]).toBe("server_tool_run");
  });

  test("a body with only valid names is not touched (no map)", () => {
    expect(responsesContext({ model: "m", tools: [{ type: "function", name: "ok" }] }, {}).toolNames).toBeUndefined();
  });

  test("stream: items, arguments.done and the terminal output carry the client's name", () => {
    const c = ctx();
    const short = (responsesToCodex(body, c) as any).tools[0].name;
    const s = responsesStream.init(c);
    const item = { id: "fc_1", type: "function_call", status: "in_progress", call_id: "call_1", name: short, arguments: "" };
    const evs: CodexEvent[] = [
      { type: "response.created", sequence_number: 0, response: { id: "resp_1", output: [] } },
      { type: "response.output_item.added", sequence_number: 1, output_index: 0, item },
      { type: "response.function_call_arguments.delta", sequence_number: 2, output_index: 0, item_id: "fc_1", delta: "{}" },
      { type: "response.function_call_arguments.done", sequence_number: 3, output_index: 0, item_id: "fc_1", arguments: "{}", name: short },
      { type: "response.output_item.done", sequence_number: 4, output_index: 0, item: { ...item, status: "completed", arguments: "{}" } },
      { type: "response.completed", sequence_number: 5, response: { id: "resp_1", status: "completed", output: [] } },
    ];
    const wire = evs.flatMap((ev) => responsesStream.step(s, ev)).join("");
    expect(wire).not.toContain(short);
    const datas = wire.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(datas[1].item.name).toBe(long);
    expect(datas[3].name).toBe(long);
    expect(datas[4].item.name).toBe(long);
    expect(datas[5].response.output[0].name).toBe(long);
  });

  test("non-stream: the output carries the client's name", () => {
    const c = ctx();
    const short = (responsesToCodex(body, c) as any).tools[1].name;
    const out = responsesFromResponse({ id: "resp_1", status: "completed", output: [{ type: "function_call", call_id: "c", name: short, arguments: "{}" }] }, c);
    expect(out.output[0].name).toBe(dotted);
  });
});
