import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { encodeSignature, geminiReplyOptions, geminiToCodex, inspectGemini } from "../../src/translate/gemini/index.ts";
import { fernet, makeCtx } from "./helpers.ts";

const user = (...parts: any[]) => ({ role: "user", parts });
const model = (...parts: any[]) => ({ role: "model", parts });
const toCodex = (body: any, extra: Record<string, unknown> = {}) => geminiToCodex(body, makeCtx(extra));

function status400(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).status).toBe(400);
    return e as GatewayError;
  }
  throw new Error("expected a 400");
}

const E1 = fernet(1);
const E2 = fernet(2);
const D = "iVBORw0KGgo=";

describe("geminiToCodex docs/clients.md C16 vectors", () => {
  test("R1 one user text", () => {
    const out = toCodex({ contents: [{ parts: [{ text: "hi" }] }] });
    expect(out.input).toEqual([{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }]);
    expect(out.instructions).toBe("");
    expect(out.tools).toBeUndefined();
    expect(out.tool_choice).toBeUndefined();
    expect(out.parallel_tool_calls).toBeUndefined();
  });

  test("R1b default instructions when none given", () => {
    expect(toCodex({ contents: [user({ text: "hi" })] }, { defaultInstructions: "Be helpful." }).instructions).toBe("Be helpful.");
  });

  test("R2 system_instruction (snake case) joins parts", () => {
    const out = toCodex({ system_instruction: { parts: [{ text: "A" }, { text: "B" }, { text: "hidden", thought: true }] }, contents: [user({ text: "x" })] });
    expect(out.instructions).toBe("A\n\nB");
  });

  test("R3 model texts group into one assistant message", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ text: "x" }, { text: "y" })] });
    expect(out.input[1]).toEqual({ type: "message", role: "assistant", content: [{ type: "output_text", text: "x" }, { type: "output_text", text: "y" }] });
  });

  test("R4 thought with cdx1 signature → reasoning item, thought text dropped", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ text: "plan", thought: true, thoughtSignature: encodeSignature([E1]) }, { text: "ok" })] });
    expect(out.input.slice(1)).toEqual([
      { type: "reasoning", summary: [], encrypted_content: E1 },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] },
    ]);
    expect(JSON.stringify(out)).not.toContain("plan");
  });

  test("R5 sentinel signature adds no reasoning", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ functionCall: { name: "f", args: {} }, thoughtSignature: "skip_thought_signature_validator" }), user({ functionResponse: { name: "f", response: { output: "r" } } })] });
    expect(out.input.some((i) => i.type === "reasoning")).toBe(false);
  });

  test("R6 foreign (real Gemini) signature dropped without error", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ text: "a", thoughtSignature: "EpEgCo4gAb4+abcdEFGH" })] });
    expect(out.input.map((i) => i.type)).toEqual(["message", "message"]);
  });

  test("R7 same signature twice → one reasoning item at the first position", () => {
    const sig = encodeSignature([E1]);
    const out = toCodex({ contents: [user({ text: "q" }), model({ text: "a", thoughtSignature: sig }, { functionCall: { name: "f", args: {} }, thoughtSignature: sig }), user({ functionResponse: { name: "f", response: {} } })] });
    expect(out.input.filter((i) => i.type === "reasoning")).toHaveLength(1);
    expect(out.input[1]).toEqual({ type: "reasoning", summary: [], encrypted_content: E1 });
  });

  test("R7b url-safe and double-base64 signatures decode", () => {
    const std = encodeSignature([E1]);
    const urlSafe = std.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const twice = Buffer.from(std).toString("base64");
    for (const sig of [urlSafe, twice]) {
      const out = toCodex({ contents: [user({ text: "q" }), model({ text: "a", thoughtSignature: sig })] });
      expect(out.input[1]).toEqual({ type: "reasoning", summary: [], encrypted_content: E1 });
    }
  });

  test("R7c non-Fernet values inside a cdx1 envelope are dropped", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ text: "a", thoughtSignature: encodeSignature(["not-a-token", "gAAAAB-final"]) })] });
    expect(out.input.some((i) => i.type === "reasoning")).toBe(false);
  });

  test("R8 id-less calls get deterministic ids, responses paired in order", () => {
    const body = {
      contents: [
        user({ text: "q" }),
        model({ functionCall: { name: "f", args: { v: "a" } } }, { functionCall: { name: "f", args: { v: "b" } } }),
        user({ functionResponse: { name: "f", response: { output: "A" } } }, { functionResponse: { name: "f", response: { output: "B" } } }),
      ],
    };
    const out = toCodex(body);
    expect(out.input.slice(1)).toEqual([
      { type: "function_call", call_id: "gcall_1_0", name: "f", arguments: '{"v":"a"}' },
      { type: "function_call", call_id: "gcall_1_1", name: "f", arguments: '{"v":"b"}' },
      { type: "function_call_output", call_id: "gcall_1_0", output: "A" },
      { type: "function_call_output", call_id: "gcall_1_1", output: "B" },
    ]);
    expect(toCodex(body).input).toEqual(out.input);
  });

  test("R9 responses paired by id, output order kept as sent", () => {
    const out = toCodex({
      contents: [
        user({ text: "q" }),
        model({ functionCall: { id: "x", name: "f", args: {} } }, { functionCall: { id: "y", name: "g", args: {} } }),
        user({ functionResponse: { id: "y", name: "g", response: { output: "Y" } } }, { functionResponse: { id: "x", name: "f", response: { output: "X" } } }),
      ],
    });
    expect(out.input.slice(3)).toEqual([
      { type: "function_call_output", call_id: "y", output: "Y" },
      { type: "function_call_output", call_id: "x", output: "X" },
    ]);
  });

  test("R10 generated id avoids an explicit id", () => {
    const out = toCodex({
      contents: [
        user({ text: "q" }),
        model({ functionCall: { name: "f", args: {} } }),
        user({ functionResponse: { name: "f", response: {} } }),
        model({ functionCall: { id: "gcall_1_0", name: "g", args: {} } }),
        user({ functionResponse: { id: "gcall_1_0", name: "g", response: {} } }),
      ],
    });
    const ids = out.input.filter((i) => i.type === "function_call").map((i) => i.call_id);
    expect(ids).toEqual(["gcall_1_0_1", "gcall_1_0"]);
    const outs = out.input.filter((i) => i.type === "function_call_output").map((i) => i.call_id);
    expect(outs).toEqual(["gcall_1_0_1", "gcall_1_0"]);
  });

  test("R11 over-long ids hashed the same way on call and response", () => {
    const long = "synth_" + "s".repeat(74);
    const out = toCodex({ contents: [user({ text: "q" }), model({ functionCall: { id: long, name: "f", args: {} } }), user({ functionResponse: { id: long, name: "f", response: {} } })] });
    const call = out.input[1]!;
    const output = out.input[2]!;
    expect(call.call_id).toMatch(/^gcall_[0-9a-f]{24}$/);
    expect(output.call_id).toBe(call.call_id);
  });

  test.each([
    [{ output: "x" }, "x"],
    [{ name: "f", content: "x" }, "x"],
    [{ error: "boom" }, '{"error":"boom"}'],
    [{ result: { a: 1 } }, '{"result":{"a":1}}'],
    [{}, ""],
    [undefined, ""],
    [{ output: "x", __binary_injection__: true }, "x"],
  ])("R12 response %j → output %j", (response, expected) => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ functionCall: { name: "f", args: {} } }), user({ functionResponse: { name: "f", response } })] });
    expect(out.input[2]).toEqual({ type: "function_call_output", call_id: "gcall_1_0", output: expected });
  });

  test("R13 functionResponse.parts image → output list", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ functionCall: { name: "shot", args: {} } }), user({ functionResponse: { name: "shot", response: { output: "see image" }, parts: [{ inlineData: { mimeType: "image/png", data: D } }] } })] });
    expect(out.input[2]!.output).toEqual([
      { type: "input_text", text: "see image" },
      { type: "input_image", image_url: `data:image/png;base64,${D}`, detail: "auto" },
    ]);
  });

  test("R14 outputs first, then one user message with remaining media and text", () => {
    const out = toCodex({
      contents: [
        user({ text: "q" }),
        model({ functionCall: { name: "A", args: {} } }, { functionCall: { name: "B", args: {} } }),
        user({ functionResponse: { name: "A", response: { output: "a" } } }, { inlineData: { mimeType: "image/png", data: D } }, { functionResponse: { name: "B", response: { output: "b" } } }, { text: "t" }),
      ],
    });
    expect(out.input.slice(3)).toEqual([
      { type: "function_call_output", call_id: "gcall_1_0", output: "a" },
      { type: "function_call_output", call_id: "gcall_1_1", output: "b" },
      { type: "message", role: "user", content: [{ type: "input_image", image_url: `data:image/png;base64,${D}`, detail: "auto" }, { type: "input_text", text: "t" }] },
    ]);
  });

  test("R15 PDF → input_file data URL + filename", () => {
    const out = toCodex({ contents: [user({ inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } })] });
    expect(out.input[0]!.content).toEqual([{ type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=", filename: "document.pdf" }]);
  });

  test("R16 audio → placeholder text, never input_audio", () => {
    const out = toCodex({ contents: [user({ inlineData: { mimeType: "audio/wav", data: "UklGRg==" } })] });
    const part = (out.input[0]!.content as any[])[0];
    expect(part.type).toBe("input_text");
    expect(JSON.stringify(out)).not.toContain("input_audio");
  });

  test("R17 text/plain inline data decoded", () => {
    const out = toCodex({ contents: [user({ inline_data: { mime_type: "text/plain", data: "aGk=" } })] });
    const part = (out.input[0]!.content as any[])[0];
    expect(part.type).toBe("input_text");
    expect(part.text).toContain("\nhi\n");
  });

  test("R17b unsupported image format → placeholder; mediaResolution sets detail", () => {
    const out = toCodex({ contents: [user({ inlineData: { mimeType: "image/svg+xml", data: "PHN2Zz4=" } }, { inlineData: { mimeType: "image/jpeg", data: D } })], generationConfig: { mediaResolution: "MEDIA_RESOLUTION_LOW" } });
    const parts = out.input[0]!.content as any[];
    expect(parts[0]).toEqual({ type: "input_text", text: "[image image/svg+xml omitted: unsupported format]" });
    expect(parts[1].detail).toBe("low");
  });

  test("R17c fileData: Google Files URI → placeholder; https image → image URL", () => {
    const out = toCodex({
      contents: [user({ fileData: { mimeType: "video/mp4", fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc" } }, { file_data: { mime_type: "image/png", file_uri: "https://example.com/a.png" } })],
    });
    expect(out.input[0]!.content).toEqual([
      { type: "input_text", text: "File: https://generativelanguage.googleapis.com/v1beta/files/abc (video/mp4)" },
      { type: "input_image", image_url: "https://example.com/a.png", detail: "auto" },
    ]);
  });

  test("R18 Gemini parameters schema converted (docs/clients.md C10.9)", () => {
    const out = toCodex({
      contents: [user({ text: "q" })],
      tools: [{ functionDeclarations: [{ name: "pick", description: "d", parameters: { type: "OBJECT", properties: { n: { type: "INTEGER", format: "int32" } }, required: ["n"] } }] }],
    });
    expect(out.tools).toEqual([{ type: "function", name: "pick", description: "d", parameters: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] }, strict: false }]);
    expect(out.parallel_tool_calls).toBe(true);
  });

  test("R19 parametersJsonSchema light clean-up", () => {
    const out = toCodex({
      contents: [user({ text: "q" })],
      tools: [{ functionDeclarations: [{ name: "open", parametersJsonSchema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", additionalProperties: false, properties: { u: { type: "string", format: "uri" } } } }] }],
    });
    expect(out.tools).toEqual([{ type: "function", name: "open", parameters: { type: "object", additionalProperties: false, properties: { u: { type: "string" } } }, strict: false }]);
  });

  test("R20 dotted MCP names sanitized; reverse map restores them", () => {
    const name = "mcp_github.search...issues_by_label";
    const body = { contents: [user({ text: "q" }), model({ functionCall: { name, args: {} } }), user({ functionResponse: { name, response: {} } })], tools: [{ functionDeclarations: [{ name }] }] };
    const ctx = makeCtx();
    const out = geminiToCodex(body, ctx);
    const upstream = (out.tools as any[])[0].name;
    expect(upstream).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(out.input[1]!.name).toBe(upstream);
    expect((ctx.geminiToolNames as Record<string, string>)[upstream]).toBe(name);
    expect(geminiReplyOptions(body).geminiToolNames[upstream]).toBe(name);
  });

  test("R20b long names hashed to 64 chars, distinct", () => {
    const a = "mcp_server_" + "x".repeat(70) + "_a";
    const b = "mcp_server_" + "x".repeat(70) + "_b";
    const out = toCodex({ contents: [user({ text: "q" })], tools: [{ functionDeclarations: [{ name: a }, { name: b }] }] });
    const names = (out.tools as any[]).map((t) => t.name);
    expect(names[0]).toHaveLength(64);
    expect(names[0]).not.toBe(names[1]);
  });

  const tools = [{ functionDeclarations: [{ name: "f" }, { name: "g" }, { name: "h" }] }];
  test.each([
    [{ mode: "ANY", allowedFunctionNames: ["f"] }, { type: "function", name: "f" }, ["f", "g", "h"]],
    [{ mode: "ANY", allowedFunctionNames: ["f", "g"] }, "required", ["f", "g"]],
    [{ mode: "ANY" }, "required", ["f", "g", "h"]],
    [{ mode: "NONE" }, "none", ["f", "g", "h"]],
    [{ mode: "AUTO" }, "auto", ["f", "g", "h"]],
    [{ mode: "VALIDATED" }, "auto", ["f", "g", "h"]],
    [{ mode: "MODE_UNSPECIFIED" }, undefined, ["f", "g", "h"]],
  ])("R21 functionCallingConfig %j", (cfg, choice, names) => {
    const out = toCodex({ contents: [user({ text: "q" })], tools, toolConfig: { functionCallingConfig: cfg } });
    expect(out.tool_choice).toEqual(choice as any);
    expect((out.tools as any[]).map((t) => t.name)).toEqual(names);
  });

  test.each([
    [{ thinkingBudget: 0 }, "none"],
    [{ thinkingBudget: 512 }, "minimal"],
    [{ thinkingBudget: 1024 }, "low"],
    [{ thinkingBudget: 8192 }, "medium"],
    [{ thinkingBudget: 24576 }, "high"],
    [{ thinkingBudget: 32768 }, "xhigh"],
    [{ thinkingBudget: -1 }, undefined],
    [{ thinkingLevel: "HIGH" }, "high"],
    [{ thinking_level: "low", thinkingBudget: 30000 }, "low"],
    [{ thinking_budget: 24576 }, "high"],
  ])("R22 thinkingConfig %j → effort %j", (cfg, effort) => {
    const body = { contents: [user({ text: "q" })], generationConfig: { thinkingConfig: cfg } };
    expect(inspectGemini(body, "models/gemini-2.5-pro", true).effort).toBe(effort as any);
    const out = toCodex(body);
    expect(out.reasoning?.effort).toBe(effort as any);
    expect(out.reasoning?.summary).toBeUndefined();
  });

  test("R22b includeThoughts → summary auto; ctx.effort wins", () => {
    const out = toCodex({ contents: [user({ text: "q" })], generation_config: { thinking_config: { include_thoughts: true, thinking_budget: 0 } } }, { effort: "low" });
    expect(out.reasoning).toEqual({ effort: "low", summary: "auto" });
  });

  test("R22c thinkingLevel at the wrong depth accepted", () => {
    expect(toCodex({ contents: [user({ text: "q" })], generationConfig: { thinkingLevel: "MEDIUM" } }).reasoning).toEqual({ effort: "medium" });
  });

  test("R23 JSON schema output", () => {
    const schema = { type: "object", properties: { next: { type: "string" } }, required: ["next"] };
    const out = toCodex({ contents: [user({ text: "q" })], generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema } });
    expect(out.text).toEqual({ format: { type: "json_schema", name: "response", strict: false, schema } });
  });

  test("R23b responseSchema (OpenAPI subset), no schema, non-object root, x.enum", () => {
    const a = toCodex({ contents: [user({ text: "q" })], generationConfig: { responseMimeType: "application/json", responseSchema: { type: "OBJECT", properties: { a: { type: "STRING" } } } } });
    expect(a.text).toEqual({ format: { type: "json_schema", name: "response", strict: false, schema: { type: "object", properties: { a: { type: "string" } } } } });
    // JSON mode without a schema: json_object, which the upstream takes only with the word "json" in the input (issue 19).
    const b = toCodex({ contents: [user({ text: "q" })], generationConfig: { responseMimeType: "application/json" } });
    expect(b.text).toEqual({ format: { type: "json_object" } });
    expect(b.input.at(-1)).toEqual({ type: "message", role: "developer", content: [{ type: "input_text", text: "Respond with JSON only." }] });
    const b2 = toCodex({ contents: [user({ text: "list three colours as JSON" })], generationConfig: { responseMimeType: "application/json" } });
    expect(b2.input.length).toBe(1);
    // A non-object root is wrapped for the upstream (and unwrapped in the answer, tests/gemini/fidelity.test.ts).
    const c = toCodex({ contents: [user({ text: "q" })], generationConfig: { responseMimeType: "application/json", responseSchema: { type: "ARRAY", items: { type: "STRING" } } } });
    expect(c.text).toEqual({ format: { type: "json_schema", name: "response", strict: false, schema: { type: "object", properties: { value: { type: "array", items: { type: "string" } } }, required: ["value"], additionalProperties: false } } });
    expect(c.input.length).toBe(1);
    const d = toCodex({ contents: [user({ text: "q" })], generationConfig: { responseMimeType: "text/x.enum", responseSchema: { type: "STRING", enum: ["yes", "no"] } } });
    expect(d.text).toBeUndefined();
    expect(JSON.stringify(d.input.at(-1))).toContain("yes, no");
  });

  test("R24 sampling fields and maxOutputTokens never go upstream", () => {
    const out = toCodex({
      contents: [user({ text: "q" })],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
      generationConfig: { temperature: 1, topP: 0.95, topK: 64, maxOutputTokens: 100, stopSequences: ["x"], seed: 3, presencePenalty: 1 },
    });
    const json = JSON.stringify(out);
    for (const k of ["temperature", "top_p", "topP", "topK", "max_output_tokens", "maxOutputTokens", "stop", "seed", "safety", "penalty"]) expect(json).not.toContain(k);
  });

  test.each([
    [{ generationConfig: { candidateCount: 2 } }, "generationConfig.candidateCount"],
    [{ cachedContent: "cachedContents/x" }, "cachedContent"],
    [{ tools: [{ urlContext: {} }] }, "tools[0].urlContext"],
    [{ tools: [{ codeExecution: {} }] }, "tools[0].codeExecution"],
    [{ generationConfig: { responseModalities: ["AUDIO"] } }, "generationConfig.responseModalities"],
  ])("R25 %j → 400 naming %s", (extra, param) => {
    const err = status400(() => toCodex({ contents: [user({ text: "q" })], ...extra }));
    expect(err.param).toBe(param);
  });

  test("R25b candidateCount 1 and TEXT modality are fine", () => {
    expect(() => toCodex({ contents: [user({ text: "q" })], generationConfig: { candidateCount: 1, responseModalities: ["TEXT"] } })).not.toThrow();
  });

  test("R26 googleSearch → web_search", () => {
    const out = toCodex({ contents: [user({ text: "q" })], tools: [{ googleSearch: {} }] });
    expect(out.tools).toEqual([{ type: "web_search" }]);
  });

  test("R27 missing response: lenient synthesizes an output after the batch; strict 400s", () => {
    const body = {
      contents: [
        user({ text: "q" }),
        model({ functionCall: { name: "f", args: {} } }, { functionCall: { name: "g", args: {} } }),
        user({ functionResponse: { name: "f", response: { output: "F" } } }),
        user({ text: "next" }),
      ],
    };
    const out = toCodex(body);
    expect(out.input.slice(1).map((i) => [i.type, i.call_id ?? i.role])).toEqual([
      ["function_call", "gcall_1_0"],
      ["function_call", "gcall_1_1"],
      ["function_call_output", "gcall_1_0"],
      ["function_call_output", "gcall_1_1"],
      ["message", "user"],
    ]);
    const err = status400(() => toCodex(body, { geminiRepair: "strict" }));
    expect(err.message).toContain("number of function response parts");
  });

  test("R27b a trailing unanswered call is closed too", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ functionCall: { name: "f", args: {} } })] });
    expect(out.input.at(-1)).toEqual({ type: "function_call_output", call_id: "gcall_1_0", output: "[no result was returned for this tool call]" });
  });

  test("R28 orphan response: lenient text; strict 400", () => {
    const body = { contents: [user({ functionResponse: { name: "f", response: { output: "v" } } })] };
    expect(toCodex(body).input).toEqual([{ type: "message", role: "user", content: [{ type: "input_text", text: "Result of tool f: v" }] }]);
    status400(() => toCodex(body, { geminiRepair: "strict" }));
  });

  test("R28b responses pair FIFO per name (A/B/A/B)", () => {
    const out = toCodex({
      contents: [
        user({ text: "q" }),
        model({ functionCall: { name: "A", args: { n: 1 } } }, { functionCall: { name: "B", args: { n: 1 } } }, { functionCall: { name: "A", args: { n: 2 } } }, { functionCall: { name: "B", args: { n: 2 } } }),
        user(
          { functionResponse: { name: "B", response: { output: "b1" } } },
          { functionResponse: { name: "A", response: { output: "a1" } } },
          { functionResponse: { name: "B", response: { output: "b2" } } },
          { functionResponse: { name: "A", response: { output: "a2" } } },
        ),
      ],
    });
    const pairs = out.input.filter((i) => i.type === "function_call_output").map((i) => `${i.call_id}=${i.output}`);
    expect(pairs).toEqual(["gcall_1_1=b1", "gcall_1_0=a1", "gcall_1_3=b2", "gcall_1_2=a2"]);
  });

  test("R29 missing role and legacy function role are user; system → developer", () => {
    const out = toCodex({ contents: [{ parts: [{ text: "a" }] }, { role: "function", parts: [{ text: "b" }] }, { role: "system", parts: [{ text: "c" }] }] });
    expect(out.input.map((i) => i.role)).toEqual(["user", "user", "developer"]);
  });

  test("R30 invariants of every output", () => {
    const bodies = [
      { contents: [user({ text: "hi" })] },
      { contents: [user({ text: "q" }), model({ text: "p", thought: true, thoughtSignature: encodeSignature([E1, E2]) }, { functionCall: { id: "x".repeat(90), name: "a.b", args: {} } }), user({ functionResponse: { name: "a.b", response: {} } })], tools: [{ functionDeclarations: [{ name: "a.b" }] }] },
    ];
    for (const body of bodies) {
      const out = toCodex(body);
      expect(out.store).toBe(false);
      expect(out.stream).toBe(true);
      expect(out.include).toContain("reasoning.encrypted_content");
      expect(typeof out.instructions).toBe("string");
      expect(out.model).toBe("gpt-5.5");
      expect(typeof out.prompt_cache_key).toBe("string");
      expect(out.input.some((i) => i.role === "system")).toBe(false);
      const calls = out.input.filter((i) => i.type === "function_call").map((i) => i.call_id as string);
      const outs = out.input.filter((i) => i.type === "function_call_output").map((i) => i.call_id as string);
      for (const id of calls) expect(id.length).toBeLessThanOrEqual(64);
      expect([...outs].sort()).toEqual([...calls].sort());
      expect(out.input.every((i) => i.id === undefined)).toBe(true);
    }
  });
});

