/**
 * The client surfaces the replay harness drives, as the server wires them: the real `Surface`
 * factories from src/surfaces/* (as src/compose.ts builds them), so `inspect` + `context` +
 * `toCodex` build the TranslateContext exactly as the pipeline does.
 */
import type { Surface, SurfaceInput } from "../../src/pipeline/surface.ts";
import type { ConversationState } from "../../src/runtime.ts";
import { createChatSurface } from "../../src/surfaces/chat.ts";
import { createGeminiSurface } from "../../src/surfaces/gemini.ts";
import { createMessagesSurface } from "../../src/surfaces/messages.ts";
import { createResponsesSurface } from "../../src/surfaces/responses.ts";

/** The folder names used in fixture file names (`<surface>.request.json`, …). */
export type SurfaceId = "responses" | "chat" | "anthropic" | "gemini";
export const SURFACE_IDS: readonly SurfaceId[] = ["responses", "chat", "anthropic", "gemini"];

/** How a request reaches the surface: SSE stream, Gemini JSON-array stream, or one JSON answer. */
export type Mode = "stream" | "array" | "json";

export interface ReplaySurface {
  id: SurfaceId;
  surface: Surface;
  /** The body and route data the route would hand the pipeline for this mode. */
  request(body: unknown, mode: Mode, o: { geminiModel: string; headers?: Record<string, string> }): { body: unknown; input: SurfaceInput };
}

/** Nothing is remembered between fixture runs: lookups miss, remembers are dropped. */
const noState: ConversationState = {
  reasoning: { remember() {}, lookup: () => undefined },
  responses: { remember() {}, lookup: () => undefined },
};

/** Body with `stream` set for the mode (the same request file serves stream and non-stream runs). */
function withStream(body: unknown, mode: Mode): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), stream: mode !== "json" };
}

function plainInput(path: string, headers?: Record<string, string>): SurfaceInput {
  return { headers: new Headers(headers), url: new URL(`http://gateway.test${path}`), params: {} };
}

function openaiStyle(id: SurfaceId, surface: Surface, path: string): ReplaySurface {
  return { id, surface, request: (body, mode, o) => ({ body: withStream(body, mode), input: plainInput(path, o.headers) }) };
}

const gemini: ReplaySurface = {
  id: "gemini",
  surface: createGeminiSurface(),
  request(body, mode, o) {
    const method = mode === "json" ? "generateContent" : "streamGenerateContent";
    const query = mode === "stream" ? "?alt=sse" : "";
    const url = new URL(`http://gateway.test/v1beta/models/${o.geminiModel}:${method}${query}`);
    return { body, input: { headers: new Headers(o.headers), url, params: { model: o.geminiModel, method } } };
  },
};

/** Every surface, in a fixed order. */
export function loadSurfaces(): ReplaySurface[] {
  return [
    openaiStyle("responses", createResponsesSurface(noState), "/v1/responses"),
    openaiStyle("chat", createChatSurface(noState), "/v1/chat/completions"),
    openaiStyle("anthropic", createMessagesSurface(noState), "/v1/messages"),
    gemini,
  ];
}
