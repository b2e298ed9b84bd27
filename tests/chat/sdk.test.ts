/**
 * SDK oracle (docs/clients.md C0.3): the frames chatStream produces, served as an HTTP response, must
 * be accepted by the official openai SDK's streaming helpers, and an error frame must surface as
 * an exception there.
 */
import { describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import type { CodexEvent } from "../../src/codex/types.ts";
import { makeCtx, runStream } from "./helpers.ts";
import * as E from "./fixtures/events.ts";

/** A client whose every request is answered with these SSE frames (split oddly, like a real socket). */
function clientServing(frames: string[]): OpenAI {
  const body = frames.join("");
  return new OpenAI({
    apiKey: "test",
    baseURL: "http://gateway.test/v1",
    maxRetries: 0,
    fetch: async () => {
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
          c.close();
        },
      });
      return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
    },
  });
}

const params = { model: "gpt-5.5", messages: [{ role: "user" as const, content: "hi" }] };

function framesFor(events: CodexEvent[], ctx = makeCtx(), end?: Parameters<typeof runStream>[2]): string[] {
  return runStream(E.seq(events), ctx, end).frames;
}

describe("openai SDK accepts chatStream output", () => {
  test("ChatCompletionStream.finalChatCompletion: text + reasoning_content + usage", async () => {
    const frames = framesFor([E.created(), ...E.reasoning(0, "rs_1", [["think"]]), ...E.message(1, "msg_1", ["Hello ", "wörld 👋"]), E.completed()], makeCtx({ includeUsage: true }));
    const stream = clientServing(frames).chat.completions.stream({ ...params, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe("Hello wörld 👋");
    expect(final.choices[0]!.message.role).toBe("assistant");
    expect(final.choices[0]!.finish_reason).toBe("stop");
    expect(final.usage?.prompt_tokens_details?.cached_tokens).toBe(4096);
    expect(final.model).toBe("gpt-5.5");
  });

  test("ChatCompletionStream.finalChatCompletion: interleaved parallel tool calls after a reasoning item", async () => {
    const events: CodexEvent[] = [
      E.created(),
      ...E.reasoning(0, "rs_1", [["plan"]]),
      E.callAdded(1, "fc_1", "call_A", "grep"),
      E.argsDelta(1, "fc_1", '{"pattern"'),
      E.callAdded(2, "fc_2", "call_B", "read_file", true),
      E.argsDelta(2, "fc_2", '{"f":"a.ts"}'),
      E.argsDelta(1, "fc_1", ':"foo"}'),
      E.callDone(1, "fc_1", "call_A", "grep", '{"pattern":"foo"}'),
      E.callDone(2, "fc_2", "call_B", "read_file", '{"f":"a.ts"}'),
      ...E.call(3, "fc_3", "call_C", "noop", [], { noDeltas: true }),
      E.completed(),
    ];
    const final = await clientServing(framesFor(events)).chat.completions.stream(params).finalChatCompletion();
    const msg = final.choices[0]!.message;
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(msg.tool_calls?.map((t: any) => [t.id, t.type, t.function.name, t.function.arguments])).toEqual([
      ["call_A", "function", "grep", '{"pattern":"foo"}'],
      ["call_B", "function", "read_file", '{"f":"a.ts"}'],
      ["call_C", "function", "noop", "{}"],
    ]);
  });

  test("think_tags and incomplete (length) streams are accepted", async () => {
    const frames = framesFor([E.created(), ...E.reasoning(0, "rs_1", [["t"]]), ...E.message(1, "msg_1", ["cut"]), E.incomplete("max_output_tokens")], makeCtx({ reasoningOutput: "think_tags" }));
    const final = await clientServing(frames).chat.completions.stream(params).finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe("<think>\nt\n</think>\n\ncut");
    expect(final.choices[0]!.finish_reason).toBe("length");
  });

  test("an error frame mid-stream rejects finalChatCompletion with APIError", async () => {
    const frames = framesFor([E.created(), ...E.message(0, "msg_1", ["partial"]).slice(0, 3), E.failed("context_length_exceeded", "Your input exceeds the context window of this model.")]);
    const stream = clientServing(frames).chat.completions.stream(params);
    stream.on("error", () => {}); // the runner also emits the error; keep it from being unhandled
    const err = await stream.finalChatCompletion().then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    expect(err.message).toContain("context window");
    expect(err.code).toBe("context_length_exceeded");
  });

  test("EOF without a terminal event throws while iterating a raw create({stream:true})", async () => {
    const frames = framesFor([E.created(), ...E.message(0, "msg_1", ["half"]).slice(0, 3)], makeCtx(), { kind: "eof" });
    const stream = await clientServing(frames).chat.completions.create({ ...params, stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const c of stream) seen.push(c.choices[0]?.delta?.content ?? "");
    })().then(
      () => undefined,
      (e) => e,
    );
    expect(seen.join("")).toBe("half");
    expect(err).toBeInstanceOf(APIError);
    expect(err.code).toBe("stream_incomplete");
  });
});
