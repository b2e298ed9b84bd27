import { describe, expect, test } from "bun:test";
import { encodeSignature, geminiStream } from "../../src/translate/gemini/index.ts";
import { isKnownEvent } from "../../src/codex/events.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { allParts, events, makeCtx, parseSse, runStream, sseFrames, textStream, workedExample } from "./helpers.ts";

const SIG = "Y2R4MTpbImdBQUFBQi1maW5hbCJd";
const last = (frames: any[]) => frames[frames.length - 1];
const finishOf = (frames: any[]) => last(frames).candidates[0].finishReason;

/** S23-style invariants every successful stream must meet. */
function assertSuccessfulStream(wire: string): any[] {
  expect(wire).not.toMatch(/^(:|event:)/m);
  expect(wire).not.toContain("[DONE]");
  const frames = parseSse(wire);
  const withFinish = frames.filter((f) => f.candidates?.[0]?.finishReason);
  expect(withFinish).toHaveLength(1);
  expect(withFinish[0]).toBe(last(frames));
  for (const f of frames) {
    expect(f.modelVersion).toBe("gemini-2.5-pro");
    for (const p of f.candidates[0].content.parts) {
      if (p.functionCall) expect(typeof p.functionCall.args).toBe("object");
      if ("text" in p && p.text === "") expect(p.thoughtSignature).toBeDefined();
    }
  }
  return frames;
}

