/**
 * Issue 19 on the Messages surface: `stop_sequences` and a small `max_tokens` emulated on the
 * text stream (stream and non-stream agree), web_search_call items as server_tool_use +
 * web_search_tool_result blocks with citations, and strict structured output only when the
 * upstream's strict mode accepts the schema.
 */
import { describe, expect, test } from "bun:test";
import { anthropicFromResponse, anthropicStream, anthropicToCodex, inspectMessages, type AnthropicContext } from "../../src/translate/anthropic/index.ts";
import { GatewayError } from "../../src/errors.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { checkInvariants, completed, created, makeCtx, run, textItem } from "./helpers.ts";

const USAGE = { input_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 150 };

/** The context as the pipeline builds it: inspect, then toCodex fills ctx.anthropic and ctx.outputLimits. */
function ctxFor(over: Record<string, unknown>, emulation = 4096): AnthropicContext {
  const body = { model: "claude-sonnet-4-5", max_tokens: 32000, messages: [{ role: "user", content: "hi" }], ...over };
  const ctx = makeCtx({ maxOutputTokensEmulation: emulation });
  anthropicToCodex(body, ctx);
  return ctx;
}

/** The non-stream answer for the same events (accumulated output). */
function nonStream(ctx: AnthropicContext, output: unknown[], usage: unknown = USAGE): any {
  return anthropicFromResponse({ id: "resp_1", status: "completed", output, usage }, ctx);
}

const msgItem = (text: string, id = "msg_0", annotations: unknown[] = []) => ({ id, type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations }] });

describe("stop_sequences (docs/clients.md C2.8)", () => {
  const cases: [string, string[], string[], string, string | null][] = [
    // name, stop_sequences, deltas, text the client gets, stop_sequence
    ["sequence inside one delta", ["END"], ["Thought: a\n", "Action: xENDmore"], "Thought: a\nAction: x", "END"],
    ["sequence split over deltas", ["\nObservation:"], ["Action: search", "\nObser", "vation: nope"], "Action: search", "\nObservation:"],
    ["earliest of several", ["B", "A"], ["xxAyyB"], "xx", "A"],
    ["a prefix that does not complete is released", ["STOP"], ["ST", "ART"], "START", null],
    ["held prefix released at the end of the item", ["STOP"], ["wait ST"], "wait ST", null],
  ];
  for (const [name, stop, deltas, text, seq] of cases) {
    test(name, () => {
      const ctx = ctxFor({ stop_sequences: stop });
      const r = run([created(), ...textItem(0, deltas), completed(USAGE)], ctx);
      const msg = checkInvariants(r.events);
      expect(msg.content.map((b: any) => b.text).join("")).toBe(text);
      expect(msg.stop_reason).toBe(seq ? "stop_sequence" : "end_turn");
      expect(msg.stop_sequence).toBe(seq);
      // The pipeline is told to cancel the upstream exactly when the message ended early.
      expect(!!anthropicStream.stopped!(r.state)).toBe(seq !== null);
      // Non-stream agrees with the concatenated stream.
      const ns = nonStream(ctxFor({ stop_sequences: stop }), [msgItem(deltas.join(""))]);
      expect(ns.content.map((b: any) => b.text).join("")).toBe(text);
      expect(ns.stop_reason).toBe(seq ? "stop_sequence" : "end_turn");
      expect(ns.stop_sequence).toBe(seq);
    });
  }

  test("after the stop, later events (a tool call, the terminal event) write nothing", () => {
    const ctx = ctxFor({ stop_sequences: ["END"] });
    const s = anthropicStream.init(ctx);
    const frames: string[] = [];
    for (const ev of [created(), ...textItem(0, ["done END"])]) frames.push(...anthropicStream.step(s, ev));
    expect(frames.join("")).toContain("event: message_stop");
    expect(anthropicStream.step(s, { type: "response.output_item.added", output_index: 1, item: { id: "fc_1", type: "function_call", call_id: "c", name: "x" } })).toEqual([]);
    expect(anthropicStream.step(s, completed(USAGE))).toEqual([]);
    expect(anthropicStream.end(s, { kind: "eof" })).toEqual([]);
    expect(anthropicStream.keepalive(s)).toBe("");
  });

  test("usage of a cut message: output = what the client received, input estimated before the upstream reported it", () => {
    const ctx = ctxFor({ stop_sequences: ["END"] });
    const r = run([created(), ...textItem(0, ["one two three END four five six seven"])], ctx);
    const delta = r.events.find((e) => e.event === "message_delta")!.data;
    expect(delta.usage.output_tokens).toBe(3); // "one", " two", " three" (a lone space goes with the next word)
    expect(delta.usage.input_tokens).toBeGreaterThan(0);
  });

  test("bad stop_sequences are a 400 naming the field, before any limit is charged", () => {
    for (const bad of [[1], "x".repeat(1001), Array.from({ length: 17 }, (_, i) => `s${i}`), { a: 1 }]) {
      try {
        inspectMessages({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }], stop_sequences: bad });
        throw new Error("accepted");
      } catch (e) {
        expect((e as GatewayError).status).toBe(400);
        expect((e as GatewayError).param).toBe("stop_sequences");
      }
    }
  });
});

