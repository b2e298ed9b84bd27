/**
 * Reasoning efforts, in the order the Codex backend ranks them (docs/protocol.md P8.2). `ultra` is a
 * client-side name: the CLI sends it as `max` on the wire, so the gateway does the same.
 */
export const EFFORT_ORDER = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORT_ORDER)[number];

/** Every word accepted as a model-name suffix (`gpt-5-high`), longest first so `-xhigh` wins over `-high`. */
export const EFFORT_SUFFIXES = ["minimal", "medium", "xhigh", "ultra", "none", "high", "low", "max"] as const;

const RANK = new Map<string, number>(EFFORT_ORDER.map((e, i) => [e, i]));

/** Lower-cased, trimmed, `ultra` → `max`; empty → undefined. Unknown words are kept (the upstream decides). */
export function normalizeEffort(effort: string | undefined | null): string | undefined {
  if (typeof effort !== "string") return undefined;
  const e = effort.trim().toLowerCase();
  if (e === "") return undefined;
  return e === "ultra" ? "max" : e;
}

/** Position in EFFORT_ORDER, or -1 for a word the gateway does not know. */
export function effortRank(effort: string): number {
  return RANK.get(effort) ?? -1;
}

export function isEffort(effort: string): effort is Effort {
  return RANK.has(effort);
}

/**
 * The accepted effort nearest to `target` (by rank distance). Ties go to the higher effort: a
 * client that asked for more thinking than a model offers below should not silently get less
 * (e.g. a model accepting only low and high turns medium into high). Returns undefined when the
 * target is unknown or nothing is accepted.
 */
export function nearestEffort(target: string, accepted: readonly string[]): string | undefined {
  const t = effortRank(target);
  if (t < 0) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of accepted) {
    const r = effortRank(a);
    if (r < 0) continue;
    const d = Math.abs(r - t);
    if (d < bestDistance || (d === bestDistance && best !== undefined && r > effortRank(best))) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

/** Clamp into [min, max] by rank; unknown words are left alone. */
export function boundEffort(effort: string, min?: string, max?: string): string {
  const r = effortRank(effort);
  if (r < 0) return effort;
  const lo = min ? normalizeEffort(min) : undefined;
  const hi = max ? normalizeEffort(max) : undefined;
  if (lo && effortRank(lo) >= 0 && r < effortRank(lo)) return lo;
  if (hi && effortRank(hi) >= 0 && r > effortRank(hi)) return hi;
  return effort;
}
