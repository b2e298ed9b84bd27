import { sha256Hex } from "../../util/hash.ts";

/**
 * Gemini function names allow `.` and `:` and up to 128 chars; Codex allows
 * `^[A-Za-z0-9_-]{1,64}$` (docs/clients.md C10.8). The map is rebuilt from one request's declarations
 * alone, so the stream side can reverse it without shared state.
 */
export interface ToolNameMap {
  toUpstream(clientName: string): string;
  /** upstream name → client name, for every declared (and history-only) name. */
  reverse: Record<string, string>;
}

const MAX = 64;

/** Replace illegal characters; hash over-long names so distinct names stay distinct. */
export function sanitizeToolName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_-]/g, "_");
  if (s === "") s = "tool";
  if (s.length > MAX) s = `${s.slice(0, 55)}_${sha256Hex(name).slice(0, 8)}`;
  return s;
}

export function buildToolNames(declared: string[]): ToolNameMap {
  const forward = new Map<string, string>();
  const reverse: Record<string, string> = {};
  const used = new Set<string>();
  const add = (name: string): string => {
    const known = forward.get(name);
    if (known !== undefined) return known;
    const base = sanitizeToolName(name);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) {
      const suffix = `_${n}`;
      candidate = base.slice(0, MAX - suffix.length) + suffix;
    }
    used.add(candidate);
    forward.set(name, candidate);
    reverse[candidate] = name;
    return candidate;
  };
  for (const name of declared) add(name);
  return { toUpstream: add, reverse };
}
