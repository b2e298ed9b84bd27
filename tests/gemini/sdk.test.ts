import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiError, GoogleGenAI, Type } from "@google/genai";
import { geminiCountTokens, geminiFromResponse, geminiModelsList, geminiStream, geminiToCodex, googleErrorBody, inspectGemini } from "../../src/translate/gemini/index.ts";
import { accumulate, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";
import { GatewayError } from "../../src/errors.ts";
import { events, makeCtx, textStream, workedExample } from "./helpers.ts";

/**
 * Oracles (docs/clients.md C16): the installed `@google/genai` (3.x) reads our frames from a local server,
 * and a replica of the 1.30 stream parser Gemini CLI bundles (copied regex + loop from
 * tests/clients/node_modules/@google/gemini-cli/bundle) reads the same bytes split at arbitrary points.
 */

interface Scenario {
  events: CodexEvent[];
  end?: StreamEnd;
  keepalives?: boolean;
}

let scenario: Scenario = { events: [] };
const seenBodies: any[] = [];
const seenPaths: string[] = [];
let server: ReturnType<typeof Bun.serve>;
let ai: GoogleGenAI;
const models = Array.from({ length: 5 }, (_, i) => ({ id: `gemini-x${i}`, upstream: "gpt-5.5", contextWindow: 272000 }));

function streamWire(body: any, model: string, framing: "sse" | "json-array"): string {
  const ctx = makeCtx({ requestedModel: model, geminiFraming: framing });
  inspectGemini(body, model, true);
  geminiToCodex(body, ctx);
  ctx.geminiIncludeThoughts = true;
  const state = geminiStream.init(ctx);
  let wire = scenario.keepalives ? geminiStream.keepalive(state) : "";
  for (const ev of scenario.events) {
    wire += geminiStream.step(state, ev).join("");
    if (scenario.keepalives) wire += geminiStream.keepalive(state);
  }
  return wire + geminiStream.end(state, scenario.end ?? { kind: "done" }).join("");
}

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      // @google/genai 3.x defaults to /v1 (1.30, Gemini CLI's pin, to /v1beta): serve both.
      seenPaths.push(url.pathname);
      const m = /^\/v1(?:beta|alpha)?\/models\/([^:]+):(\w+)$/.exec(decodeURIComponent(url.pathname));
      if (req.method === "GET" && /^\/v1(beta|alpha)?\/models$/.test(url.pathname)) {
        return Response.json(geminiModelsList(models, url.searchParams.get("pageSize") ?? undefined, url.searchParams.get("pageToken") ?? undefined));
      }
      if (!m) return new Response("not found", { status: 404 });
      const body = await req.json();
      seenBodies.push(body);
      const [, model, method] = m;
      try {
        if (method === "streamGenerateContent") {
          const framing = url.searchParams.get("alt") === "sse" ? "sse" : "json-array";
          return new Response(streamWire(body, model!, framing), { headers: { "content-type": framing === "sse" ? "text/event-stream" : "application/json" } });
        }
        if (method === "generateContent") {
          const ctx = makeCtx({ requestedModel: model });
          geminiToCodex(body, ctx);
          const s = initAccumulator();
          for (const ev of scenario.events) accumulate(s, ev);
          return Response.json(geminiFromResponse(finalResponse(s, model!), ctx));
        }
        if (method === "countTokens") return Response.json(geminiCountTokens(body, (t) => Math.ceil(t.length / 4)));
      } catch (e) {
        if (e instanceof GatewayError) return Response.json(googleErrorBody(e), { status: e.status });
        throw e;
      }
      return new Response("not found", { status: 404 });
    },
  });
  ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: `http://127.0.0.1:${server.port}` } });
});

afterAll(() => server.stop(true));

async function collect(contents = "hi", config: Record<string, unknown> = {}) {
  const chunks: any[] = [];
  for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents, config })) chunks.push(c);
  return chunks;
}

