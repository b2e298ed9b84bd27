/**
 * The built-in model catalog: every model in the seeds plus the newer slugs of docs/protocol.md P8.3,
 * with the efforts each accepts. It is the fallback when the live upstream catalog is unknown, and
 * what effort clamping consults. Efforts follow the table of docs/protocol.md P8.3: `minimal`
 * only on gpt-5 (and the legacy codex-mini-latest), `low` not on the two codex -mini models,
 * `xhigh` on gpt-5.1-codex-max, gpt-5.2, gpt-5.2-codex, gpt-5.3-codex and every model
 * from the April 2026 catalog on (gpt-5.4, gpt-5.4-mini, gpt-5.5, codex-auto-review, gpt-5.6-*);
 * `max` only on gpt-5.6-* (`ultra` is sent as `max`).
 */
import type { Effort } from "./efforts.ts";

export type Visibility = "list" | "hide" | "none";

export interface CatalogModel {
  slug: string;
  displayName: string;
  /** Efforts the model accepts, in rank order; undefined = unknown (no clamping). */
  efforts?: readonly Effort[];
  /** The effort the backend uses when none is sent. */
  defaultEffort?: Effort;
  contextWindow: number;
  maxContextWindow?: number;
  visibility: Visibility;
  /** Unix seconds (approximate release date), for the OpenAI list's `created`. */
  created: number;
  description?: string;
  /** The catalog's `use_responses_lite`: requests take the Lite shape and header (docs/protocol.md P2.5). */
  responsesLite?: boolean;
}

/** Looks a slug up in some catalog (built-in, or built-in merged with the live upstream one). */
export type CatalogLookup = (slug: string) => CatalogModel | undefined;

const LOW_HIGH: readonly Effort[] = ["low", "medium", "high"];
const MEDIUM_HIGH: readonly Effort[] = ["medium", "high"];
const LOW_XHIGH: readonly Effort[] = ["low", "medium", "high", "xhigh"];
const LOW_MAX: readonly Effort[] = ["low", "medium", "high", "xhigh", "max"];
const CTX = 272_000;

function m(slug: string, displayName: string, efforts: readonly Effort[], created: number, extra: Partial<CatalogModel> = {}): CatalogModel {
  return { slug, displayName, efforts, defaultEffort: "medium", contextWindow: CTX, visibility: "list", created, ...extra };
}

export const BUILTIN_MODELS: readonly CatalogModel[] = Object.freeze([
  m("gpt-5", "GPT-5", ["minimal", "low", "medium", "high"], 1754524800, { visibility: "hide" }),
  m("gpt-5-codex", "GPT-5-Codex", LOW_HIGH, 1757894400, { visibility: "hide" }),
  m("gpt-5-codex-mini", "GPT-5-Codex-Mini", MEDIUM_HIGH, 1762473600, { visibility: "hide" }),
  m("gpt-5.1", "GPT-5.1", LOW_HIGH, 1762905600),
  m("gpt-5.1-codex", "GPT-5.1-Codex", LOW_HIGH, 1762905600),
  m("gpt-5.1-codex-mini", "GPT-5.1-Codex-Mini", MEDIUM_HIGH, 1762905600),
  m("gpt-5.1-codex-max", "GPT-5.1-Codex-Max", LOW_XHIGH, 1763510400),
  m("gpt-5.2", "GPT-5.2", LOW_XHIGH, 1765411200),
  m("gpt-5.2-codex", "GPT-5.2-Codex", LOW_XHIGH, 1768262400),
  m("gpt-5.3-codex", "GPT-5.3-Codex", LOW_XHIGH, 1770681600),
  m("gpt-5.4", "GPT-5.4", LOW_XHIGH, 1772668800, { defaultEffort: "xhigh", maxContextWindow: 1_000_000 }),
  m("gpt-5.4-mini", "GPT-5.4-Mini", LOW_XHIGH, 1776902400),
  m("gpt-5.5", "GPT-5.5", LOW_XHIGH, 1776902400),
  m("gpt-5.6-sol", "GPT-5.6-Sol", LOW_MAX, 1786060800, { defaultEffort: "low", contextWindow: 372_000, maxContextWindow: 372_000, responsesLite: true }),
  m("gpt-5.6-terra", "GPT-5.6-Terra", LOW_MAX, 1786060800, { responsesLite: true }),
  m("gpt-5.6-luna", "GPT-5.6-Luna", LOW_MAX, 1786060800, { responsesLite: true }),
  m("codex-auto-review", "Codex Auto Review", LOW_XHIGH, 1776902400, { visibility: "hide", maxContextWindow: 1_000_000 }),
  m("codex-mini-latest", "codex-mini-latest", ["minimal", "low", "medium"], 1747353600, { visibility: "hide", contextWindow: 200_000 }),
  m("gpt-oss-120b", "gpt-oss-120b", LOW_HIGH, 1754352000, { visibility: "hide", contextWindow: 128_000 }),
  m("gpt-oss-20b", "gpt-oss-20b", LOW_HIGH, 1754352000, { visibility: "hide", contextWindow: 128_000 }),
]);

const BY_SLUG = new Map(BUILTIN_MODELS.map((x) => [x.slug, x]));

export const builtinLookup: CatalogLookup = (slug) => BY_SLUG.get(slug);
