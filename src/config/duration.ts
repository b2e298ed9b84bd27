const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15s` → 15000. A bare number means seconds. Throws on anything else. */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") return Math.round(value * 1000);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!m) throw new Error(`not a duration: ${JSON.stringify(value)} (use 500ms, 15s, 2m, 1h or 1d)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}

export function durationOr(value: string | number | undefined, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value);
}
