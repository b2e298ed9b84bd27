/**
 * The client surfaces the replay harness drives, as the server wires them: the real `Surface`
 * objects from src/surfaces/*, so `inspect` + `context` + `toCodex` build the TranslateContext
 * exactly as src/pipeline/run.ts does.
 *
 * The Responses surface is picked up automatically once its module exists (it is looked for in
 * src/surfaces/responses.ts, then src/translate/responses/index.ts); until then cases simply skip
 * their `responses.*` files.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Surface, SurfaceInput } from "../../src/pipeline/surface.ts";
import type { ConversationState } from "../../src/runtime.ts";
import { chatSurface } from "../../src/surfaces/chat.ts";
import { geminiSurface } from "../../src/surfaces/gemini.ts";
import { messagesSurface } from "../../src/surfaces/messages.ts";

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

const ROOT = join(import.meta.dir, "..", "..");

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
  surface: geminiSurface,
  request(body, mode, o) {
    const method = mode === "json" ? "generateContent" : "streamGenerateContent";
    const query = mode === "stream" ? "?alt=sse" : "";
    const url = new URL(`http://gateway.test/v1beta/models/${o.geminiModel}:${method}${query}`);
    return { body, input: { headers: new Headers(o.headers), url, params: { model: o.geminiModel, method } } };
  },
};

/**
 * Works both as a ConversationState and as one of its stores, so a surface factory taking either
 * (`(state) => Surface`, `(store) => Surface`) can be called with it.
 */
const noStore = { ...noState, remember() {}, lookup: () => undefined };

/** A module export that is a Surface, or a factory of one. */
function asSurface(v: unknown): Surface | undefined {
  const candidate = typeof v === "function" ? (v as (s: unknown) => unknown)(noStore) : v;
  if (candidate && typeof candidate === "object" && "stream" in candidate && "fromResponse" in candidate && "inspect" in candidate) return candidate as Surface;
  return undefined;
}

async function loadResponses(): Promise<Surface | undefined> {
  for (const rel of ["src/surfaces/responses.ts", "src/translate/responses/index.ts"]) {
    const file = join(ROOT, rel);
    if (!existsSync(file)) continue;
    const mod: Record<string, unknown> = await import(file);
    for (const name of ["responsesSurface", "createResponsesSurface", "default"]) {
      const s = asSurface(mod[name]);
      if (s) return s;
    }
  }
  return undefined;
}

/** Every surface that exists in the tree right now, in a fixed order. */
export async function loadSurfaces(): Promise<ReplaySurface[]> {
  const list: ReplaySurface[] = [];
  const responses = await loadResponses();
  if (responses) list.push(openaiStyle("responses", responses, "/v1/responses"));
  list.push(openaiStyle("chat", chatSurface(noState), "/v1/chat/completions"));
  list.push(openaiStyle("anthropic", messagesSurface(noState), "/v1/messages"));
  list.push(gemini);
  return list;
}
