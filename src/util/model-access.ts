import { anyMatch } from "./glob.ts";

/**
 * A key's `models.allow` / `models.deny` for one request. Both judge the resolved upstream model;
 * the name the client sent may only narrow (a deny on it refuses) and never widen: a key allowed
 * `*-mini*` asking for `gpt-5.5-minimal` is asking for gpt-5.5, and is refused. One function, so
 * admission and the key's model list agree.
 */
export function modelPermitted(allow: readonly string[] | undefined, deny: readonly string[] | undefined, upstream: string, requested: string): boolean {
  if (anyMatch(deny, upstream, requested)) return false;
  if (allow && allow.length) return anyMatch(allow, upstream);
  return true;
}
