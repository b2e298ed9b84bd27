/**
 * What the client asked for in `thinking` / `output_config.effort` (docs/clients.md C5.5):
 * a reasoning effort for the pipeline to resolve and clamp, and how thinking blocks are shown.
 */
import { isRecord } from "./util.ts";

/**
 * - `summarized`: request reasoning summaries; stream them as thinking blocks (+ signature).
 * - `omitted`: `display:"omitted"` (Claude Code 2.1's default): signature-only thinking blocks,
 *   no summaries requested.
 * - `off`: thinking absent or disabled: no thinking blocks at all (plain SDK users index
 *   `content[0].text`; a surprise thinking block would break them).
 */
export type ThinkingMode = "summarized" | "omitted" | "off";

const EFFORTS = new Set(["none", "minimal", "low", "medium", "high", "xhigh", "max"]);

export function thinkingMode(body: any): ThinkingMode {
  const t = body?.thinking;
  if (!isRecord(t) || t.type === "disabled" || typeof t.type !== "string") return "off";
  return t.display === "omitted" ? "omitted" : "summarized";
}

/** CLIProxyAPI's ConvertBudgetToLevel thresholds (docs/clients.md C5.5). */
export function effortForBudget(budget: number): string {
  if (budget <= 0) return "none";
  if (budget <= 512) return "minimal";
  if (budget <= 1024) return "low";
  if (budget <= 8192) return "medium";
  if (budget <= 24576) return "high";
  return "xhigh";
}

/**
 * The effort the client asked for, unclamped (the pipeline clamps per model, docs/clients.md C2.6):
 * - thinking disabled ⇒ "none" (the clamp moves it up to the lowest level the model has);
 * - `output_config.effort` wins when present: it is the explicit, newer knob (Claude Code's
 *   `/effort`), while `budget_tokens: 31999` is just Claude Code's default budget;
 * - thinking enabled ⇒ budget thresholds (-1 = "auto" ⇒ undefined);
 * - adaptive / between_tools / absent without an effort ⇒ undefined (configured default).
 * Unknown effort strings are ignored rather than refused: a 400 makes Claude Code retry five times.
 */
export function requestedEffort(body: any): string | undefined {
  const t = isRecord(body?.thinking) ? body.thinking : undefined;
  if (t?.type === "disabled") return "none";
  const oc = isRecord(body?.output_config) ? body.output_config.effort : undefined;
  if (typeof oc === "string" && EFFORTS.has(oc)) return oc;
  if (t?.type === "enabled" && typeof t.budget_tokens === "number" && t.budget_tokens !== -1) return effortForBudget(t.budget_tokens);
  return undefined;
}
