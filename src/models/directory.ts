/**
 * The model directory: the live upstream catalog (`GET {base}/models?client_version=…`, shape
 * `{models:[ModelInfo…]}`, docs/protocol.md P8.1) cached and refreshed, merged over the built-in one.
 * `lookup` can be handed to createModelResolver so clamping knows models newer than this build.
 *
 * Refresh is lazy and never blocks longer than the caller allows: a stale cache is served while a
 * refresh runs; a failed refresh keeps the old data and is retried after a short back-off.
 */
import type { Logger } from "../observe/log.ts";
import { BUILTIN_MODELS, type CatalogModel, type Visibility } from "./catalog.ts";
import { EFFORT_ORDER, normalizeEffort, type Effort } from "./efforts.ts";

export interface ModelDirectoryOptions {
  /** Fetches the upstream catalog from a healthy account; absent = built-in only. */
  fetchUpstreamModels?: () => Promise<unknown>;
  /** How long a fetched catalog stays fresh (upstream.modelsRefreshMs). */
  refreshMs: () => number;
  now: () => number;
  log?: Logger;
  builtin?: readonly CatalogModel[];
}

/** Retry a failed fetch after this long at most (or refreshMs, if shorter). */
const FAILURE_BACKOFF_MS = 60_000;

export class ModelDirectory {
  private readonly builtin: Map<string, CatalogModel>;
  private live = new Map<string, CatalogModel>();
  private liveRaw: Record<string, unknown>[] | undefined;
  private fetchedAt = -Infinity;
  private failedAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private readonly firstSeen = new Map<string, number>();
  /** Bumped at each successful refresh: what was derived from the catalog (ETags) is stale. */
  version = 0;

  constructor(private readonly opts: ModelDirectoryOptions) {
    this.builtin = new Map((opts.builtin ?? BUILTIN_MODELS).map((m) => [m.slug, m]));
  }

  /** Live entry first, then the built-in one. */
  lookup = (slug: string): CatalogModel | undefined => this.live.get(slug) ?? this.builtin.get(slug);

  /** Live models (upstream order) followed by built-in models the upstream did not list. */
  models(): CatalogModel[] {
    const out = [...this.live.values()];
    for (const m of this.builtin.values()) if (!this.live.has(m.slug)) out.push(m);
    return out;
  }

  /** The upstream's ModelInfo objects exactly as received; undefined when never fetched. */
  upstreamModels(): readonly Record<string, unknown>[] | undefined {
    return this.liveRaw;
  }

  /**
   * Starts a refresh when the cache is stale; waits for it only while nothing was ever fetched,
   * and then at most `waitMs`.
   */
  async ensureFresh(waitMs = 3000): Promise<void> {
    if (!this.opts.fetchUpstreamModels) return;
    const now = this.opts.now();
    const stale = now - this.fetchedAt >= this.opts.refreshMs();
    const backingOff = now - this.failedAt < Math.min(FAILURE_BACKOFF_MS, this.opts.refreshMs());
    if (stale && !backingOff && !this.inFlight) this.inFlight = this.refresh().finally(() => (this.inFlight = undefined));
    if (this.liveRaw === undefined && this.inFlight) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.inFlight, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
  }

  private async refresh(): Promise<void> {
    try {
      const body = await this.opts.fetchUpstreamModels!();
      const raw = parseModelsBody(body);
      if (!raw) throw new Error("upstream /models answered an unexpected shape");
      const now = this.opts.now();
      const live = new Map<string, CatalogModel>();
      for (const info of raw) {
        const m = fromModelInfo(info, this.builtin.get(String(info.slug)), this.firstSeen.get(String(info.slug)) ?? Math.floor(now / 1000));
        if (!m) continue;
        this.firstSeen.set(m.slug, m.created);
        live.set(m.slug, m);
      }
      this.live = live;
      this.liveRaw = raw;
      this.version++;
      this.fetchedAt = now;
    } catch (e) {
      this.failedAt = this.opts.now();
      this.opts.log?.warn("could not refresh the upstream model catalog; serving the cached or built-in one", { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** `{models:[…]}` (the Codex shape) or a bare array; entries without a string slug are skipped. */
export function parseModelsBody(body: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(body) ? body : body && typeof body === "object" && Array.isArray((body as { models?: unknown }).models) ? (body as { models: unknown[] }).models : undefined;
  if (!list) return undefined;
  return list.filter((x): x is Record<string, unknown> => !!x && typeof x === "object" && typeof (x as { slug?: unknown }).slug === "string" && (x as { slug: string }).slug !== "");
}

/** A Codex ModelInfo → catalog entry; the built-in entry fills what the upstream left out. */
export function fromModelInfo(info: Record<string, unknown>, known: CatalogModel | undefined, created: number): CatalogModel | undefined {
  const slug = typeof info.slug === "string" ? info.slug : undefined;
  if (!slug) return undefined;
  const levels = Array.isArray(info.supported_reasoning_levels) ? info.supported_reasoning_levels : undefined;
  let efforts: Effort[] | undefined;
  if (levels) {
    const set = new Set(levels.map((l) => normalizeEffort(typeof l === "string" ? l : (l as { effort?: string })?.effort)));
    efforts = EFFORT_ORDER.filter((e) => set.has(e));
  }
  const def = normalizeEffort(info.default_reasoning_level as string | undefined);
  const visibility = info.visibility === "list" || info.visibility === "hide" || info.visibility === "none" ? (info.visibility as Visibility) : (known?.visibility ?? "list");
  return {
    slug,
    displayName: typeof info.display_name === "string" && info.display_name ? info.display_name : (known?.displayName ?? slug),
    efforts: efforts && efforts.length ? efforts : known?.efforts,
    defaultEffort: def && (EFFORT_ORDER as readonly string[]).includes(def) ? (def as Effort) : known?.defaultEffort,
    contextWindow: typeof info.context_window === "number" ? info.context_window : (known?.contextWindow ?? 272_000),
    maxContextWindow: typeof info.max_context_window === "number" ? info.max_context_window : known?.maxContextWindow,
    visibility,
    created: known?.created ?? created,
    description: typeof info.description === "string" ? info.description : known?.description,
    responsesLite: typeof info.use_responses_lite === "boolean" ? info.use_responses_lite : known?.responsesLite,
  };
}
