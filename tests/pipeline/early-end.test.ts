/**
 * The stop signal of issue 19 in the pipeline (relay.ts, unary.ts): when a stop sequence or an
 * emulated cap ends the client's answer, the answer is complete (200), the upstream is cancelled,
 * the client's usage is what it received, and what the upstream billed is recorded against the
 * key (the upstream's own usage when it came, else the estimate of the cancelled turn).
 */
import { describe, expect, test } from "bun:test";
import { runPipeline } from "../../src/pipeline/run.ts";
import { createChatSurface } from "../../src/surfaces/chat.ts";
import { createMessagesSurface } from "../../src/surfaces/messages.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { TEST_KEY, fakeRuntime, scriptedStream } from "../helpers/fakes.ts";

const state = { reasoning: { remember() {}, lookup: () => undefined } };
const chat = createChatSurface(state as any);
const messages = createMessagesSurface(state as any);

/** A long answer in many deltas, never finished within the test (the upstream would go on). */
function longTurn(words: number): CodexEvent[] {
  const evs: CodexEvent[] = [
    { type: "response.created", response: { id: "resp_1", status: "in_progress", output: [] } },
    { type: "response.output_item.added", output_index: 0, item: { id: "msg_1", type: "message", role: "assistant", content: [] } },
    { type: "response.content_part.added", output_index: 0, item_id: "msg_1", content_index: 0, part: { type: "output_text", text: "" } },
  ];
  for (let i = 0; i < words; i++) evs.push({ type: "response.output_text.delta", output_index: 0, item_id: "msg_1", content_index: 0, delta: i === 3 ? " STOP" : ` word${i}` });
  return evs;
}

function request(path: string, body: unknown): Request {
  return new Request(`http://localhost${path}`, { method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "x-api-key": TEST_KEY, "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("early end: stop sequence / cap", () => {
  for (const stream of [true, false]) {
    test(`chat stop (${stream ? "stream" : "non-stream"}): answer complete, upstream cancelled, billed estimate recorded`, async () => {
      const up = scriptedStream(longTurn(200));
      const rt = fakeRuntime({ open: async () => up });
      const body = { model: "gpt-5", stream, stop: ["STOP"], messages: [{ role: "user", content: "count" }], stream_options: stream ? { include_usage: true } : undefined };
      const res = await runPipeline(rt, { surface: chat, request: request("/v1/chat/completions", body), body, requestId: "r1" });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(up.cancelled).toBe(true);
      if (stream) {
        expect(text).toContain('"finish_reason":"stop"');
        expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
        expect(text).not.toContain("word5");
      } else {
        const json = JSON.parse(text);
        expect(json.choices[0].message.content).toBe(" word0 word1 word2 ");
        expect(json.choices[0].finish_reason).toBe("stop");
        expect(json.usage.completion_tokens).toBe(6); // " word", "0", … as o200k splits them
      }
      expect(rt.finished[0]!.status).toBe(200);
      // Billed: the request's input (estimated) and the answer text the upstream produced until the cut.
      const billed = rt.settled[0]!;
      expect(billed.inputTokens).toBeGreaterThan(0);
      expect(billed.outputTokens).toBeGreaterThan(0);
      expect(rt.finished[0]!.usage).toEqual(billed);
    });
  }

  test("anthropic max_tokens (stream): message_stop after max_tokens, upstream cancelled", async () => {
    const up = scriptedStream(longTurn(200));
    const rt = fakeRuntime({ open: async () => up });
    const body = { model: "claude-sonnet-4-5", max_tokens: 5, stream: true, messages: [{ role: "user", content: "count" }] };
    const res = await runPipeline(rt, { surface: messages, request: request("/v1/messages", body), body, requestId: "r2" });
    const wire = await res.text();
    expect(wire).toContain('"stop_reason":"max_tokens"');
    expect(wire.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    expect(up.cancelled).toBe(true);
    expect(rt.settled[0]!.outputTokens).toBeGreaterThan(0);
  });

  for (const stream of [true, false]) {
    test(`the upstream's own usage is recorded when it arrived with the cut (${stream ? "stream" : "non-stream"})`, async () => {
      const evs = longTurn(5);
      evs.push({ type: "response.completed", response: { id: "resp_1", status: "completed", output: [], usage: { input_tokens: 77, output_tokens: 9, total_tokens: 86 } } });
      // Everything in one chunk: the stop sequence and the terminal event arrive together.
      const one = scriptedStream([]);
      let sent = false;
      one.next = async () => (sent ? null : ((sent = true), { bytes: new Uint8Array(0), events: evs }));
      const rt = fakeRuntime({ open: async () => one });
      const body = { model: "gpt-5", stream, stop: ["word4"], messages: [{ role: "user", content: "count" }] };
      const res = await runPipeline(rt, { surface: chat, request: request("/v1/chat/completions", body), body, requestId: "r3" });
      expect(await res.text()).toContain(stream ? '"finish_reason":"stop"' : '"finish_reason":"stop"');
      expect(rt.settled[0]).toMatchObject({ inputTokens: 77, outputTokens: 9 });
    });
  }
});
