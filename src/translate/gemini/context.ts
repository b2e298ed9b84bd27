import type { TranslateContext } from "../types.ts";
import type { GeminiFraming } from "./frames.ts";

/** How thought text is cut into parts: one part per summary part, or one per upstream delta. */
export type ThoughtChunking = "part" | "delta";

/** The Gemini surface's TranslateContext. */
export interface GeminiContext extends TranslateContext {
  /** `?alt=sse` → SSE frames; otherwise one JSON array (the SDKs' default REST stream). */
  geminiFraming?: GeminiFraming;
  /** Session identity from inspectGemini (installation id + stable content fingerprint). */
  sessionKey?: string;
  /** Overrides the session key as prompt_cache_key. */
  promptCacheKey?: string;
  /** Emit thought parts (thinkingConfig.includeThoughts); geminiToCodex fills it when absent. */
  geminiIncludeThoughts?: boolean;
  /** Upstream (shortened) tool name → the client's name; geminiToCodex fills it when absent. */
  geminiToolNames?: Record<string, string>;
  geminiThoughtChunking?: ThoughtChunking;
  /** How broken function call/response pairs in `contents` are handled (default lenient: repaired). */
  geminiRepair?: "lenient" | "strict";
  /** A non-object response schema was wrapped in this property: the answer is unwrapped (docs/clients.md C10.10). */
  geminiUnwrap?: string;
}
