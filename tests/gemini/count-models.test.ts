import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { geminiCountTokens, geminiModel, geminiModelsList, type GeminiModelInfo } from "../../src/translate/gemini/index.ts";
import { IMAGE_TOKENS } from "../../src/translate/gemini/count.ts";

/** A stand-in counter: one token per 4 characters, rounded up. */
const count = (t: string) => Math.ceil(t.length / 4);

describe("geminiCountTokens (docs/clients.md C14)", () => {
  test("contents form (what the SDK sends)", () => {
    const r = geminiCountTokens({ contents: [{ role: "user", parts: [{ text: "x".repeat(40) }] }] }, count);
    expect(r).toEqual({ totalTokens: 10 + 4, promptTokensDetails: [{ modality: "TEXT", tokenCount: 14 }] });
  });

  test("generateContentRequest form counts instructions, tools, calls and outputs", () => {
    const inner = {
      contents: [
        { role: "user", parts: [{ text: "abcd" }] },
        { role: "model", parts: [{ functionCall: { name: "read", args: { p: "a" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "read", response: { output: "12345678" } } }] },
      ],
      systemInstruction: { parts: [{ text: "sys!" }] },
      tools: [{ functionDeclarations: [{ name: "read", description: "desc" }] }],
    };
    const bare = geminiCountTokens({ contents: inner.contents }, count).totalTokens;
    const full = geminiCountTokens({ generateContentRequest: inner }, count).totalTokens;
    const snake = geminiCountTokens({ generate_content_request: inner }, count).totalTokens;
    expect(full).toBe(snake);
    // instructions (1) + tool name (1) + description (1) + parameters JSON + overhead (4)
    expect(full - bare).toBe(1 + 1 + 1 + count(JSON.stringify({ type: "object", properties: {} })) + 4);
  });

  test("images are estimated and listed under IMAGE", () => {
    const r = geminiCountTokens({ contents: [{ parts: [{ text: "look" }, { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }] }] }, count);
    expect(r.promptTokensDetails).toContainEqual({ modality: "IMAGE", tokenCount: IMAGE_TOKENS });
    expect(r.totalTokens).toBe(IMAGE_TOKENS + 1 + 4);
  });

  test("never 0 for non-empty content", () => {
    expect(geminiCountTokens({ contents: [{ parts: [{ text: "hi" }] }] }, () => 0).totalTokens).toBeGreaterThan(0);
  });

  test("bad shapes are 400", () => {
    for (const bad of [null, { contents: "x" }, { generateContentRequest: 5 }, {}]) {
      let err: unknown;
      try {
        geminiCountTokens(bad, count);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
    }
  });
});

describe("models list and get (docs/clients.md C15)", () => {
  const models: GeminiModelInfo[] = Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, upstream: "gpt-5.5", contextWindow: 272000 }));

  test("entry shape", () => {
    const { models: page } = geminiModelsList([{ id: "gemini-2.5-pro", upstream: "gpt-5.5", contextWindow: 272000 }]);
    expect(page[0]).toEqual({
      name: "models/gemini-2.5-pro",
      baseModelId: "gemini-2.5-pro",
      version: "gpt-5.5",
      displayName: "gemini-2.5-pro → gpt-5.5 (Codex)",
      description: "Served by codex-gateway",
      inputTokenLimit: 272000,
      outputTokenLimit: 128000,
      supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
      thinking: true,
    });
  });

  test("paging terminates; nextPageToken omitted (never \"\") on the last page", () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = geminiModelsList(models, 3, token);
      seen.push(...page.models.map((m) => m.baseModelId as string));
      expect(page.nextPageToken).not.toBe("");
      token = page.nextPageToken;
      if (token === undefined) break;
    }
    expect(token).toBeUndefined();
    expect(seen).toEqual(models.map((m) => m.id));
    expect(geminiModelsList(models, 3).nextPageToken).toBe("Mw");
  });

  test("page size default 50, max 1000, string sizes accepted", () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: `x${i}` }));
    expect(geminiModelsList(many).models).toHaveLength(50);
    expect(geminiModelsList(many, 5000).models).toHaveLength(1000);
    expect(geminiModelsList(many, "7").models).toHaveLength(7);
    expect(geminiModelsList(many, 0).models).toHaveLength(50);
    expect(geminiModelsList(models, 50)).not.toHaveProperty("nextPageToken");
  });

  test("bad page token → 400", () => {
    for (const t of ["!!", "YWJj"]) {
      let err: unknown;
      try {
        geminiModelsList(models, 3, t);
      } catch (e) {
        err = e;
      }
      expect((err as GatewayError).status).toBe(400);
    }
  });

  test("get by name with or without models/, 404 otherwise", () => {
    expect(geminiModel(models, "models/m2").name).toBe("models/m2");
    expect(geminiModel(models, "m2").name).toBe("models/m2");
    let err: unknown;
    try {
      geminiModel(models, "models/nope");
    } catch (e) {
      err = e;
    }
    expect((err as GatewayError).status).toBe(404);
    expect((err as GatewayError).message).toContain("models/nope is not found");
  });
});
