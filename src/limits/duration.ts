/**
 * Durations as OpenAI writes them in x-ratelimit-reset-*: "20ms", "1s", "1.5s", "6m0s", "1h2m3s".
 * Also used in error messages ("resets in 6m0s"), so clients and people read the same thing.
 */
export function openaiDuration(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1000) return `${v}ms`;
  if (v < 60_000) return `${Number((v / 1000).toFixed(3))}s`;
  let s = Math.ceil(v / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

/** Retry-After is whole seconds, rounded up, never 0 (a 0 invites an immediate retry). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
