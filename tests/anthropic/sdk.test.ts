/**
 * SDK oracle (docs/clients.md C0.3): the official @anthropic-ai/sdk must accept every stream the
 * reducer writes. The frames are served by a fake fetch to a real client, so the SDK's own SSE
 * parser and MessageStream accumulator (which throws on event-order violations) do the checking.
 */
import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { describe, expect, test } from "bun:test";
import { anthropicFromResponse, anthropicStream } from "../../src/translate/anthropic/index.ts";
import { accumulate, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { TranslateContext } from "../../src/translate/types.ts";
import { argsDelta, callAdded, callDone, callItem, checkInvariants, completed, created, fernet, makeCtx, reasoningItem, run, textItem, THINKING_BODY } from "./helpers.ts";

const SIG = fernet(4);

function clientFor(frames: string[], chunkSize = 7): Anthropic {
  const body = frames.join("");
  return new Anthropic({
    apiKey: "sk-test",
    baseURL: "http://gateway.test",
    maxRetries: 0,
    fetch: (async () => {
      // Small, misaligned chunks: the SDK must reassemble frames split anywhere.
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += chunkSize) c.enqueue(bytes.slice(i, i + chunkSize));
          c.close();
        },
      });
      return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
    }) as any,
  });
}

async function sdkFinal(frames: string[]): Promise<Anthropic.Message> {
  return clientFor(frames).messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).finalMessage();
}

const thinkingCtx = () => makeCtx({}, THINKING_BODY);
const USAGE = { input_tokens: 900, input_tokens_details: { cached_tokens: 512 }, output_tokens: 33, total_tokens: 933 };

const scenarios: { name: string; events: CodexEvent[]; ctx?: () => TranslateContext }[] = [
  { name: "text", events: [created(), ...textItem(0, ["Hello", " world"]), completed(USAGE)] },
  { name: "thinking + text", events: [created(), ...reasoningItem(0, [["a", "b"], ["c"]], SIG), ...textItem(1, "answer"), completed(USAGE)], ctx: thinkingCtx },
  { name: "signature-only thinking + tool", events: [created(), ...reasoningItem(0, [], SIG), ...callItem(1, "call_1", "Read", ['{"file_path"', ':"a.ts"}']), completed(USAGE)], ctx: thinkingCtx },
  {
    name: "parallel interleaved tools",
    events: [created(), callAdded(0, "call_A", "Read"), callAdded(1, "call_B", "Grep"), argsDelta(1, '{"p":'), argsDelta(0, '{"f":'), argsDelta(1, '"x"}'), argsDelta(0, '"y"}'), callDone(0, "call_A", "Read", '{"f":"y"}'), callDone(1, "call_B", "Grep", '{"p":"x"}'), completed(USAGE)],
  },
  { name: "text + tool + reasoning", events: [created(), ...reasoningItem(0, [["plan"]], SIG), ...textItem(1, "Doing it."), ...callItem(2, "call_x", "Bash", ['{"command":"ls"}']), completed(USAGE)], ctx: thinkingCtx },
  { name: "max_tokens", events: [created(), ...textItem(0, "cut"), { type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage: USAGE } }] },
];

describe("@anthropic-ai/sdk accepts every stream", () => {
  for (const sc of scenarios) {
    test(sc.name, async () => {
      const ctx = sc.ctx?.() ?? makeCtx();
      const r = run(sc.events, ctx);
      const expected = checkInvariants(r.events);
      const msg = await sdkFinal(r.frames);
      expect(msg.id).toBe(expected.id);
      expect(msg.model).toBe("claude-sonnet-4-5");
      expect(msg.content).toEqual(expected.content);
      expect(msg.stop_reason).toBe(expected.stop_reason);
      expect(msg.usage).toMatchObject(expected.usage);

      // Stream and non-stream agree (docs/clients.md C0.3): accumulate the same events and convert the final object.
      const acc = initAccumulator();
      for (const ev of sc.events) accumulate(acc, ev);
      const nonStream: any = anthropicFromResponse(finalResponse(acc, ctx.requestedModel), { ...ctx, newId: () => expected.id });
      const strip = (c: any[]) => c.map(({ citations: _c, ...rest }) => rest);
      expect(strip(nonStream.content)).toEqual(msg.content as any);
      expect(nonStream.stop_reason).toBe(msg.stop_reason);
      expect(nonStream.usage).toEqual(msg.usage as any);
    });
  }

  test("a 1-byte chunked stream parses the same", async () => {
    const r = run(scenarios[1]!.events, thinkingCtx());
    const msg = await clientFor(r.frames, 1).messages.stream({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }] }).finalMessage();
    expect(msg.content[0]).toEqual({ type: "thinking", thinking: "ab\n\nc", signature: SIG });
  });

  test("pings (keepalive) anywhere are ignored by the SDK", async () => {
    const s = anthropicStream.init(makeCtx());
    const frames = [anthropicStream.keepalive(s)];
    for (const ev of [created(), ...textItem(0, "x"), completed()]) frames.push(...anthropicStream.step(s, ev), anthropicStream.keepalive(s));
    expect((await sdkFinal(frames)).content as unknown).toEqual([{ type: "text", text: "x" }]);
  });

  const errors: [string, CodexEvent[], string, RegExp][] = [
    ["overloaded before content", [created(), { type: "response.failed", response: { error: { code: "server_is_overloaded", message: "busy" } } }], "overloaded_error", /busy/],
    ["context overflow mid-stream", [created(), ...textItem(0, "x").slice(0, 3), { type: "response.failed", response: { error: { code: "context_length_exceeded", message: "Your input exceeds the context window of this model." } } }], "invalid_request_error", /prompt is too long/],
  ];
  for (const [name, events, type, msg] of errors) {
    test(`error event surfaces as an APIError: ${name}`, async () => {
      const r = run(events);
      let err: unknown;
      try {
        await sdkFinal(r.frames);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).type as string).toBe(type);
      expect((err as APIError).message).toMatch(msg);
    });
  }

  test("the oracle is not vacuous: a duplicated message_start is rejected", async () => {
    const r = run([created(), ...textItem(0, "x"), completed()]);
    await expect(sdkFinal([r.frames[0]!, ...r.frames])).rejects.toThrow(/Unexpected event order/);
  });

  test("premature EOF surfaces as an error, never as a truncated success", async () => {
    const r = run([created(), ...textItem(0, "partial").slice(0, 3)], makeCtx(), { kind: "eof" });
    await expect(sdkFinal(r.frames)).rejects.toThrow(/stream closed before response.completed/);
  });
});
