/**
 * Responses Lite (docs/protocol.md P2.5): the request shape the backend wants for models whose
 * catalog entry has `use_responses_lite` (the gpt-5.6 family). The Codex CLI builds it itself; for
 * every other client the gateway rebuilds the translated Codex body in that shape:
 *
 * - no `tools` and no `instructions`; `input[0]` is `{"type":"additional_tools","role":"developer",
 *   "tools":[…]}` with the function and custom tools folded into one `namespace` named `functions`
 *   (other namespaces kept beside it, hosted tools such as web_search left out: Lite has none);
 * - the instructions become the developer message at `input[1]`;
 * - `parallel_tool_calls: false`, `reasoning.context: "all_turns"`, no `detail` on images.
 *
 * Pure. Whether a body is already Lite decides the Lite header (liteHeaders): the header on any
 * other body is a 400.
 */
import { LITE_HEADER } from "../codex/headers.ts";
import type { CodexItem, CodexRequest } from "../codex/types.ts";

export const LITE_NAMESPACE = "functions";
/** Tools the backend runs itself: not part of a Lite request. */
const HOSTED = new Set(["web_search", "web_search_preview", "image_generation", "file_search", "code_interpreter", "local_shell", "mcp", "computer_use_preview"]);

/** A body in the Lite shape (its first input item carries the tools). */
export function isLiteBody(body: CodexRequest | undefined): boolean {
  const first = Array.isArray(body?.input) ? body.input[0] : undefined;
  return !!first && typeof first === "object" && (first as { type?: unknown }).type === "additional_tools";
}

/** The tools of a Lite request: functions and custom tools in the `functions` namespace. */
export function liteTools(tools: readonly unknown[]): unknown[] {
  const functions = { type: "namespace", name: LITE_NAMESPACE, description: "", tools: [] as unknown[] };
  const out: unknown[] = [];
  let at = -1;
  for (const t of tools) {
    const tool = t as Record<string, any>;
    if (!tool || typeof tool !== "object" || HOSTED.has(tool.type)) continue;
    if (tool.type === "function" || tool.type === "custom") functions.tools.push(tool);
    else if (tool.type === "namespace" && tool.name === LITE_NAMESPACE) {
      if (typeof tool.description === "string" && tool.description.trim()) functions.description = tool.description;
      if (Array.isArray(tool.tools)) functions.tools.push(...tool.tools);
    } else {
      out.push(tool);
      continue;
    }
    if (at === -1) at = out.length;
  }
  if (functions.tools.length) out.splice(at === -1 ? 0 : at, 0, functions);
  return out;
}

function withoutImageDetail(item: CodexItem): CodexItem {
  if (item?.type !== "message" || !Array.isArray(item.content)) return item;
  if (!item.content.some((p: any) => p?.type === "input_image" && "detail" in p)) return item;
  return { ...item, content: item.content.map((p: any) => (p?.type === "input_image" && "detail" in p ? (({ detail: _d, ...rest }) => rest)(p) : p)) };
}

/**
 * The client's headers with the Lite header matching the body: present exactly when the body is in
 * the Lite shape (a Codex client's own, or rebuilt by the gateway for a Lite model). Returns the
 * same object when nothing changes.
 */
export function liteHeaders(client: Headers, lite: boolean): Headers {
  const sent = client.get(LITE_HEADER);
  if (lite ? sent === "true" : sent === null) return client;
  const h = new Headers(client);
  if (lite) h.set(LITE_HEADER, "true");
  else h.delete(LITE_HEADER);
  return h;
}

/** A translated (non-Lite) Codex body, rebuilt in the Lite shape. */
export function toResponsesLite(body: CodexRequest): CodexRequest {
  const { tools, instructions, ...out } = body as CodexRequest & { tools?: unknown[]; instructions?: unknown };
  const prefix: CodexItem[] = [];
  const lite = liteTools(Array.isArray(tools) ? tools : []);
  if (lite.length) prefix.push({ type: "additional_tools", role: "developer", tools: lite } as CodexItem);
  if (typeof instructions === "string" && instructions !== "") prefix.push({ type: "message", role: "developer", content: [{ type: "input_text", text: instructions }] } as CodexItem);
  const input = Array.isArray(body.input) ? body.input.map(withoutImageDetail) : [];
  const reasoning = body.reasoning && typeof body.reasoning === "object" ? body.reasoning : {};
  return { ...out, input: [...prefix, ...input], parallel_tool_calls: false, reasoning: { ...reasoning, context: "all_turns" } } as CodexRequest;
}