describe("geminiStream docs/clients.md C16 vectors (SSE framing)", () => {
  test("S1 text only: text frames, final parts [] with STOP and usage", () => {
    const wire = runStream(textStream(["Hel", "lo"], { input_tokens: 10, output_tokens: 2, total_tokens: 12 })).pieces.join("");
    const frames = assertSuccessfulStream(wire);
    expect(allParts(frames.slice(0, -1))).toEqual([{ text: "Hel" }, { text: "lo" }]);
    expect(last(frames).candidates[0]).toEqual({ content: { role: "model", parts: [] }, finishReason: "STOP", index: 0 });
    expect(last(frames).usageMetadata).toMatchObject({ promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 });
    expect(last(frames).responseId).toBe("resp_t");
  });

  test("S2 the docs/clients.md C11.8 worked example, byte for byte", () => {
    const expected =
      'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"**Locating the file**\\n\\nNeed the file.","thought":true}]},"index":0}],"modelVersion":"gemini-2.5-pro","responseId":"resp_9a1"}\n\n' +
      `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Reading it.","thoughtSignature":"${SIG}"}]},"index":0}],"modelVersion":"gemini-2.5-pro","responseId":"resp_9a1"}\n\n` +
      'data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"call_Dke46","name":"read_file","args":{"file_path":"a.ts"}}}]},"index":0}],"modelVersion":"gemini-2.5-pro","responseId":"resp_9a1"}\n\n' +
      'data: {"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12000,"cachedContentTokenCount":10240,"candidatesTokenCount":45,"thoughtsTokenCount":40,"totalTokenCount":12085,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12000}]},"modelVersion":"gemini-2.5-pro","responseId":"resp_9a1"}\n\n';
    expect(runStream(workedExample()).pieces.join("")).toBe(expected);
  });

  test("S3 includeThoughts false: no thought frame, signature still on the text", () => {
    const frames = assertSuccessfulStream(runStream(workedExample(), { geminiIncludeThoughts: false }).pieces.join(""));
    expect(frames).toHaveLength(3);
    expect(allParts(frames)[0]).toEqual({ text: "Reading it.", thoughtSignature: SIG });
    expect(allParts(frames).some((p) => p.thought)).toBe(false);
  });

  const twoSummaries = events([
    ["response.output_item.added", { output_index: 0, item: { id: "rs_1", type: "reasoning" } }],
    ["response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 0, delta: "**A**" }],
    ["response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 0, delta: " one" }],
    ["response.reasoning_summary_text.done", { item_id: "rs_1", output_index: 0, summary_index: 0, text: "**A** one" }],
    ["response.reasoning_summary_part.done", { item_id: "rs_1", output_index: 0, summary_index: 0 }],
    ["response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 1, delta: "**B** two" }],
    ["response.reasoning_summary_part.done", { item_id: "rs_1", output_index: 0, summary_index: 1 }],
    ["response.output_item.done", { output_index: 0, item: { id: "rs_1", type: "reasoning", encrypted_content: "gAAAAB-x" } }],
    ["response.completed", { response: { id: "r", output: [] } }],
  ]);

  test("S4 two summary parts in part mode: two thought frames, second starts with \\n\\n", () => {
    const frames = assertSuccessfulStream(runStream(twoSummaries).pieces.join(""));
    expect(allParts(frames.slice(0, -1))).toEqual([
      { text: "**A** one", thought: true },
      { text: "\n\n**B** two", thought: true },
    ]);
  });

  test("S4b delta mode: one thought frame per delta, concatenation equals part mode", () => {
    const frames = assertSuccessfulStream(runStream(twoSummaries, { geminiThoughtChunking: "delta" }).pieces.join(""));
    const thoughts = allParts(frames).filter((p) => p.thought);
    expect(thoughts).toHaveLength(3);
    expect(thoughts.map((p) => p.text).join("")).toBe("**A** one\n\n**B** two");
  });

  test("S5 reasoning then function call: signature on the functionCall part", () => {
    const frames = assertSuccessfulStream(
      runStream(
        events([
          ["response.output_item.done", { output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [], encrypted_content: "gAAAAB-final" } }],
          ["response.output_item.added", { output_index: 1, item: { id: "fc_1", type: "function_call", call_id: "call_1", name: "ls" } }],
          ["response.output_item.done", { output_index: 1, item: { id: "fc_1", type: "function_call", call_id: "call_1", name: "ls", arguments: "{}" } }],
          ["response.completed", { response: { id: "r", output: [] } }],
        ]),
      ).pieces.join(""),
    );
    expect(allParts(frames)[0]).toEqual({ functionCall: { id: "call_1", name: "ls", args: {} }, thoughtSignature: SIG });
    expect(last(frames).candidates[0].content.parts).toEqual([]);
    expect(finishOf(frames)).toBe("STOP");
  });

  test("S6 reasoning last: final frame carries the signature on an empty text part", () => {
    const frames = assertSuccessfulStream(
      runStream([...textStream(["hi"]).slice(0, -1), ...events([["response.output_item.done", { output_index: 1, item: { id: "rs_9", type: "reasoning", encrypted_content: "gAAAAB-final" } }], ["response.completed", { response: { id: "r" } }]])]).pieces.join(""),
    );
    expect(last(frames).candidates[0].content.parts).toEqual([{ text: "", thoughtSignature: SIG }]);
  });

  test("S6b two reasoning items before one part share one envelope", () => {
    const frames = sseFrames(
      events([
        ["response.output_item.done", { output_index: 0, item: { id: "rs_1", type: "reasoning", encrypted_content: "gAAAA-1" } }],
        ["response.output_item.done", { output_index: 1, item: { id: "rs_2", type: "reasoning", encrypted_content: "gAAAA-2" } }],
        ["response.output_text.delta", { item_id: "m", output_index: 2, delta: "x" }],
        ["response.completed", { response: { id: "r" } }],
      ]),
    );
    expect(allParts(frames)[0].thoughtSignature).toBe(encodeSignature(["gAAAA-1", "gAAAA-2"]));
  });

  test("S7 parallel interleaved calls: two frames, complete args, in output_item.done order", () => {
    const frames = assertSuccessfulStream(
      runStream(
        events([
          ["response.output_item.added", { output_index: 0, item: { id: "fc_a", type: "function_call", call_id: "call_a", name: "read", arguments: "" } }],
          ["response.output_item.added", { output_index: 1, item: { id: "fc_b", type: "function_call", call_id: "call_b", name: "grep", arguments: "" } }],
          ["response.function_call_arguments.delta", { item_id: "fc_a", output_index: 0, delta: '{"path":' }],
          ["response.function_call_arguments.delta", { item_id: "fc_b", output_index: 1, delta: '{"q":' }],
          ["response.function_call_arguments.delta", { item_id: "fc_b", output_index: 1, delta: '"foo"}' }],
          ["response.function_call_arguments.delta", { item_id: "fc_a", output_index: 0, delta: '"a.ts"}' }],
          ["response.output_item.done", { output_index: 1, item: { id: "fc_b", type: "function_call", call_id: "call_b", name: "grep" } }],
          ["response.output_item.done", { output_index: 0, item: { id: "fc_a", type: "function_call", call_id: "call_a", name: "read" } }],
          ["response.completed", { response: { id: "r", output: [] } }],
        ]),
      ).pieces.join(""),
    );
    expect(frames.slice(0, -1).map((f) => f.candidates[0].content.parts)).toEqual([
      [{ functionCall: { id: "call_b", name: "grep", args: { q: "foo" } } }],
      [{ functionCall: { id: "call_a", name: "read", args: { path: "a.ts" } } }],
    ]);
  });

  test("S8 call without argument deltas: full args from .done / item", () => {
    for (const evs of [
      events([
        ["response.output_item.added", { output_index: 0, item: { id: "fc_1", type: "function_call" } }],
        ["response.function_call_arguments.done", { item_id: "fc_1", output_index: 0, arguments: '{"a":1}' }],
        ["response.output_item.done", { output_index: 0, item: { id: "fc_1", type: "function_call", call_id: "call_1", name: "f" } }],
        ["response.completed", { response: { id: "r" } }],
      ]),
      events([
        ["response.output_item.done", { output_index: 0, item: { id: "fc_1", type: "function_call", call_id: "call_1", name: "f", arguments: '{"a":1}' } }],
        ["response.completed", { response: { id: "r" } }],
      ]),
    ]) {
      expect(allParts(sseFrames(evs))[0]).toEqual({ functionCall: { id: "call_1", name: "f", args: { a: 1 } } });
    }
  });

  test("S9 empty deltas produce no frames", () => {
    const { pieces } = runStream(
      events([
        ["response.output_text.delta", { item_id: "m", output_index: 0, delta: "" }],
        ["response.reasoning_summary_text.delta", { item_id: "rs", output_index: 0, summary_index: 0, delta: "" }],
        ["response.function_call_arguments.delta", { item_id: "fc", output_index: 1, delta: "" }],
      ]),
      {},
      { kind: "eof" },
    );
    expect(pieces).toHaveLength(1); // only the EOF error frame
  });

  test("S10 call present only in response.completed.output is emitted before the final frame", () => {
    const frames = assertSuccessfulStream(
      runStream(events([["response.completed", { response: { id: "r", output: [{ id: "fc_9", type: "function_call", call_id: "call_9", name: "f", arguments: '{"x":true}' }] } }]])).pieces.join(""),
    );
    expect(frames).toHaveLength(2);
    expect(allParts(frames)[0]).toEqual({ functionCall: { id: "call_9", name: "f", args: { x: true } } });
  });

  test("S10b message present only in completed.output is delivered", () => {
    const frames = sseFrames(events([["response.completed", { response: { id: "r", output: [{ id: "msg_1", type: "message", content: [{ type: "output_text", text: "late" }] }] } }]]));
    expect(allParts(frames)).toEqual([{ text: "late" }]);
  });

  test("S11 completed with output [] after streamed items changes nothing; streamed calls not repeated", () => {
    const evs = workedExample();
    const withOutput = [...evs.slice(0, -1), { ...evs.at(-1)!, response: { ...evs.at(-1)!.response, output: [{ id: "fc_1", type: "function_call", call_id: "call_Dke46", name: "read_file", arguments: '{"file_path":"a.ts"}' }] } }];
    expect(runStream(withOutput).pieces.join("")).toBe(runStream(evs).pieces.join(""));
  });

  test("S12 unparseable arguments as the only call → MALFORMED_FUNCTION_CALL, no call frame", () => {
    const frames = assertSuccessfulStream(
      runStream(events([["response.output_item.done", { output_index: 0, item: { id: "fc", type: "function_call", call_id: "c", name: "f", arguments: "{bad" } }], ["response.completed", { response: { id: "r" } }]])).pieces.join(""),
    );
    expect(frames).toHaveLength(1);
    expect(last(frames).candidates[0]).toMatchObject({ finishReason: "MALFORMED_FUNCTION_CALL", finishMessage: "Malformed function call: f" });
  });

  test("S12b a malformed call next to a good one is dropped; STOP", () => {
    const frames = sseFrames(
      events([
        ["response.output_item.done", { output_index: 0, item: { id: "fc1", type: "function_call", call_id: "c1", name: "f", arguments: "[1]" } }],
        ["response.output_item.done", { output_index: 1, item: { id: "fc2", type: "function_call", call_id: "c2", name: "g", arguments: "{}" } }],
        ["response.completed", { response: { id: "r" } }],
      ]),
    );
    expect(allParts(frames)).toEqual([{ functionCall: { id: "c2", name: "g", args: {} } }]);
    expect(finishOf(frames)).toBe("STOP");
  });

  test.each([
    ["max_output_tokens", "MAX_TOKENS"],
    ["content_filter", "SAFETY"],
    ["other", "OTHER"],
    [undefined, "OTHER"],
  ])("S13 incomplete %s → %s", (reason, finish) => {
    const frames = assertSuccessfulStream(runStream(textStream(["a"], undefined, { type: "response.incomplete", response: { incomplete_details: reason ? { reason } : null } })).pieces.join(""));
    expect(finishOf(frames)).toBe(finish);
  });

  test("S14 commentary message then final message: second text begins with \\n\\n", () => {
    const frames = sseFrames(
      events([
        ["response.output_item.added", { output_index: 0, item: { id: "m1", type: "message" } }],
        ["response.output_text.delta", { item_id: "m1", output_index: 0, delta: "Checking." }],
        ["response.output_text.delta", { item_id: "m1", output_index: 0, delta: " More." }],
        ["response.output_item.added", { output_index: 1, item: { id: "m2", type: "message" } }],
        ["response.output_text.delta", { item_id: "m2", output_index: 1, delta: "Done." }],
        ["response.completed", { response: { id: "r" } }],
      ]),
    );
    expect(allParts(frames).map((p) => p.text)).toEqual(["Checking.", " More.", "\n\nDone."]);
  });

  test("S15 U+2028/U+2029/U+0085 are escaped on the wire", () => {
    const wire = runStream(textStream(["a\u2028b\u2029c\u0085d"])).pieces.join("");
    expect(wire).not.toMatch(/[\u2028\u2029\u0085]/);
    expect(wire).toContain("a\\u2028b\\u2029c\\u0085d");
    expect(allParts(parseSse(wire))[0].text).toBe("a\u2028b\u2029c\u0085d");
  });

  test("S16 response.failed before any frame: one error frame (the route answers with an HTTP status instead)", () => {
    const { pieces, state } = runStream(events([["response.created", { response: { id: "r" } }], ["response.failed", { response: { id: "r", error: { code: "context_length_exceeded", message: "Your input exceeds the context window of this model." } } }]]));
    expect(state.contentFrames).toBe(1);
    const frames = parseSse(pieces.join(""));
    expect(frames).toEqual([{ error: { code: 400, message: expect.stringContaining("exceeds the maximum number of tokens"), status: "INVALID_ARGUMENT" } }]);
  });

  test("S17 response.failed after frames: error frame, no finishReason, nothing after", () => {
    const evs = [...textStream(["part"]).slice(0, 3), { type: "response.failed", response: { id: "r", error: { code: "server_is_overloaded", message: "busy" } } }, ...textStream(["x"]).slice(3)];
    const frames = sseFrames(evs);
    expect(frames).toHaveLength(2);
    expect(frames[1]).toEqual({ error: { code: 503, message: "busy (server_is_overloaded)", status: "UNAVAILABLE" } });
    expect(frames.some((f) => f.candidates?.[0]?.finishReason)).toBe(false);
  });

  test("S17b 429 mid-stream carries RetryInfo with the parsed delay", () => {
    const frames = sseFrames(events([["response.output_text.delta", { item_id: "m", delta: "a" }], ["response.failed", { response: { error: { code: "rate_limit_exceeded", message: "Rate limit reached. Please try again in 11.054s." } } }]]));
    expect(frames[1].error.code).toBe(429);
    expect(frames[1].error.status).toBe("RESOURCE_EXHAUSTED");
    expect(frames[1].error.message).toContain("Please retry in 11.054s");
    expect(frames[1].error.details).toEqual([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "11.054s" }]);
  });

  test("S17c usage limit: RetryInfo from resets_at and ErrorInfo USAGE_LIMIT_REACHED", () => {
    const now = 1_750_000_000;
    const frames = sseFrames(events([["error", { code: "usage_limit_reached", message: "The usage limit has been reached", resets_at: now + 3600 }]]), { now });
    expect(frames[0].error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    expect(frames[0].error.details).toEqual([
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "3600s" },
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "USAGE_LIMIT_REACHED", domain: "chatgpt.com" },
    ]);
  });

  test("S18 EOF without terminal after frames: 500 INTERNAL error frame; before frames: 503", () => {
    const after = sseFrames(textStream(["a"]).slice(0, 3), {}, { kind: "eof" });
    expect(last(after)).toEqual({ error: { code: 500, message: "stream closed before response.completed (stream_incomplete)", status: "INTERNAL" } });
    const before = sseFrames(textStream(["a"]).slice(0, 2), {}, { kind: "eof" });
    expect(before).toEqual([{ error: { code: 503, message: "stream closed before response.completed (stream_incomplete)", status: "UNAVAILABLE" } }]);
    const done = sseFrames(textStream(["a"]).slice(0, 3), {}, { kind: "done" });
    expect(last(done).error.code).toBe(500);
  });

  test("S18b end(error) uses the given status and never adds a finishReason", () => {
    const frames = sseFrames(textStream(["a"]).slice(0, 3), {}, { kind: "error", status: 502, code: "upstream_error", message: "upstream went away" });
    expect(last(frames)).toEqual({ error: { code: 503, message: "upstream went away (upstream_error)", status: "UNAVAILABLE" } });
    expect(frames.some((f) => f.candidates?.[0]?.finishReason)).toBe(false);
  });

  test("S19 keep-alive is an empty-parts data frame, never an SSE comment", () => {
    const state = geminiStream.init(makeCtx());
    const ka0 = geminiStream.keepalive(state);
    expect(parseSse(ka0)).toEqual([{ candidates: [{ content: { role: "model", parts: [] }, index: 0 }], modelVersion: "gemini-2.5-pro" }]);
    geminiStream.step(state, { type: "response.created", response: { id: "resp_k" } });
    const ka = geminiStream.keepalive(state);
    expect(ka.startsWith("data: ")).toBe(true);
    expect(parseSse(ka)[0].responseId).toBe("resp_k");
    expect(state.contentFrames).toBe(0);
  });

  test("S20 codex.rate_limits, keepalive, unknown events: no frames; unknown ones left to the pipeline's count", () => {
    const state = geminiStream.init(makeCtx());
    const evs = [
      { type: "codex.rate_limits", rate_limits: {} },
      { type: "keepalive" },
      { type: "response.in_progress", response: {} },
      { type: "response.brand_new_thing", x: 1 },
      { type: "response.other_new", x: 1 },
    ];
    const out = evs.flatMap((ev) => geminiStream.step(state, ev as CodexEvent));
    expect(out).toEqual([]);
    expect(evs.filter((ev) => !isKnownEvent(ev.type)).length).toBe(2);
  });

  test("S21 usage without cache or reasoning: no cached/thoughts keys", () => {
    const frames = sseFrames(textStream(["a"], { input_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 150 }));
    expect(last(frames).usageMetadata).toEqual({ promptTokenCount: 100, candidatesTokenCount: 50, totalTokenCount: 150, promptTokensDetails: [{ modality: "TEXT", tokenCount: 100 }] });
  });

  test("S21b no usage upstream → no usageMetadata", () => {
    expect(last(sseFrames(textStream(["a"]))).usageMetadata).toBeUndefined();
  });

  test("S22 refusal delta → text frame, final SAFETY", () => {
    const frames = assertSuccessfulStream(
      runStream(events([["response.refusal.delta", { item_id: "m", output_index: 0, delta: "I can't help with that." }], ["response.completed", { response: { id: "r" } }]])).pieces.join(""),
    );
    expect(allParts(frames)[0]).toEqual({ text: "I can't help with that." });
    expect(finishOf(frames)).toBe("SAFETY");
  });

  test("S23 events after the terminal event and a second end() are ignored", () => {
    const state = geminiStream.init(makeCtx());
    for (const ev of textStream(["a"])) geminiStream.step(state, ev);
    expect(geminiStream.step(state, { type: "response.output_text.delta", item_id: "m", delta: "late" })).toEqual([]);
    expect(geminiStream.end(state, { kind: "done" })).toEqual([]);
    expect(geminiStream.end(state, { kind: "eof" })).toEqual([]);
  });

  test("message without deltas: full text emitted once at output_item.done (fixture without ids)", () => {
    const frames = assertSuccessfulStream(
      runStream(
        events([
          ["response.created", { response: { id: "resp1" } }],
          ["response.output_item.done", { item: { type: "message", role: "assistant", content: [{ type: "output_text", text: "fixture hello" }] } }],
          ["response.completed", { response: { id: "resp1", output: [] } }],
        ]),
      ).pieces.join(""),
    );
    expect(allParts(frames)).toEqual([{ text: "fixture hello" }]);
  });

  test("tool names are restored from ctx.geminiToolNames", () => {
    const frames = sseFrames(events([["response.output_item.done", { output_index: 0, item: { id: "fc", type: "function_call", call_id: "c", name: "mcp_a_b", arguments: "{}" } }], ["response.completed", { response: { id: "r" } }]]), { geminiToolNames: { mcp_a_b: "mcp_a.b" } });
    expect(allParts(frames)[0].functionCall.name).toBe("mcp_a.b");
  });

  test("url citations and search queries → groundingMetadata on the final frame", () => {
    const frames = sseFrames(
      events([
        ["response.output_item.done", { output_index: 0, item: { id: "ws", type: "web_search_call", action: { type: "search", query: "bun release" } } }],
        ["response.output_text.delta", { item_id: "m", output_index: 1, delta: "See docs." }],
        ["response.output_text.annotation.added", { item_id: "m", annotation: { type: "url_citation", url: "https://bun.sh", title: "Bun" } }],
        ["response.completed", { response: { id: "r" } }],
      ]),
    );
    expect(last(frames).candidates[0].groundingMetadata).toEqual({ webSearchQueries: ["bun release"], groundingChunks: [{ web: { uri: "https://bun.sh", title: "Bun" } }] });
  });

  test("thoughts without summary events fall back to the finished item's summary", () => {
    const frames = sseFrames(events([["response.output_item.done", { output_index: 0, item: { id: "rs", type: "reasoning", summary: [{ type: "summary_text", text: "S1" }, { type: "summary_text", text: "S2" }] } }], ["response.completed", { response: { id: "r" } }]]));
    expect(allParts(frames)).toEqual([
      { text: "S1", thought: true },
      { text: "\n\nS2", thought: true },
    ]);
  });
});