describe("max_tokens emulation (docs/clients.md C2.8)", () => {
  const words = Array.from({ length: 40 }, (_, i) => ` w${String.fromCharCode(97 + (i % 26))}`);
  test("a small cap ends the text at the cap with stop_reason max_tokens", () => {
    const ctx = ctxFor({ max_tokens: 10 });
    const r = run([created(), ...textItem(0, words), completed(USAGE)], ctx);
    const msg = checkInvariants(r.events);
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.content[0].text).toBe(words.slice(0, 10).join(""));
    expect(msg.usage.output_tokens).toBe(10);
    const ns = nonStream(ctxFor({ max_tokens: 10 }), [msgItem(words.join(""))]);
    expect(ns.content[0].text).toBe(msg.content[0].text);
    expect(ns.stop_reason).toBe("max_tokens");
    expect(ns.usage.output_tokens).toBe(10);
    // The upstream's own input numbers are kept when it reported them.
    expect(ns.usage.input_tokens).toBe(100);
  });

  test("caps above models.max_output_tokens_emulation (or with emulation off) are not emulated", () => {
    for (const ctx of [ctxFor({ max_tokens: 5000 }), ctxFor({ max_tokens: 10 }, 0)]) {
      const msg = checkInvariants(run([created(), ...textItem(0, words), completed(USAGE)], ctx).events);
      expect(msg.stop_reason).toBe("end_turn");
      expect(msg.content[0].text).toBe(words.join(""));
    }
  });
});

