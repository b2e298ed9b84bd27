/** GET …/models: a small catalog in the backend's shape, with an ETag. */
import { LITE_MODELS } from "./lite.ts";
import type { MockState } from "./state.ts";
import { json, scenarioOfToken } from "./util.ts";

export function handleModels(s: MockState, req: Request, url: URL): Response {
  s.stats.models++;
  s.record({ at: Date.now(), method: "GET", path: url.pathname + url.search, headers: Object.fromEntries(req.headers as any), body: undefined, aborted: false });
  const auth = req.headers.get("authorization") ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
  const who = token ? scenarioOfToken(token) : {};
  if (!token || who.expired || who.scenario === "401") return json(401, { detail: "Unauthorized" });
  const levels = (xs: string[]) => xs.map((effort) => ({ effort, description: `${effort} effort` }));
  const model = (slug: string, priority: number, visibility: string, def: string, efforts: string[]) => ({
    slug,
    display_name: slug,
    description: `${slug} (mock)`,
    visibility,
    supported_in_api: true,
    priority,
    default_reasoning_level: def,
    supported_reasoning_levels: levels(efforts),
    shell_type: "shell_command",
    supports_reasoning_summaries: true,
    default_reasoning_summary: "none",
    support_verbosity: true,
    default_verbosity: "low",
    apply_patch_tool_type: "freeform",
    supports_parallel_tool_calls: true,
    context_window: 272000,
    effective_context_window_percent: 95,
    input_modalities: ["text", "image"],
    truncation_policy: { mode: "tokens", limit: 10000 },
    use_responses_lite: LITE_MODELS.has(slug),
  });
  return json(
    200,
    {
      models: [
        model("gpt-5.5", 0, "list", "medium", ["low", "medium", "high", "xhigh"]),
        model("gpt-5.4", 1, "list", "xhigh", ["low", "medium", "high", "xhigh"]),
        model("gpt-5.4-mini", 2, "list", "medium", ["low", "medium", "high", "xhigh"]),
        model("gpt-5.2", 3, "list", "medium", ["low", "medium", "high", "xhigh"]),
        model("gpt-5.6-sol", 4, "list", "low", ["low", "medium", "high", "xhigh", "max"]),
      ],
    },
    { etag: 'W/"mock-1"' },
  );
}
