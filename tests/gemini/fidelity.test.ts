/**
 * Issue 19 on the Gemini surface: `stopSequences` and a small `maxOutputTokens` emulated on the
 * text stream (STOP / MAX_TOKENS), non-object response schemas wrapped for the upstream and
 * unwrapped in the answer, JSON mode without the word "json", and images from the
 * image_generation tool as `inlineData` parts.
 */
import { describe, expect, test } from "bun:test";
import { geminiFromResponse, geminiStream, geminiToCodex, inspectGemini, type GeminiContext } from "../../src/translate/gemini/index.ts";
import { GatewayError } from "../../src/errors.ts";
import { errorResponse } from "../../src/http/envelope.ts";
import { allParts, events, makeCtx, parseSse, textStream } from "./helpers.ts";
import type { CodexEvent } from "../../src/codex/types.ts";

const USAGE = { input_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 150 };

function ctxFor(generationConfig: Record<string, unknown>, emulation = 4096): GeminiContext {
  const ctx = makeCtx({ maxOutputTokensEmulation: emulation });
  geminiToCodex({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig }, ctx);
  return ctx;
}

function stream(evs: CodexEvent[], ctx: GeminiContext): { frames: any[]; state: ReturnType<typeof geminiStream.init> } {
  const state = geminiStream.init(ctx);
  let wire = "";
  for (const ev of evs) wire += geminiStream.step(state, ev).join("");
  wire += geminiStream.end(state, { kind: "done" }).join("");
  return { frames: parseSse(wire), state };
}

const textOf = (frames: any[]) => allParts(frames).map((p) => p.text ?? "").join("");
const finishOf = (frames: any[]) => frames.at(-1).candidates[0].finishReason;

function nonStream(ctx: GeminiContext, text: string): any {
  return geminiFromResponse({ id: "resp_t", status: "completed", output: [{ id: "msg_t", type: "message", content: [{ type: "output_text", text }] }], usage: USAGE }, ctx);
}

describe("stopSequences (docs/clients.md C2.8)", () => {
  const cases: [string, string[], string[], string, boolean][] = [
    ["in one delta", ["###"], ["alpha ### beta"], "alpha ", true],
    ["split across deltas", ["</answer>"], ["42</ans", "wer> more"], "42", true],
    ["never completes", ["</answer>"], ["42</an", "d more"], "42</and more", false],
  ];
  for (const [name, stop, deltas, text, stopped] of cases) {
    test(name, () => {
      const r = stream(textStream(deltas, USAGE), ctxFor({ stopSequences: stop }));
      expect(textOf(r.frames)).toBe(text);
      expect(finishOf(r.frames)).toBe("STOP");
      expect(r.frames.filter((f) => f.candidates?.[0]?.finishReason).length).toBe(1);
      expect(!!geminiStream.stopped!(r.state)).toBe(stopped);
      const ns = nonStream(ctxFor({ stopSequences: stop }), deltas.join(""));
      expect(ns.candidates[0].content.parts.map((p: any) => p.text).join("")).toBe(text);
      expect(ns.candidates[0].finishReason).toBe("STOP");
    });
  }

  test("a cut answer reports the usage of what the client received", () => {
    const r = stream(textStream(["one two ### three four"]).slice(0, -1), ctxFor({ stopSequences: ["###"] }));
    const usage = r.frames.at(-1).usageMetadata;
    expect(usage.candidatesTokenCount).toBe(2); // "one", " two"
    expect(usage.promptTokenCount).toBeGreaterThan(0);
  });

  test("bad stopSequences are a 400 before any limit is charged", () => {
    try {
      inspectGemini({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { stopSequences: [1] } }, "gemini-2.5-pro", false);
      throw new Error("accepted");
    } catch (e) {
      expect((e as GatewayError).status).toBe(400);
      expect((e as GatewayError).param).toBe("generationConfig.stopSequences");
    }
  });
});

describe("maxOutputTokens emulation", () => {
  const words = Array.from({ length: 30 }, (_, i) => ` t${i}x`);
  test("a small cap ends the answer with MAX_TOKENS", () => {
    const r = stream(textStream(words, USAGE), ctxFor({ maxOutputTokens: 8 }));
    expect(finishOf(r.frames)).toBe("MAX_TOKENS");
    expect(textOf(r.frames).length).toBeLessThan(words.join("").length);
    expect(r.frames.at(-1).usageMetadata.candidatesTokenCount).toBe(8);
    const ns = nonStream(ctxFor({ maxOutputTokens: 8 }), words.join(""));
    expect(ns.candidates[0].finishReason).toBe("MAX_TOKENS");
    expect(ns.candidates[0].content.parts[0].text).toBe(textOf(r.frames));
  });
  test("not emulated above the configured size", () => {
    const r = stream(textStream(words, USAGE), ctxFor({ maxOutputTokens: 8 }, 4));
    expect(finishOf(r.frames)).toBe("STOP");
    expect(textOf(r.frames)).toBe(words.join(""));
  });
});

