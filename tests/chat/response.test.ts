import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { buildToolNameMap, chatFromResponse, reasoningGroups } from "../../src/translate/chat/index.ts";
import { makeCtx } from "./helpers.ts";
import { callItem, messageItem, reasoningItem, USAGE } from "./fixtures/events.ts";

const final = (output: unknown[], extra: Record<string, unknown> = {}) => ({ id: "resp_1", status: "completed", output, usage: USAGE, incomplete_details: null, error: null, ...extra });

describe("chatFromResponse", () => {
  test("docs/clients.md C3.9 example: reasoning_content, tool_calls, finish tool_calls, usage", () => {
    const out = chatFromResponse(
      final([reasoningItem("rs_1", ["Need to search first…"]), callItem("fc_1", "call_Dke46", "grep", '{"pattern":"foo"}'), callItem("fc_2", "call_Zq81", "read_file", '{"target_file":"a.ts"}')]),
      makeCtx(),
    );
    expect(out).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1758093393,
      model: "gpt-5.5",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            reasoning_content: "Need to search first…",
            tool_calls: [
              { id: "call_Dke46", type: "function", function: { name: "grep", arguments: '{"pattern":"foo"}' } },
              { id: "call_Zq81", type: "function", function: { name: "read_file", arguments: '{"target_file":"a.ts"}' } },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 5914, completion_tokens: 92, total_tokens: 6006, prompt_tokens_details: { cached_tokens: 4096 }, completion_tokens_details: { reasoning_tokens: 40 } },
    });
  });

  const modes = [
    { mode: "content" as const, content: "A\n\nB", reasoning: "r1\n\nr2" },
    { mode: "think_tags" as const, content: "<think>\nr1\n\nr2\n</think>\n\nA\n\nB", reasoning: undefined },
    { mode: "hide" as const, content: "A\n\nB", reasoning: undefined },
  ];
  for (const m of modes) {
    test(`reasoning output ${m.mode}; message items joined by a blank line`, () => {
      const out: any = chatFromResponse(final([reasoningItem("rs_1", ["r1", "r2"]), messageItem("m1", "A"), messageItem("m2", "B")]), makeCtx({ reasoningOutput: m.mode }));
      expect(out.choices[0].message.content).toBe(m.content);
      expect(out.choices[0].message.reasoning_content).toBe(m.reasoning);
      expect(out.choices[0].finish_reason).toBe("stop");
    });
  }

  const finishes = [
    { name: "max_output_tokens → length", extra: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }, want: "length" },
    { name: "content_filter → content_filter", extra: { status: "incomplete", incomplete_details: { reason: "content_filter" } }, want: "content_filter" },
    { name: "completed → stop", extra: {}, want: "stop" },
  ];
  for (const f of finishes) {
    test(`finish_reason: ${f.name}`, () => {
      expect((chatFromResponse(final([messageItem("m1", "x")], f.extra), makeCtx()) as any).choices[0].finish_reason).toBe(f.want);
    });
  }

  test("failed responses throw the mapped GatewayError (never a chat.completion)", () => {
    const cases = [
      { error: { code: "context_length_exceeded", message: "too long" }, status: 400, type: "invalid_request_error" },
      { error: { code: "rate_limit_exceeded", message: "Please try again in 11.054s." }, status: 429, type: "rate_limit_error", retry: "12" },
      { error: { code: "insufficient_quota", message: "quota" }, status: 429, type: "usage_limit_reached" },
      { error: { code: "server_is_overloaded", message: "" }, status: 503, type: "overloaded_error" },
      { error: { code: "mystery", message: "?" }, status: 502, type: "upstream_error" },
    ];
    for (const c of cases) {
      let err: GatewayError | undefined;
      try {
        chatFromResponse({ status: "failed", error: c.error, output: [] }, makeCtx());
      } catch (e) {
        err = e as GatewayError;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect([err!.status, err!.type, err!.code]).toEqual([c.status, c.type as any, c.error.code]);
      if (c.retry) expect(err!.headers["retry-after"]).toBe(c.retry);
    }
  });

  test("custom tool calls, empty arguments, refusal, annotations, reversed names", () => {
    const long = `mcp__srv__${"t".repeat(70)}`;
    const names = buildToolNameMap([long]);
    const short = names.toUpstream.get(long)!;
    const out: any = chatFromResponse(
      final([
        { id: "m1", type: "message", content: [{ type: "output_text", text: "see", annotations: [{ type: "url_citation", url: "https://x", title: "X", start_index: 0, end_index: 3 }] }, { type: "refusal", refusal: "no" }] },
        { id: "ctc", type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: "*** Begin" },
        callItem("fc_1", "call_e", short, ""),
      ]),
      makeCtx({ toolNames: names }),
    );
    const msg = out.choices[0].message;
    expect(msg.content).toBe("see");
    expect(msg.refusal).toBe("no");
    expect(msg.annotations).toEqual([{ type: "url_citation", url_citation: { url: "https://x", title: "X", start_index: 0, end_index: 3 } }]);
    expect(msg.tool_calls).toEqual([
      { id: "call_p", type: "custom", custom: { name: "apply_patch", input: "*** Begin" } },
      { id: "call_e", type: "function", function: { name: long, arguments: "{}" } },
    ]);
  });

  test("missing usage becomes zeros", () => {
    expect((chatFromResponse(final([messageItem("m", "x")], { usage: null }), makeCtx()) as any).usage).toEqual({
      prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  test("reasoningGroups: the non-stream twin of state.reasoningForCalls", () => {
    expect(reasoningGroups([reasoningItem("rs_1", ["a"], "gAAAA1"), callItem("fc_1", "call_1", "f", "{}"), callItem("fc_2", "call_2", "g", "{}"), { id: "rs_2", type: "reasoning", summary: [] }, messageItem("m", "x")])).toEqual([
      { callIds: ["call_1"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAA1" }] },
    ]);
  });
});

test("chatReasoningToRemember prefers the stream state's groups, else the final output", async () => {
  const { chatReasoningToRemember } = await import("../../src/translate/chat/index.ts");
  const groups = [{ callIds: ["call_s"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAAs" }] }];
  expect(chatReasoningToRemember({ output: [], streamState: { reasoningForCalls: groups } })).toBe(groups);
  expect(chatReasoningToRemember({ output: [reasoningItem("rs", ["a"], "gAAAAo"), callItem("fc", "call_o", "f", "{}")] })).toEqual([
    { callIds: ["call_o"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAAo" }] },
  ]);
});
