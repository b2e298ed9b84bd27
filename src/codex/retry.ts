/**
 * The delay a Codex message asks for: "Please try again in 11.054s" / "in 250ms" / "in 3 seconds"
 * (rate_limit_exceeded). The one parser for every caller (failover cooldowns, the 429 each client
 * format sends). Units: ms | s | sec | secs | second | seconds, any case; no unit means seconds.
 */
const TRY_AGAIN = /try again in\s*([\d.]+)\s*(ms|seconds?|secs?|s)?/i;

function tryAgainIn(message: string): { n: number; ms: boolean } | undefined {
  const m = TRY_AGAIN.exec(message);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? { n, ms: m[2]?.toLowerCase() === "ms" } : undefined;
}

/** Seconds, or undefined when the message names no delay. */
export function retryAfterSeconds(message: string): number | undefined {
  const d = tryAgainIn(message);
  return d && (d.ms ? d.n / 1000 : d.n);
}

/** Milliseconds, or undefined when the message names no delay. */
export function tryAgainInMs(message: string): number | undefined {
  const d = tryAgainIn(message);
  return d && (d.ms ? d.n : d.n * 1000);
}
