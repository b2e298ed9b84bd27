import type { Surface } from "../pipeline/surface.ts";
import { GEMINI_FIELDS } from "./known-fields.ts";
import { codexFailure, geminiFromResponse, geminiReplyOptions, geminiStream, geminiToCodex, inspectGemini, type GeminiContext } from "../translate/gemini/index.ts";

/** Google's generateContent / streamGenerateContent. Model and method come from the URL. */
export function createGeminiSurface(): Surface<GeminiContext> {
  return {
    name: "gemini",
    knownFields: GEMINI_FIELDS,
    dialect: "google",
    inspect: (body, input) => inspectGemini(body, input.params.model ?? "", input.params.method === "streamGenerateContent", input.headers),
    // `?alt=sse` selects SSE; without it the stream is one JSON array (what the SDKs' default REST stream reads).
    context: (base, body, info, input) => ({
      ...base,
      geminiFraming: input.url.searchParams.get("alt") === "sse" ? "sse" : "json-array",
      sessionKey: info.sessionKey,
      ...geminiReplyOptions(body),
    }),
    toCodex: geminiToCodex,
    stream: geminiStream,
    fromResponse: geminiFromResponse,
    failure: (error, ctx) => codexFailure(error, ctx.now),
    streamContentType: (ctx) => (ctx.geminiFraming === "sse" ? "text/event-stream" : "application/json"),
  };
}
