/**
 * Model resolution, built once per config snapshot (design: models/ are pure functions over the
 * snapshot). Order:
 *
 * 1. `models.aliases`: the exact name, then the `*` globs in config order (first match). A `*` in
 *    the target is replaced by what the glob's first `*` matched (`"openai/*": "*"`). An alias
 *    target may itself carry an effort suffix (`fast: gpt-5-codex-low`). A suffixed name whose base
 *    is an exact alias (`gpt-4-high` with `gpt-4: gpt-5.5`) resolves through the alias too.
 * 2. Effort suffix: `gpt-5-high`, `gpt-5.1-codex-max-xhigh`, `-none`, `-minimal`, `-ultra` (= max) …
 *    A name that is itself a known model is never split, so `gpt-5.1-codex-max` stays a model.
 *    A suffix beats the body's effort: the name is the client's most specific choice (the Codex
 *    CLI, for one, always sends an effort of its own).
 * 3. `models.rules`, first rule whose glob matches the upstream slug or the requested name:
 *    `reasoning_effort` forces; `default_effort` applies when the client gave none;
 *    `min_effort` / `max_effort` bound what the client asked (starting from the model's default
 *    effort when it asked for none).
 * 4. Clamp to the nearest effort the model accepts (ties toward the higher one, see efforts.ts).
 *    An effort word the gateway does not know becomes the model's default. Unknown models are not
 *    clamped: the upstream decides.
 *
 * `clampedFrom` is the effort the client (or suffix) asked for whenever the effort finally sent
 * differs from it, for whatever reason (rule or clamp), so the response header can say so.
 */
import type { Config } from "../config/types.ts";
import type { ModelResolver, ResolvedModel } from "./types.ts";
import { builtinLookup, type CatalogLookup } from "./catalog.ts";
import { EFFORT_SUFFIXES, boundEffort, effortRank, nearestEffort, normalizeEffort } from "./efforts.ts";
import { globCapture, globToRegExp, matchGlob } from "../util/glob.ts";

export type ModelsConfig = Pick<Config["models"], "aliases" | "rules">;

export function createModelResolver(models: ModelsConfig, catalog: CatalogLookup = builtinLookup): ModelResolver {
  const exact = new Map<string, string>();
  const globs: { glob: string; target: string }[] = [];
  for (const [name, target] of Object.entries(models.aliases ?? {})) {
    if (name.includes("*")) {
      globToRegExp(name);
      globs.push({ glob: name, target });
    } else exact.set(name, target);
  }
  const rules = (models.rules ?? []).map((r) => (globToRegExp(r.match), r));

  const alias = (name: string): string | undefined => {
    const hit = exact.get(name);
    if (hit !== undefined) return hit;
    for (const g of globs) {
      const cap = globCapture(g.glob, name);
      if (cap !== undefined) return g.target.includes("*") ? g.target.replace("*", cap) : g.target;
    }
    return undefined;
  };

  return (name: string, clientEffort: string | undefined): ResolvedModel => {
    const requested = name;
    let target = name.trim();
    let suffixEffort: string | undefined;

    const aliased = alias(target);
    if (aliased !== undefined) target = aliased;
    else {
      const split = splitEffortSuffix(target, catalog);
      if (split && exact.has(split.base)) {
        target = exact.get(split.base)!;
        suffixEffort = split.effort;
      }
    }
    const split = splitEffortSuffix(target, catalog);
    if (split) {
      target = split.base;
      suffixEffort ??= split.effort;
    }

    const asked = suffixEffort ?? normalizeEffort(clientEffort);
    let effort = asked;
    const model = catalog(target);

    const rule = rules.find((r) => matchGlob(r.match, target) || matchGlob(r.match, requested));
    if (rule?.reasoningEffort) effort = normalizeEffort(rule.reasoningEffort);
    else if (rule) {
      if (effort === undefined && rule.defaultEffort) effort = normalizeEffort(rule.defaultEffort);
      if (rule.minEffort || rule.maxEffort) {
        effort ??= model?.defaultEffort;
        if (effort !== undefined) effort = boundEffort(effort, rule.minEffort, rule.maxEffort);
      }
    }

    if (effort !== undefined && model?.efforts && !model.efforts.includes(effort as never)) {
      effort = effortRank(effort) >= 0 ? nearestEffort(effort, model.efforts) : model.defaultEffort;
    }

    const resolved: ResolvedModel = { requested, upstream: target, effort };
    if (asked !== undefined && effort !== asked) resolved.clampedFrom = asked;
    if (model?.responsesLite) resolved.lite = true;
    return resolved;
  };
}

/**
 * `gpt-5-high` → { base: "gpt-5", effort: "high" }. Not split when the whole name is a known
 * model (`gpt-5.1-codex-max`) or nothing would be left of the base.
 */
export function splitEffortSuffix(name: string, catalog: CatalogLookup = builtinLookup): { base: string; effort: string } | undefined {
  if (catalog(name)) return undefined;
  const lower = name.toLowerCase();
  for (const suffix of EFFORT_SUFFIXES) {
    if (lower.endsWith(`-${suffix}`) && name.length > suffix.length + 1) {
      return { base: name.slice(0, -(suffix.length + 1)), effort: normalizeEffort(suffix)! };
    }
  }
  return undefined;
}
