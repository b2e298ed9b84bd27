import type { Surface } from "../pipeline/surface.ts";
import { GEMINI_FIELDS } from "./known-fields.ts";
import { codexFailure, geminiFromResponse, geminiReplyOptions, geminiStream, geminiToCodex, inspectGemini } from "../translate/gemini/index.ts";

/** Google's generateContent / streamGenerateContent. Model and method come from the URL. */
export const geminiSurface: Surface = {
  name: "gemini",
  knownFields: GEMINI_FIELDS,
  dialect: "google",
  inspect: (body, input) => inspectGemini(body, input.params.model ?? "", input.params.method === "streamGenerateContent", input.headers),
  toCodex: geminiToCodex,
  stream: geminiStream,
  fromResponse: geminiFromResponse,
  failure: (error, ctx) => codexFailure(error as Parameters<typeof codexFailure>[0], ctx.now),
  // `?alt=sse` selects SSE; without it the stream is one JSON array (what the SDKs' default REST stream reads).
  context: (body, info, input) => ({
    geminiFraming: input.url.searchParams.get("alt") === "sse" ? "sse" : "json-array",
    sessionKey: info.sessionKey,
    ...geminiReplyOptions(body),
  }),
  streamContentType: (ctx) => (ctx.geminiFraming === "sse" ? "text/event-stream" : "application/json"),
};