describe("docs/clients.md C11.8 round trip: Gemini CLI's next request", () => {
  test("restores the upstream item order", () => {
    const sig = encodeSignature([E1]);
    const out = toCodex({
      contents: [
        user({ text: "Open a.ts" }),
        { role: "model", parts: [{ text: "Reading it.", thoughtSignature: sig }, { functionCall: { id: "call_Dke46", args: { file_path: "a.ts" }, name: "read_file" }, thoughtSignature: "skip_thought_signature_validator" }] },
        user({ functionResponse: { name: "read_file", response: { output: "export const a = 1;\n" }, id: "call_Dke46" } }),
      ],
    });
    expect(out.input.slice(1)).toEqual([
      { type: "reasoning", summary: [], encrypted_content: E1 },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Reading it." }] },
      { type: "function_call", call_id: "call_Dke46", name: "read_file", arguments: '{"file_path":"a.ts"}' },
      { type: "function_call_output", call_id: "call_Dke46", output: "export const a = 1;\n" },
    ]);
  });

  test("docs/clients.md C10.11 worked request", () => {
    const out = toCodex({
      contents: [{ role: "user", parts: [{ text: "<session_context>…</session_context>" }, { text: "Open a.ts" }] }],
      systemInstruction: { role: "user", parts: [{ text: "You are terse." }] },
      tools: [{ functionDeclarations: [{ name: "read_file", description: "Read a file", parametersJsonSchema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] } }] }],
      generationConfig: { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } },
    });
    const { prompt_cache_key, ...rest } = out;
    expect(rest).toEqual({
      model: "gpt-5.5",
      instructions: "You are terse.",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "<session_context>…</session_context>" }, { type: "input_text", text: "Open a.ts" }] }],
      tools: [{ type: "function", name: "read_file", description: "Read a file", parameters: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] }, strict: false }],
      parallel_tool_calls: true,
      reasoning: { effort: "medium", summary: "auto" },
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
    });
    expect(prompt_cache_key).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("inspectGemini", () => {
  const body = { contents: [user({ text: "q" })], generationConfig: { maxOutputTokens: 1200, thinkingConfig: { includeThoughts: true, thinkingLevel: "HIGH" } } };

  test("extracts model, stream, cap, effort, session key", () => {
    const r = inspectGemini(body, "models/gemini-2.5-pro", true);
    expect(r).toMatchObject({ model: "gemini-2.5-pro", stream: true, maxOutputTokens: 1200, effort: "high", includeThoughts: true });
    expect(r.sessionKey).toMatch(/^[0-9a-f]{8}-/);
    expect(inspectGemini(body, "gemini-2.5-pro", false).sessionKey).toBe(r.sessionKey);
    expect(inspectGemini(body, "x", false, { "X-Gemini-Api-Privileged-User-Id": "u1" }).sessionKey).not.toBe(r.sessionKey);
    expect(inspectGemini(body, "x", false, new Headers({ "x-gemini-api-privileged-user-id": "u1" })).sessionKey).toBe(inspectGemini(body, "x", false, { "x-gemini-api-privileged-user-id": "u1" }).sessionKey);
  });

  test("session key is stable across turns of one conversation", () => {
    const turn2 = { ...body, contents: [...body.contents, model({ text: "a" }), user({ text: "b" })] };
    expect(inspectGemini(turn2, "m", true).sessionKey).toBe(inspectGemini(body, "m", true).sessionKey);
  });

  test.each([
    [null, undefined],
    [[], undefined],
    [{}, "contents"],
    [{ contents: "hi" }, "contents"],
    [{ contents: [] }, "contents"],
    [{ contents: [5] }, "contents[0]"],
    [{ contents: [{ role: "user" }] }, "contents[0].parts"],
    [{ contents: [{ parts: ["x"] }] }, "contents[0].parts[0]"],
    [{ contents: [{ role: 3, parts: [] }] }, "contents[0].role"],
    [{ contents: [user({ text: "q" })], generationConfig: "x" }, "generationConfig"],
    [{ contents: [user({ text: "q" })], generationConfig: { maxOutputTokens: "10" } }, "generationConfig.maxOutputTokens"],
    [{ contents: [user({ text: "q" })], generationConfig: { thinkingConfig: { thinkingBudget: "lots" } } }, "generationConfig.thinkingConfig.thinkingBudget"],
    [{ contents: [user({ text: "q" })], generationConfig: { thinkingConfig: { thinkingLevel: "ULTRA" } } }, "generationConfig.thinkingConfig.thinkingLevel"],
  ])("400 for %j naming %s", (bad, param) => {
    const err = status400(() => inspectGemini(bad, "m", false));
    if (param) expect(err.param).toBe(param);
  });

});

