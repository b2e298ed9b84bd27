import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { geminiFromResponse } from "../../src/translate/gemini/index.ts";
import { accumulate, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { allParts, makeCtx, parseSse, runStream } from "./helpers.ts";

/**
 * Property (docs/clients.md C16 S23, C12): for random upstream outputs, the SSE is strictly framed,
 * exactly the last frame has a finishReason, every call is emitted once with its args, and the
 * merged stream parts equal the non-stream parts.
 */

type Item = { kind: "text"; chunks: string[] } | { kind: "reasoning"; summaries: string[] } | { kind: "call"; args: Record<string, unknown>; split: number };

const text = fc.string({ unit: fc.constantFrom("a", "b", " ", "\n", "\u2028", "\u2029", "é", "😀", '"', "\\") as fc.Arbitrary<string>, minLength: 1, maxLength: 6 });
const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), chunks: fc.array(text, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant("reasoning" as const), summaries: fc.array(text, { minLength: 0, maxLength: 2 }) }),
  fc.record({ kind: fc.constant("call" as const), args: fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), text, fc.boolean())), split: fc.nat(20) }),
);

function toEvents(items: Item[]): CodexEvent[] {
  const evs: CodexEvent[] = [{ type: "response.created", response: { id: "resp_p" } }];
  items.forEach((it, i) => {
    const id = `it${i}`;
    if (it.kind === "text") {
      evs.push({ type: "response.output_item.added", output_index: i, item: { id, type: "message", content: [] } });
      for (const d of it.chunks) evs.push({ type: "response.output_text.delta", item_id: id, output_index: i, content_index: 0, delta: d });
      evs.push({ type: "response.output_item.done", output_index: i, item: { id, type: "message", content: [{ type: "output_text", text: it.chunks.join("") }] } });
    } else if (it.kind === "reasoning") {
      evs.push({ type: "response.output_item.added", output_index: i, item: { id, type: "reasoning", summary: [] } });
      it.summaries.forEach((t, si) => {
        evs.push({ type: "response.reasoning_summary_part.added", item_id: id, output_index: i, summary_index: si });
        evs.push({ type: "response.reasoning_summary_text.delta", item_id: id, output_index: i, summary_index: si, delta: t });
        evs.push({ type: "response.reasoning_summary_part.done", item_id: id, output_index: i, summary_index: si });
      });
      evs.push({ type: "response.output_item.done", output_index: i, item: { id, type: "reasoning", summary: it.summaries.map((t) => ({ type: "summary_text", text: t })), encrypted_content: `gAAAA-${i}` } });
    } else {
      const json = JSON.stringify(it.args);
      const cut = Math.min(it.split, json.length);
      evs.push({ type: "response.output_item.added", output_index: i, item: { id, type: "function_call", call_id: `call_${i}`, name: "f", arguments: "" } });
      evs.push({ type: "response.function_call_arguments.delta", item_id: id, output_index: i, delta: json.slice(0, cut) });
      evs.push({ type: "response.function_call_arguments.delta", item_id: id, output_index: i, delta: json.slice(cut) });
      evs.push({ type: "response.output_item.done", output_index: i, item: { id, type: "function_call", call_id: `call_${i}`, name: "f", arguments: json } });
    }
  });
  evs.push({ type: "response.completed", response: { id: "resp_p", status: "completed", output: [], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } });
  return evs;
}

function mergeTexts(parts: any[]): any[] {
  const out: any[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev && typeof prev.text === "string" && typeof p.text === "string" && !!prev.thought === !!p.thought && !p.thoughtSignature) out[out.length - 1] = { ...prev, text: prev.text + p.text };
    else out.push({ ...p });
  }
  return out;
}

describe("stream properties", () => {
  test("random outputs", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), (items) => {
        const evs = toEvents(items);
        const wire = runStream(evs).pieces.join("");
        expect(wire).not.toMatch(/[\u2028\u2029]/);
        const frames = parseSse(wire);
        const finishIdx = frames.flatMap((f, i) => (f.candidates?.[0]?.finishReason ? [i] : []));
        expect(finishIdx).toEqual([frames.length - 1]);
        const calls = allParts(frames).filter((p) => p.functionCall);
        const expectedCalls = items.flatMap((it, i) => (it.kind === "call" ? [{ id: `call_${i}`, name: "f", args: it.args }] : []));
        expect(calls.map((p) => p.functionCall)).toEqual(expectedCalls);
        const s = initAccumulator();
        for (const ev of evs) accumulate(s, ev);
        const nonStream = geminiFromResponse(finalResponse(s, "gemini-2.5-pro"), makeCtx({ geminiIncludeThoughts: true })) as any;
        const nsParts = nonStream.candidates[0].content.parts;
        // The non-stream form has one text part per message item; merging both sides compares content and signatures.
        expect(mergeTexts(allParts(frames))).toEqual(mergeTexts(nsParts));
      }),
      { numRuns: 150 },
    );
  });
});
