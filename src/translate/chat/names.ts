/**
 * Tool names and call ids the backend would reject, made acceptable in a reversible, deterministic
 * way (docs/protocol.md P2.7-7/8). Deterministic matters: the map is rebuilt from the request alone
 * on every turn, so history items and new tool definitions always agree (E10, E11, E21).
 */
import { sha256Hex } from "../../util/hash.ts";

/** A per-request bijection between client tool names and the names sent upstream. */
export interface ToolNameMap {
  toUpstream: ReadonlyMap<string, string>;
  toClient: ReadonlyMap<string, string>;
}

const VALID_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_NAME = 64;

/**
 * Build the map for a list of client names (order matters only for which long name gets `_1`).
 * Names that are already valid keep their identity and are reserved first, so a shortened name can
 * never take the place of a real one.
 */
export function buildToolNameMap(names: Iterable<string>): ToolNameMap {
  const unique = [...new Set(names)];
  const toUpstream = new Map<string, string>();
  const toClient = new Map<string, string>();
  const used = new Set<string>();
  for (const name of unique) {
    if (VALID_NAME.test(name)) {
      used.add(name);
      toUpstream.set(name, name);
      toClient.set(name, name);
    }
  }
  for (const name of unique) {
    if (toUpstream.has(name)) continue;
    const short = dedupe(candidate(name), used);
    used.add(short);
    toUpstream.set(name, short);
    toClient.set(short, name);
  }
  return { toUpstream, toClient };
}

function candidate(name: string): string {
  let c = name.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (c.length > MAX_NAME && c.startsWith("mcp__")) {
    // Claude Code / MCP style: mcp__<server>__<tool>; the tool segment is the meaningful part.
    const last = c.slice(c.lastIndexOf("__") + 2);
    if (last) c = `mcp__${last}`;
  }
  if (c.length > MAX_NAME) c = c.slice(0, MAX_NAME);
  return c || "tool";
}

function dedupe(base: string, used: Set<string>): string {
  if (!used.has(base)) return base;
  for (let n = 1; ; n++) {
    const suffix = `_${n}`;
    const c = base.slice(0, MAX_NAME - suffix.length) + suffix;
    if (!used.has(c)) return c;
  }
}

export function upstreamToolName(map: ToolNameMap | undefined, name: string): string {
  return map?.toUpstream.get(name) ?? name;
}

export function clientToolName(map: ToolNameMap | undefined, name: string): string {
  return map?.toClient.get(name) ?? name;
}

/**
 * Call ids longer than 64 chars (Cursor) are rejected upstream. Shorten deterministically (first 47
 * chars + "_" + 16 hex of sha256, as CLIProxyAPI does) so a call and its output still pair. The
 * model never echoes old ids, so no reverse map is needed.
 */
export function upstreamCallId(id: string): string {
  if (id.length <= 64) return id;
  return `${id.slice(0, 47)}_${sha256Hex(id).slice(0, 16)}`;
}

/** A stable UUID-shaped key from arbitrary text (prompt cache keys must not leak raw user ids). */
export function stableUuid(s: string): string {
  const h = sha256Hex(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