describe("JSON-array framing (no alt=sse)", () => {
  test("the whole body is one JSON array of the same objects", () => {
    const sse = parseSse(runStream(workedExample()).pieces.join(""));
    const { pieces } = runStream(workedExample(), { geminiFraming: "json-array" });
    const body = pieces.join("");
    expect(body.startsWith("[{")).toBe(true);
    expect(body.endsWith("}]")).toBe(true);
    expect(body).toContain("},\r\n{");
    expect(JSON.parse(body)).toEqual(sse);
  });

  test("keep-alives are whitespace and keep the body valid JSON", () => {
    const state = geminiStream.init(makeCtx({ geminiFraming: "json-array" }));
    let body = geminiStream.keepalive(state);
    for (const ev of textStream(["a", "b"])) {
      body += geminiStream.step(state, ev).join("");
      body += geminiStream.keepalive(state);
    }
    body += geminiStream.end(state, { kind: "done" }).join("");
    expect(body.trim()).toMatch(/^\[/);
    const arr = JSON.parse(body);
    expect(arr.at(-1).candidates[0].finishReason).toBe("STOP");
  });

  test("errors: error object as the last element, array closed", () => {
    const after = JSON.parse(runStream(textStream(["a"]).slice(0, 3), { geminiFraming: "json-array" }, { kind: "eof" }).pieces.join(""));
    expect(after).toHaveLength(2);
    expect(after[1].error).toMatchObject({ code: 500, status: "INTERNAL" });
    const before = JSON.parse(runStream([], { geminiFraming: "json-array" }, { kind: "eof" }).pieces.join(""));
    expect(before).toEqual([{ error: { code: 503, message: expect.any(String), status: "UNAVAILABLE" } }]);
  });
});