/** The @google/genai 1.30 stream loop (Gemini CLI's pin), replicated from its bundle. */
function sdk130Parse(wire: string, cuts: number[]): any[] {
  const responseLineRE = /^\s*data: (.*)(?:\n\n|\r\r|\r\n\r\n)/;
  const out: any[] = [];
  let buffer = "";
  let pos = 0;
  for (const cut of [...cuts, wire.length]) {
    buffer += wire.slice(pos, cut);
    pos = cut;
    let match = buffer.match(responseLineRE);
    while (match) {
      out.push(JSON.parse(match[1]!));
      buffer = buffer.slice(match[0].length);
      match = buffer.match(responseLineRE);
    }
  }
  if (buffer.trim().length > 0) throw new Error("Incomplete JSON segment at the end");
  return out;
}

describe("@google/genai 3.x reads our streams", () => {
  test("docs/clients.md C11.8 example: text, function call with args, thoughts, signature, usage", async () => {
    scenario = { events: workedExample(), keepalives: true };
    const chunks = await collect("Open a.ts", { thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } });
    const text = chunks.map((c) => c.text ?? "").join("");
    expect(text).toBe("Reading it.");
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls).toEqual([{ id: "call_Dke46", name: "read_file", args: { file_path: "a.ts" } }]);
    const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
    expect(parts.some((p: any) => p.thought === true)).toBe(true);
    expect(parts.find((p: any) => p.thoughtSignature)?.thoughtSignature).toBe("Y2R4MTpbImdBQUFBQi1maW5hbCJd");
    const lastChunk = chunks[chunks.length - 1];
    expect(lastChunk.candidates[0].finishReason).toBe("STOP");
    expect(lastChunk.usageMetadata.totalTokenCount).toBe(12085);
    expect(lastChunk.modelVersion).toBe("gemini-2.5-pro");
    // and the SDK's request body went through our request side
    expect(seenBodies.at(-1).generationConfig.thinkingConfig).toEqual({ includeThoughts: true, thinkingBudget: 8192 });
    expect(seenPaths.at(-1)).toBe("/v1/models/gemini-2.5-pro:streamGenerateContent");
  });

  test("apiVersion v1beta (Gemini CLI's default) works the same", async () => {
    scenario = { events: textStream(["ok"]) };
    const beta = new GoogleGenAI({ apiKey: "k", apiVersion: "v1beta", httpOptions: { baseUrl: `http://127.0.0.1:${server.port}` } });
    const chunks: any[] = [];
    for await (const c of await beta.models.generateContentStream({ model: "gemini-2.5-pro", contents: "hi" })) chunks.push(c);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe("ok");
    expect(seenPaths.at(-1)).toBe("/v1beta/models/gemini-2.5-pro:streamGenerateContent");
  });

  test("U+2028 in text survives", async () => {
    scenario = { events: textStream(["a\u2028b"]) };
    const chunks = await collect();
    expect(chunks.map((c) => c.text ?? "").join("")).toBe("a\u2028b");
  });

  test("error frame after content makes the SDK throw ApiError with the status", async () => {
    scenario = { events: [...textStream(["partial"]).slice(0, 3), { type: "response.failed", response: { error: { code: "server_is_overloaded", message: "busy" } } }] };
    let err: unknown;
    try {
      await collect();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
  });

  test("EOF without terminal: ApiError 500", async () => {
    scenario = { events: textStream(["partial"]).slice(0, 3), end: { kind: "eof" } };
    let err: unknown;
    try {
      await collect();
    } catch (e) {
      err = e;
    }
    expect((err as ApiError).status).toBe(500);
  });

  test("non-stream generateContent", async () => {
    scenario = { events: workedExample() };
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "Open a.ts", config: { thinkingConfig: { includeThoughts: true } } });
    expect(r.text).toBe("Reading it.");
    expect(r.functionCalls).toEqual([{ id: "call_Dke46", name: "read_file", args: { file_path: "a.ts" } }]);
    expect(r.candidates?.[0]?.finishReason).toBe("STOP" as any);
  });

  test("a 400 from the request side reaches the SDK as ApiError 400", async () => {
    let err: unknown;
    try {
      await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "x", config: { candidateCount: 2 } });
    } catch (e) {
      err = e;
    }
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain("INVALID_ARGUMENT");
  });

  test("models.list pager terminates and sees every model", async () => {
    const pager = await ai.models.list({ config: { pageSize: 2 } });
    const names: string[] = [];
    for await (const m of pager) {
      names.push(m.name!);
      if (names.length > 20) break;
    }
    expect(names).toEqual(models.map((m) => `models/${m.id}`));
  });

  test("countTokens", async () => {
    const r = await ai.models.countTokens({ model: "gemini-2.5-pro", contents: "x".repeat(40) });
    expect(r.totalTokens).toBe(14);
  });
});

