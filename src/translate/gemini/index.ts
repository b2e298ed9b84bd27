/**
 * Gemini (v1beta) surface: pure translators between `GenerateContentRequest` /
 * `GenerateContentResponse` and the Codex Responses protocol (docs/clients.md C9–C17).
 */
export { inspectGemini, geminiToCodex, geminiReplyOptions, sessionFingerprint, GEMINI_USER_ID_HEADER, type GeminiInspection } from "./request.ts";
export { geminiStream, type GeminiStreamState } from "./stream.ts";
export type { GeminiContext, ThoughtChunking } from "./context.ts";
export { geminiFromResponse } from "./response.ts";
export { geminiCountTokens, type CountTokensResult } from "./count.ts";
export { geminiModelsList, geminiModel, geminiModelEntry, type GeminiModelInfo } from "./models.ts";
export { googleErrorBody, codexFailure } from "./errors.ts";
export { safeJson, type GeminiFraming } from "./frames.ts";
export { encodeSignature, decodeSignature } from "./signature.ts";