describe("web search (docs/clients.md C6.2)", () => {
  const search: CodexEvent[] = [
    { type: "response.output_item.added", output_index: 0, item: { id: "ws_1", type: "web_search_call", status: "in_progress", action: { type: "search" } } },
    { type: "response.web_search_call.searching", output_index: 0, item_id: "ws_1" },
    { type: "response.output_item.done", output_index: 0, item: { id: "ws_1", type: "web_search_call", status: "completed", action: { type: "search", query: "bun 1.4", sources: [{ type: "url", url: "https://bun.sh/blog" }] } } },
  ];
  const text = "Bun 1.4 is out (bun.sh).";
  const annotation = { type: "url_citation", start_index: 0, end_index: 13, url: "https://bun.sh/blog", title: "Bun blog" };
  const message: CodexEvent[] = [
    { type: "response.output_item.added", output_index: 1, item: { id: "msg_1", type: "message", role: "assistant", content: [] } },
    { type: "response.content_part.added", output_index: 1, item_id: "msg_1", content_index: 0, part: { type: "output_text", text: "" } },
    { type: "response.output_text.delta", output_index: 1, item_id: "msg_1", content_index: 0, delta: text },
    { type: "response.output_text.annotation.added", output_index: 1, item_id: "msg_1", content_index: 0, annotation_index: 0, annotation },
    { type: "response.output_text.done", output_index: 1, item_id: "msg_1", content_index: 0, text },
    { type: "response.output_item.done", output_index: 1, item: msgItem(text, "msg_1", [annotation]) },
  ];

  test("stream: server_tool_use (query) + web_search_tool_result (pages), then text with a citation", () => {
    const r = run([created(), ...search, ...message, completed(USAGE)], makeCtx());
    const msg = checkInvariants(r.events);
    expect(msg.content[0]).toEqual({ type: "server_tool_use", id: "srvtoolu_ws_1", name: "web_search", input: { query: "bun 1.4" } });
    expect(msg.content[1]).toEqual({ type: "web_search_tool_result", tool_use_id: "srvtoolu_ws_1", content: [{ type: "web_search_result", title: "https://bun.sh/blog", url: "https://bun.sh/blog", encrypted_content: "", page_age: null }] });
    expect(msg.content[2].text).toBe(text);
    expect(msg.content[2].citations).toEqual([{ type: "web_search_result_location", cited_text: "Bun 1.4 is ou", url: "https://bun.sh/blog", title: "Bun blog", encrypted_index: "" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.server_tool_use).toEqual({ web_search_requests: 1 });
  });

  test("non-stream: the same blocks; result titles come from the citations", () => {
    const m = nonStream(makeCtx(), [search[2]!.item, msgItem(text, "msg_1", [annotation])]);
    expect(m.content.map((b: any) => b.type)).toEqual(["server_tool_use", "web_search_tool_result", "text"]);
    expect(m.content[1].content[0].title).toBe("Bun blog");
    expect(m.content[2].citations[0].cited_text).toBe("Bun 1.4 is ou");
    expect(m.usage.server_tool_use).toEqual({ web_search_requests: 1 });
  });

  test("open_page / find actions are not searches: nothing is shown", () => {
    const r = run([created(), { type: "response.output_item.done", output_index: 0, item: { id: "ws_2", type: "web_search_call", status: "completed", action: { type: "open_page", url: "https://x.test" } } }, ...textItem(1, "ok"), completed(USAGE)], makeCtx());
    expect(checkInvariants(r.events).content.map((b: any) => b.type)).toEqual(["text"]);
  });
});

describe("structured output strictness (docs/clients.md C5.1)", () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["every property required, closed", { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false }, true],
    ["an optional property", { type: "object", properties: { a: { type: "string" }, b: { type: "string" } }, required: ["a"], additionalProperties: false }, false],
    ["open object", { type: "object", properties: { a: { type: "string" } }, required: ["a"] }, false],
    ["nested optional", { type: "object", properties: { a: { type: "object", properties: { x: { type: "number" } }, additionalProperties: false } }, required: ["a"], additionalProperties: false }, false],
    ["array of closed objects", { type: "object", properties: { l: { type: "array", items: { type: "object", properties: { x: { type: "number" } }, required: ["x"], additionalProperties: false } } }, required: ["l"], additionalProperties: false }, true],
    ["oneOf is not supported by strict mode", { type: "object", properties: { a: { oneOf: [{ type: "string" }, { type: "number" }] } }, required: ["a"], additionalProperties: false }, false],
  ];
  for (const [name, schema, strict] of cases) {
    test(name, () => {
      const ctx = makeCtx();
      const out = anthropicToCodex({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }], output_config: { format: { type: "json_schema", schema: { $schema: "https://json-schema.org/draft/2020-12/schema", ...schema } } } }, ctx);
      expect(out.text).toEqual({ format: { type: "json_schema", name: "output", schema, strict } });
    });
  }
});
