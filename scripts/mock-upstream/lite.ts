/**
 * Responses Lite (docs/protocol.md P2.5) as the mock judges it: the catalog marks the gpt-5.6
 * models `use_responses_lite`; the Lite header on any other model is a 400, as reported from the
 * backend; a Lite body carries its tools in the `additional_tools` item, which the mock's turn
 * builder reads as if they were top-level tools (so Lite tool loops work through it).
 */
export const LITE_MODELS = new Set(["gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna"]);
export const LITE_HEADER = "x-openai-internal-codex-responses-lite";

/** The 400 for a Lite request on a model that is not Lite, or undefined. */
export function liteRefusal(headers: Headers, body: any): Record<string, unknown> | undefined {
  if (headers.get(LITE_HEADER)?.toLowerCase() !== "true") return undefined;
  const model = typeof body?.model === "string" ? body.model : "";
  if (LITE_MODELS.has(model)) return undefined;
  return { detail: `Responses Lite is not supported for model '${model.slice(0, 64)}'` };
}

/** A Lite body with its additional_tools flattened into `tools` (the view the turn builder reads). */
export function liteView(body: any): any {
  const first = Array.isArray(body?.input) ? body.input[0] : undefined;
  if (first?.type !== "additional_tools" || !Array.isArray(first.tools)) return body;
  const tools: unknown[] = [];
  for (const t of first.tools) {
    if (t?.type === "namespace" && Array.isArray(t.tools)) tools.push(...t.tools);
    else tools.push(t);
  }
  return { ...body, tools };
}
