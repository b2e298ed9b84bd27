import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { geminiFromResponse } from "../../src/translate/gemini/index.ts";
import { accumulate, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { allParts, events, makeCtx, sseFrames, textStream, workedExample } from "./helpers.ts";

const SIG = "Y2R4MTpbImdBQUFBQi1maW5hbCJd";

function accumulated(evs: CodexEvent[]): Record<string, any> {
  const s = initAccumulator();
  for (const ev of evs) accumulate(s, ev);
  return finalResponse(s, "gemini-2.5-pro");
}

const ctx = (extra: Record<string, unknown> = {}) => makeCtx({ geminiIncludeThoughts: true, ...extra });

function throws(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return e as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

/** Merge adjacent text parts of one kind (thought or not) when the later one carries no signature. */
function mergeTexts(parts: any[]): any[] {
  const out: any[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev && typeof prev.text === "string" && typeof p.text === "string" && !!prev.thought === !!p.thought && !p.thoughtSignature && !prev.functionCall) {
      out[out.length - 1] = { ...prev, text: prev.text + p.text };
    } else out.push({ ...p });
  }
  return out;
}

describe("geminiFromResponse (docs/clients.md C12)", () => {
  test("the docs/clients.md C12 example", () => {
    expect(geminiFromResponse(accumulated(workedExample()), ctx())).toEqual({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "**Locating the file**\n\nNeed the file.", thought: true },
              { text: "Reading it.", thoughtSignature: SIG },
              { functionCall: { id: "call_Dke46", name: "read_file", args: { file_path: "a.ts" } } },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 12000, cachedContentTokenCount: 10240, candidatesTokenCount: 45, thoughtsTokenCount: 40, totalTokenCount: 12085, promptTokensDetails: [{ modality: "TEXT", tokenCount: 12000 }] },
      modelVersion: "gemini-2.5-pro",
      responseId: "resp_9a1",
    });
  });

  test("without includeThoughts: no thought part, signature kept", () => {
    const parts = (geminiFromResponse(accumulated(workedExample()), ctx({ geminiIncludeThoughts: false })) as any).candidates[0].content.parts;
    expect(parts[0]).toEqual({ text: "Reading it.", thoughtSignature: SIG });
  });

  test("no parts at all keeps content with parts []", () => {
    const r = geminiFromResponse({ id: "r", status: "completed", output: [] }, ctx()) as any;
    expect(r.candidates[0]).toEqual({ content: { role: "model", parts: [] }, finishReason: "STOP", index: 0 });
  });

  test("trailing reasoning → trailing empty text part with the signature", () => {
    const r = geminiFromResponse({ id: "r", status: "completed", output: [{ type: "message", content: [{ type: "output_text", text: "a" }] }, { type: "reasoning", summary: [], encrypted_content: "gAAAAB-final" }] }, ctx()) as any;
    expect(r.candidates[0].content.parts).toEqual([{ text: "a" }, { text: "", thoughtSignature: SIG }]);
  });

  test("two message items → two text parts, the second starting with \\n\\n", () => {
    const r = geminiFromResponse({ id: "r", status: "completed", output: [{ type: "message", content: [{ type: "output_text", text: "a" }, { type: "output_text", text: "b" }] }, { type: "message", content: [{ type: "output_text", text: "c" }] }] }, ctx()) as any;
    expect(r.candidates[0].content.parts).toEqual([{ text: "ab" }, { text: "\n\nc" }]);
  });

  test.each([
    [{ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ type: "message", content: [{ type: "output_text", text: "x" }] }] }, "MAX_TOKENS"],
    [{ status: "incomplete", incomplete_details: { reason: "content_filter" }, output: [] }, "SAFETY"],
    [{ status: "completed", output: [{ type: "message", content: [{ type: "refusal", refusal: "no" }] }] }, "SAFETY"],
    [{ status: "completed", output: [{ type: "function_call", call_id: "c", name: "f", arguments: "{bad" }] }, "MALFORMED_FUNCTION_CALL"],
    [{ status: "completed", output: [{ type: "function_call", call_id: "c", name: "f", arguments: "" }] }, "STOP"],
  ])("finishReason for %j is %s", (final, reason) => {
    expect((geminiFromResponse({ id: "r", ...final }, ctx()) as any).candidates[0].finishReason).toBe(reason);
  });

  test("failures are HTTP errors, never a 200 body", () => {
    const failed = accumulated(events([["response.created", { response: { id: "r" } }], ["response.failed", { response: { id: "r", status: "failed", error: { code: "context_length_exceeded", message: "too long" } } }]]));
    expect(throws(() => geminiFromResponse(failed, ctx())).status).toBe(400);
    const eof = accumulated(textStream(["a"]).slice(0, 3));
    expect(throws(() => geminiFromResponse(eof, ctx())).status).toBe(503);
    const bareError = accumulated(events([["error", { code: "server_is_overloaded", message: "busy" }]]));
    expect(throws(() => geminiFromResponse(bareError, ctx())).status).toBeGreaterThanOrEqual(500);
    const quota = throws(() => geminiFromResponse({ id: "r", status: "failed", error: { code: "usage_limit_reached", message: "limit", resets_in_seconds: 90 } }, ctx()));
    expect(quota.status).toBe(429);
    expect(quota.headers["retry-after"]).toBe("90");
  });

  test("tool names restored; args parsed", () => {
    const r = geminiFromResponse({ id: "r", status: "completed", output: [{ type: "function_call", call_id: "c", name: "a_b", arguments: '{"k":[1,2]}' }] }, ctx({ geminiToolNames: { a_b: "a.b" } })) as any;
    expect(r.candidates[0].content.parts).toEqual([{ functionCall: { id: "c", name: "a.b", args: { k: [1, 2] } } }]);
  });

  const fixtures: [string, CodexEvent[]][] = [
    ["docs/clients.md C11.8 worked example", workedExample()],
    ["text only", textStream(["Hel", "lo ", "world"], { input_tokens: 5, output_tokens: 3, total_tokens: 8 })],
    [
      "reasoning, two summaries, text, call, trailing reasoning",
      events([
        ["response.created", { response: { id: "r1" } }],
        ["response.output_item.added", { output_index: 0, item: { id: "rs", type: "reasoning", summary: [] } }],
        ["response.reasoning_summary_part.added", { item_id: "rs", output_index: 0, summary_index: 0 }],
        ["response.reasoning_summary_text.delta", { item_id: "rs", output_index: 0, summary_index: 0, delta: "one" }],
        ["response.reasoning_summary_part.done", { item_id: "rs", output_index: 0, summary_index: 0 }],
        ["response.reasoning_summary_part.added", { item_id: "rs", output_index: 0, summary_index: 1 }],
        ["response.reasoning_summary_text.delta", { item_id: "rs", output_index: 0, summary_index: 1, delta: "two" }],
        ["response.reasoning_summary_part.done", { item_id: "rs", output_index: 0, summary_index: 1 }],
        ["response.output_item.done", { output_index: 0, item: { id: "rs", type: "reasoning", summary: [{ type: "summary_text", text: "one" }, { type: "summary_text", text: "two" }], encrypted_content: "gAAAA-a" } }],
        ["response.output_item.added", { output_index: 1, item: { id: "m", type: "message", content: [] } }],
        ["response.content_part.added", { item_id: "m", output_index: 1, content_index: 0, part: { type: "output_text", text: "" } }],
        ["response.output_text.delta", { item_id: "m", output_index: 1, content_index: 0, delta: "x" }],
        ["response.output_text.delta", { item_id: "m", output_index: 1, content_index: 0, delta: "y" }],
        ["response.output_item.done", { output_index: 1, item: { id: "m", type: "message", content: [{ type: "output_text", text: "xy" }] } }],
        ["response.output_item.done", { output_index: 2, item: { id: "fc", type: "function_call", call_id: "c1", name: "f", arguments: '{"q":1}' } }],
        ["response.output_item.done", { output_index: 3, item: { id: "rs2", type: "reasoning", summary: [], encrypted_content: "gAAAA-b" } }],
        ["response.completed", { response: { id: "r1", status: "completed", output: [], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } }],
      ]),
    ],
  ];

  test.each(fixtures)("property: merged stream parts equal non-stream parts (%s)", (_name, evs) => {
    const frames = sseFrames(evs, { geminiIncludeThoughts: true });
    const nonStream = geminiFromResponse(accumulated(evs), ctx()) as any;
    expect(mergeTexts(allParts(frames))).toEqual(nonStream.candidates[0].content.parts);
    const final = frames[frames.length - 1];
    expect(final.candidates[0].finishReason).toBe(nonStream.candidates[0].finishReason);
    expect(final.usageMetadata).toEqual(nonStream.usageMetadata);
  });
});
