/**
 * The model lists the gateway answers (pure): the OpenAI `GET /v1/models` list and, for a Codex
 * CLI asking with `?client_version=`, the Codex `{models:[ModelInfo…]}` shape.
 */
import type { CatalogModel } from "./catalog.ts";
import type { ModelResolver } from "./types.ts";
import { modelPermitted } from "../util/model-access.ts";

export interface OpenAIModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** Whether a name may be shown to the caller (e.g. the key's allow/deny globs). */
export type ModelFilter = (name: string, upstream: string) => boolean;

export interface ListInput {
  models: readonly CatalogModel[];
  aliases: Record<string, string>;
  resolve: ModelResolver;
  filter?: ModelFilter;
}

/**
 * Every model the upstream or the built-in catalog knows (except `visibility: none`), each
 * followed by its effort-suffixed names, then the exact alias names. Globs are not names and are
 * not listed.
 */
export function openAIModelList({ models, aliases, resolve, filter }: ListInput): OpenAIModel[] {
  const out: OpenAIModel[] = [];
  const seen = new Set<string>();
  const add = (id: string, upstream: string, created: number, owner: string) => {
    if (seen.has(id) || (filter && !filter(id, upstream))) return;
    seen.add(id);
    out.push({ id, object: "model", created, owned_by: owner });
  };
  const created = new Map(models.map((m) => [m.slug, m.created]));
  for (const m of models) {
    if (m.visibility === "none") continue;
    add(m.slug, m.slug, m.created, "openai");
    for (const e of m.efforts ?? []) add(`${m.slug}-${e}`, m.slug, m.created, "openai");
  }
  for (const name of Object.keys(aliases)) {
    if (name.includes("*")) continue;
    const upstream = resolve(name, undefined).upstream;
    add(name, upstream, created.get(upstream) ?? 0, "codex-gateway");
  }
  return out;
}

/**
 * The Codex shape: the upstream's own ModelInfo objects, untouched (they carry the prompts and
 * tool settings the CLI needs), plus a copy per exact alias of a listed model. Synthesizing
 * ModelInfo from the built-in catalog would hand the CLI made-up base instructions, so without a
 * live catalog the list is empty and the CLI keeps its bundled one (docs/protocol.md P8.1).
 */
export function codexModelList(upstream: readonly Record<string, unknown>[] | undefined, input: Omit<ListInput, "models">): { models: Record<string, unknown>[] } {
  const models: Record<string, unknown>[] = [];
  if (!upstream) return { models };
  const bySlug = new Map(upstream.map((m) => [String(m.slug), m]));
  for (const m of upstream) if (!input.filter || input.filter(String(m.slug), String(m.slug))) models.push(m);
  for (const name of Object.keys(input.aliases)) {
    if (name.includes("*") || bySlug.has(name)) continue;
    const r = input.resolve(name, undefined);
    const target = bySlug.get(r.upstream);
    if (!target || (input.filter && !input.filter(name, r.upstream))) continue;
    const copy: Record<string, unknown> = { ...target, slug: name, display_name: name, visibility: "list" };
    if (r.effort) copy.default_reasoning_level = r.effort;
    models.push(copy);
  }
  return { models };
}

/**
 * A key's allow/deny globs, matched as admission matches them (util/model-access.ts: the upstream
 * slug decides, the listed name may only narrow), so the list shows exactly what the key may call.
 */
export function keyModelFilter(allow: readonly string[] | undefined, deny: readonly string[] | undefined): ModelFilter | undefined {
  if (!allow?.length && !deny?.length) return undefined;
  return (name, upstream) => modelPermitted(allow, deny, upstream, name);
}
