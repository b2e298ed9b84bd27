import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import { field, isObject } from "./fields.ts";

/**
 * `generationConfig.thinkingConfig` → Codex `reasoning` (docs/clients.md C10.3). A level wins over a
 * budget. Budget 0 asks for the lowest effort: "none" is clamped upwards to the lowest level the
 * model supports by the pipeline (docs/clients.md C2.6). Budget -1 (automatic) or absent leaves the
 * effort to the configured default.
 */
export interface Thinking {
  effort?: string;
  includeThoughts: boolean;
}

const LEVELS = new Set(["minimal", "low", "medium", "high"]);

export function readThinking(generationConfig: unknown): Thinking {
  const cfg = field(generationConfig, "thinkingConfig");
  if (cfg !== undefined && cfg !== null && !isObject(cfg)) throw badRequest("generationConfig.thinkingConfig must be an object", "generationConfig.thinkingConfig");
  // A thinkingLevel at the wrong depth (directly in generationConfig) is accepted too.
  const level = field(cfg, "thinkingLevel") ?? field(generationConfig, "thinkingLevel");
  const budget = field(cfg, "thinkingBudget");
  const include = field(cfg, "includeThoughts");
  const out: Thinking = { includeThoughts: include === true };
  const fromLevel = levelEffort(level);
  if (fromLevel !== undefined) out.effort = fromLevel;
  else if (budget !== undefined && budget !== null) out.effort = budgetEffort(budget);
  return out;
}

function levelEffort(level: unknown): string | undefined {
  if (level === undefined || level === null) return undefined;
  if (typeof level !== "string") throw badRequest("generationConfig.thinkingConfig.thinkingLevel must be a string", "generationConfig.thinkingConfig.thinkingLevel");
  const l = level.toLowerCase();
  if (l === "" || l === "thinking_level_unspecified") return undefined;
  if (!LEVELS.has(l)) throw badRequest(`Invalid thinkingLevel "${clip(level)}": expected MINIMAL, LOW, MEDIUM or HIGH`, "generationConfig.thinkingConfig.thinkingLevel");
  return l;
}

function budgetEffort(budget: unknown): string | undefined {
  const n = typeof budget === "string" && budget.trim() !== "" ? Number(budget) : budget;
  if (typeof n !== "number" || !Number.isFinite(n)) throw badRequest("generationConfig.thinkingConfig.thinkingBudget must be an integer", "generationConfig.thinkingConfig.thinkingBudget");
  if (n < 0) return undefined; // -1 = automatic
  if (n === 0) return "none";
  if (n <= 512) return "minimal";
  if (n <= 1024) return "low";
  if (n <= 8192) return "medium";
  if (n <= 24576) return "high";
  return "xhigh";
}