describe("structured output with a non-object root (docs/clients.md C10.10)", () => {
  const recipes = { type: "ARRAY", items: { type: "OBJECT", properties: { recipeName: { type: "STRING" } } } };
  const wrapped = '{"value":[{"recipeName":"Shortbread"},{"recipeName":"Snickerdoodle"}]}';
  test("the stream sends the inner array, whole, however the deltas were cut", () => {
    const ctx = ctxFor({ responseMimeType: "application/json", responseSchema: recipes });
    expect(ctx.geminiUnwrap).toBe("value");
    const r = stream(textStream(['{"val', 'ue":[{"recipeName":"Shortbread"},', '{"recipeName":"Snickerdoodle"}]}'], USAGE), ctx);
    expect(JSON.parse(textOf(r.frames))).toEqual([{ recipeName: "Shortbread" }, { recipeName: "Snickerdoodle" }]);
    expect(finishOf(r.frames)).toBe("STOP");
  });
  test("non-stream: the inner value", () => {
    const ns = nonStream(ctxFor({ responseMimeType: "application/json", responseSchema: recipes }), wrapped);
    expect(JSON.parse(ns.candidates[0].content.parts[0].text)).toEqual([{ recipeName: "Shortbread" }, { recipeName: "Snickerdoodle" }]);
  });
  test("an answer that is not the wrapper passes as it came", () => {
    const ns = nonStream(ctxFor({ responseMimeType: "application/json", responseJsonSchema: { type: "array" } }), "[1,2]");
    expect(ns.candidates[0].content.parts[0].text).toBe("[1,2]");
  });
  test("scalar and enum roots are wrapped too", () => {
    for (const schema of [{ type: "STRING" }, { type: "INTEGER" }, { type: "STRING", enum: ["a", "b"] }]) {
      const ctx = makeCtx();
      const out = geminiToCodex({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseMimeType: "application/json", responseSchema: schema } }, ctx);
      expect((out.text as any).format.schema.required).toEqual(["value"]);
      expect(ctx.geminiUnwrap).toBe("value");
    }
  });
});

describe("images (responseModalities IMAGE)", () => {
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const image = { id: "ig_1", type: "image_generation_call", status: "completed", output_format: "png", result: png };
  test("IMAGE adds the image_generation tool; AUDIO is still refused", () => {
    const out = geminiToCodex({ contents: [{ parts: [{ text: "draw" }] }], generationConfig: { responseModalities: ["TEXT", "IMAGE"] } }, makeCtx());
    expect(out.tools).toEqual([{ type: "image_generation" }]);
    expect(() => geminiToCodex({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseModalities: ["AUDIO"] } }, makeCtx())).toThrow(GatewayError);
  });
  test("an image_generation_call becomes an inlineData part (stream and non-stream)", () => {
    const evs = events([
      ["response.created", { response: { id: "resp_i" } }],
      ["response.output_item.added", { output_index: 0, item: { id: "ig_1", type: "image_generation_call", status: "in_progress" } }],
      ["response.image_generation_call.partial_image", { output_index: 0, item_id: "ig_1", partial_image_index: 0, partial_image_b64: png }],
      ["response.output_item.done", { output_index: 0, item: image }],
      ["response.completed", { response: { id: "resp_i", status: "completed", output: [], usage: USAGE } }],
    ]);
    const r = stream(evs, makeCtx());
    expect(allParts(r.frames)).toEqual([{ inlineData: { mimeType: "image/png", data: png } }]);
    const ns: any = geminiFromResponse({ id: "resp_i", status: "completed", output: [image], usage: USAGE }, makeCtx());
    expect(ns.candidates[0].content.parts).toEqual([{ inlineData: { mimeType: "image/png", data: png } }]);
  });
});

describe("Google errors: status name, code and HTTP status agree (docs/clients.md C13)", () => {
  const canonical: Record<string, number> = { INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, NOT_FOUND: 404, ABORTED: 409, RESOURCE_EXHAUSTED: 429, CANCELLED: 499, INTERNAL: 500, UNIMPLEMENTED: 501, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504 };
  for (const status of [400, 401, 403, 404, 405, 408, 409, 413, 415, 418, 426, 429, 499, 500, 501, 502, 503, 504, 507]) {
    test(`gateway ${status}`, async () => {
      const res = errorResponse(new GatewayError({ status, type: "api_error", code: "x", message: "m" }), "google");
      const body = (await res.json()) as any;
      expect(canonical[body.error.status]).toBe(body.error.code);
      expect(res.status).toBe(body.error.code);
      if (status === 502) expect(body.error).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    });
  }
});
