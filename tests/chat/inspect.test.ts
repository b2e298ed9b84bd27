import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { chatContext, inspectChat } from "../../src/translate/chat/index.ts";

const msgs = [{ role: "user", content: "hi" }];

describe("inspectChat: accepted bodies", () => {
  const ok: { id: string; body: unknown; want: Record<string, unknown> }[] = [
    { id: "minimal", body: { model: "gpt-5.5", messages: msgs }, want: { model: "gpt-5.5", stream: false, includeUsage: false, maxOutputTokens: undefined, effort: undefined, sessionKey: undefined } },
    { id: "stream + include_usage", body: { model: "m", messages: msgs, stream: true, stream_options: { include_usage: true } }, want: { stream: true, includeUsage: true } },
    { id: "max tokens: larger of the two", body: { model: "m", messages: msgs, max_tokens: 100, max_completion_tokens: 4096 }, want: { maxOutputTokens: 4096 } },
    { id: "max tokens: null is absent", body: { model: "m", messages: msgs, max_tokens: null }, want: { maxOutputTokens: undefined } },
    { id: "effort from reasoning_effort", body: { model: "m", messages: msgs, reasoning_effort: "high", reasoning: { effort: "low" } }, want: { effort: "high" } },
    { id: "effort from reasoning.effort", body: { model: "m", messages: msgs, reasoning: { effort: "low" } }, want: { effort: "low" } },
    { id: "effort from an OpenRouter budget", body: { model: "m", messages: msgs, reasoning: { max_tokens: 10000 } }, want: { effort: "high" } },
    { id: "session: prompt_cache_key first", body: { model: "m", messages: msgs, prompt_cache_key: "k", session_id: "s", user: "u" }, want: { sessionKey: "k" } },
    { id: "session: session_id", body: { model: "m", messages: msgs, session_id: "s", user: "u" }, want: { sessionKey: "s" } },
    { id: "session: metadata.session_id", body: { model: "m", messages: msgs, metadata: { session_id: "ms" }, user: "u" }, want: { sessionKey: "ms" } },
    { id: "session: user last", body: { model: "m", messages: msgs, user: "u" }, want: { sessionKey: "u" } },
    { id: "n:1 is fine", body: { model: "m", messages: msgs, n: 1, logprobs: false }, want: { model: "m" } },
    { id: "Responses-shaped body (input, no messages)", body: { model: "m", input: "hi", max_output_tokens: 300, reasoning: { effort: "medium" } }, want: { maxOutputTokens: 300, effort: "medium" } },
    { id: "Responses-shaped array input", body: { model: "m", input: [{ role: "user", content: "hi" }], stream: true }, want: { stream: true } },
  ];
  for (const c of ok) test(c.id, () => expect(inspectChat(c.body)).toMatchObject(c.want));
});

describe("inspectChat: early 400s name the field", () => {
  const bad: { id: string; body: unknown; param: string | null }[] = [
    { id: "not an object (array)", body: [1], param: null },
    { id: "not an object (null)", body: null, param: null },
    { id: "not an object (string)", body: "hi", param: null },
    { id: "missing model", body: { messages: msgs }, param: "model" },
    { id: "empty model", body: { model: " ", messages: msgs }, param: "model" },
    { id: "model not a string", body: { model: 5, messages: msgs }, param: "model" },
    { id: "missing messages", body: { model: "m" }, param: "messages" },
    { id: "messages not an array", body: { model: "m", messages: "hi" }, param: "messages" },
    { id: "messages empty", body: { model: "m", messages: [] }, param: "messages" },
    { id: "C11 n > 1", body: { model: "m", messages: msgs, n: 2 }, param: "n" },
    { id: "n = 0", body: { model: "m", messages: msgs, n: 0 }, param: "n" },
    { id: "logprobs", body: { model: "m", messages: msgs, logprobs: true }, param: "logprobs" },
    { id: "top_logprobs", body: { model: "m", messages: msgs, top_logprobs: 3 }, param: "top_logprobs" },
    { id: "audio output", body: { model: "m", messages: msgs, modalities: ["text", "audio"] }, param: "modalities" },
    { id: "audio params", body: { model: "m", messages: msgs, audio: { voice: "x" } }, param: "audio" },
    { id: "stream not boolean", body: { model: "m", messages: msgs, stream: "yes" }, param: "stream" },
    { id: "max_tokens negative", body: { model: "m", messages: msgs, max_tokens: -1 }, param: "max_tokens" },
    { id: "max_completion_tokens not a number", body: { model: "m", messages: msgs, max_completion_tokens: "10" }, param: "max_completion_tokens" },
    { id: "reasoning_effort not a string", body: { model: "m", messages: msgs, reasoning_effort: 3 }, param: "reasoning_effort" },
    { id: "Responses input of a wrong type", body: { model: "m", input: 5 }, param: "input" },
    { id: "previous_response_id (stateless, E33)", body: { model: "m", input: "hi", previous_response_id: "resp_1" }, param: "previous_response_id" },
    { id: "background", body: { model: "m", input: "hi", background: true }, param: "background" },
  ];
  for (const c of bad) {
    test(c.id, () => {
      let err: unknown;
      try {
        inspectChat(c.body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      expect((err as GatewayError).param).toBe(c.param);
    });
  }
});

describe("session headers and chatContext", () => {
  const h = (o: Record<string, string>) => ({ headers: new Headers(o) });

  test("inspect: body prompt_cache_key > session header > body hints", () => {
    expect(inspectChat({ model: "m", messages: msgs, prompt_cache_key: "k", session_id: "s" }, h({ session_id: "hdr" })).sessionKey).toBe("k");
    expect(inspectChat({ model: "m", messages: msgs, session_id: "s", user: "u" }, h({ "x-cursor-conversation-id": "cur" })).sessionKey).toBe("cur");
    expect(inspectChat({ model: "m", messages: msgs, user: "u" }, h({})).sessionKey).toBe("u");
  });

  test("chatContext: tool map, include_usage, header cache key only without a body key", () => {
    const long = `t${"x".repeat(70)}`;
    const body = { model: "m", messages: msgs, tools: [{ type: "function", function: { name: long } }], stream_options: { include_usage: true } };
    const ctx = chatContext(body, undefined, h({ "session-id": "sess-9" }));
    expect(ctx.includeUsage).toBe(true);
    expect(ctx.promptCacheKey).toBe("sess-9");
    expect(ctx.toolNames.toClient.get(ctx.toolNames.toUpstream.get(long)!)).toBe(long);
    expect(chatContext({ ...body, prompt_cache_key: "mine" }, undefined, h({ "session-id": "sess-9" })).promptCacheKey).toBeUndefined();
    expect(chatContext({ model: "m", messages: msgs }).includeUsage).toBe(false);
  });
});