describe("geminiToCodex details", () => {
  test("translation-time shape errors name the field", () => {
    expect(status400(() => toCodex({ contents: [user({ functionCall: { name: "f" } })] })).param).toBe("contents[0].parts[0].functionCall");
    expect(status400(() => toCodex({ contents: [model({ functionResponse: { name: "f" } })] })).param).toBe("contents[0].parts[0].functionResponse");
    expect(status400(() => toCodex({ contents: [model({ functionCall: { args: {} } })] })).param).toBe("contents[0].parts[0].functionCall.name");
    expect(status400(() => toCodex({ contents: [user({ inlineData: { mimeType: "image/png" } })] })).param).toBe("contents[0].parts[0].inlineData.data");
    expect(status400(() => toCodex({ contents: [user({ text: 5 })] })).param).toBe("contents[0].parts[0].text");
    expect(status400(() => toCodex({ contents: [user({ text: "q" })], tools: {} })).param).toBe("tools");
    expect(status400(() => toCodex({ contents: [user({ text: "q" })], tools: [{ functionDeclarations: [{ description: "x" }] }] })).param).toBe("tools[0].functionDeclarations[0].name");
    expect(status400(() => toCodex({ contents: [user({ text: "q" })], tools: [{ functionDeclarations: [{ name: "f" }] }], toolConfig: { functionCallingConfig: { mode: "SOMETIMES" } } })).param).toBe("toolConfig.functionCallingConfig.mode");
  });

  test("serviceTier priority forwarded, others dropped", () => {
    expect(toCodex({ contents: [user({ text: "q" })], serviceTier: "priority" }).service_tier).toBe("priority");
    expect(toCodex({ contents: [user({ text: "q" })], serviceTier: "flex" }).service_tier).toBeUndefined();
  });

  test("executable code parts become fenced text", () => {
    const out = toCodex({ contents: [user({ text: "q" }), model({ executableCode: { language: "PYTHON", code: "print(1)" } }, { codeExecutionResult: { outcome: "OUTCOME_OK", output: "1" } })] });
    expect(out.input[1]!.content).toEqual([{ type: "output_text", text: "```python\nprint(1)\n```" }, { type: "output_text", text: "Output: 1" }]);
  });

  test("free-form maps keep their keys byte for byte", () => {
    const out = toCodex({
      contents: [user({ text: "q" }), model({ functionCall: { name: "f", args: { max_output_tokens: 1, thinkingConfig: 2 } } }), user({ functionResponse: { name: "f", response: { some_key: 1 } } })],
      tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: { max_output_tokens: { type: "INTEGER" } } } }] }],
    });
    expect(out.input[1]!.arguments).toBe('{"max_output_tokens":1,"thinkingConfig":2}');
    expect(out.input[2]!.output).toBe('{"some_key":1}');
    expect((out.tools as any[])[0].parameters.properties.max_output_tokens).toEqual({ type: "integer" });
  });
});