describe("@google/genai 3.x: structured output and stop sequences (issue 19)", () => {
  // Google's own example: an array of recipes. The upstream answers the wrapped object.
  const recipes = { type: Type.ARRAY, items: { type: Type.OBJECT, properties: { recipeName: { type: Type.STRING }, ingredients: { type: Type.ARRAY, items: { type: Type.STRING } } }, propertyOrdering: ["recipeName", "ingredients"] } };
  const answer = '{"value":[{"recipeName":"Shortbread","ingredients":["butter","flour"]},{"recipeName":"Snickerdoodle","ingredients":["cinnamon"]}]}';
  const parsed = [{ recipeName: "Shortbread", ingredients: ["butter", "flour"] }, { recipeName: "Snickerdoodle", ingredients: ["cinnamon"] }];
  const config = { responseMimeType: "application/json", responseSchema: recipes };

  test("generateContent with an array responseSchema: response.text parses as the array", async () => {
    scenario = { events: textStream([answer]) };
    const res = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "List a few popular cookie recipes.", config });
    expect(JSON.parse(res.text!)).toEqual(parsed);
    // What went upstream: the array wrapped in an object (json_schema roots must be objects).
    const ctx = makeCtx();
    const codex = geminiToCodex(seenBodies.at(-1), ctx);
    expect((codex.text as any).format.schema.properties.value.type).toBe("array");
  });

  test("generateContentStream with an array responseSchema: the joined text parses as the array", async () => {
    scenario = { events: textStream(['{"value":[{"recipeName":"Shortbread",', '"ingredients":["butter","flour"]},{"recipeName":"Snickerdoodle","ingredients":["cinnamon"]}]}']) };
    const chunks: any[] = [];
    for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents: "List a few popular cookie recipes.", config })) chunks.push(c);
    expect(JSON.parse(chunks.map((c) => c.text ?? "").join(""))).toEqual(parsed);
    expect(chunks.at(-1).candidates[0].finishReason).toBe("STOP");
  });

  test("stopSequences end the answer at the sequence with STOP (stream and non-stream)", async () => {
    scenario = { events: textStream(["Thought: look it up\nAction: search", "\nObservation: made up"]) };
    const chunks: any[] = [];
    for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents: "q", config: { stopSequences: ["\nObservation:"] } })) chunks.push(c);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe("Thought: look it up\nAction: search");
    expect(chunks.at(-1).candidates[0].finishReason).toBe("STOP");
    const res = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "q", config: { stopSequences: ["\nObservation:"] } });
    expect(res.text).toBe("Thought: look it up\nAction: search");
  });
});

describe("Gemini CLI's @google/genai 1.30 parser (replica) reads our bytes", () => {
  const fixtures: [string, Scenario][] = [
    ["docs/clients.md C11.8 with keep-alives", { events: workedExample(), keepalives: true }],
    ["U+2028 text", { events: textStream(["x\u2028y", "\u2029z"]) }],
    ["error after content", { events: [...textStream(["p"]).slice(0, 3)], end: { kind: "eof" } }],
  ];
  test.each(fixtures)("%s, split at every byte boundary pattern", (_n, sc) => {
    scenario = sc;
    const wire = streamWire({ contents: [{ parts: [{ text: "hi" }] }] }, "gemini-2.5-pro", "sse");
    const whole = sdk130Parse(wire, []);
    expect(whole.length).toBeGreaterThan(0);
    for (let step = 1; step <= 13; step += 4) {
      const cuts = Array.from({ length: Math.floor(wire.length / step) }, (_, i) => (i + 1) * step).filter((c) => c < wire.length);
      expect(sdk130Parse(wire, cuts)).toEqual(whole);
    }
  });

  test("the replica rejects what broke Gemini CLI (sanity check of the oracle)", () => {
    expect(() => sdk130Parse(": keep-alive\n\ndata: {}\n\n", [])).toThrow("Incomplete JSON segment");
    expect(() => sdk130Parse('data:{"a":1}\n\n', [])).toThrow("Incomplete JSON segment");
  });
});
