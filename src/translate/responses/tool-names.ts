/**
 * Tool names the backend would refuse (over 64 characters, or characters outside
 * `[A-Za-z0-9_-]`, docs/protocol.md P2.7-8) on the Responses surface: shortened in the request by
 * the same deterministic map every surface uses, rebuilt from the request alone, and mapped back
 * in the answer (stream items, `function_call_arguments.done`, the terminal output, the non-stream
 * output). Requests whose names are all valid are left untouched.
 */
import { buildToolNameMap, type ToolNameMap } from "../chat/names.ts";
import { isRecord } from "./inspect.ts";

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;
const CALLS = new Set(["function_call", "custom_tool_call"]);

function namesIn(body: Record<string, any>): string[] {
  const names: string[] = [];
  const add = (n: unknown) => typeof n === "string" && n !== "" && names.push(n);
  for (const t of Array.isArray(body.tools) ? body.tools : []) if (isRecord(t) && (t.type === "function" || t.type === "custom")) add(t.name);
  if (isRecord(body.tool_choice)) add(body.tool_choice.name);
  for (const it of Array.isArray(body.input) ? body.input : []) if (isRecord(it) && CALLS.has(it.type)) add(it.name);
  return names;
}

/** The map for a Responses body, or undefined when every name is valid already (the common case). */
export function responsesToolNameMap(body: unknown): ToolNameMap | undefined {
  if (!isRecord(body)) return undefined;
  const names = namesIn(body);
  return names.some((n) => !VALID.test(n)) ? buildToolNameMap(names) : undefined;
}

const up = (map: ToolNameMap, n: unknown) => (typeof n === "string" ? (map.toUpstream.get(n) ?? n) : n);

/** Shortens the names of a normalized request in place (its tools, tool_choice and history calls are copies). */
export function shortenToolNames(out: Record<string, any>, map: ToolNameMap | undefined): void {
  if (!map) return;
  if (Array.isArray(out.tools)) out.tools = out.tools.map((t: any) => (isRecord(t) && (t.type === "function" || t.type === "custom") ? { ...t, name: up(map, t.name) } : t));
  if (isRecord(out.tool_choice) && typeof out.tool_choice.name === "string") out.tool_choice = { ...out.tool_choice, name: up(map, out.tool_choice.name) };
  for (const it of Array.isArray(out.input) ? out.input : []) if (isRecord(it) && CALLS.has(it.type)) it.name = up(map, it.name);
}

/** An output item as the client named its tool (a copy when it changes). */
export function clientToolItem<T>(item: T, map: ToolNameMap | undefined): T {
  if (!map || !isRecord(item) || !CALLS.has(item.type) || typeof item.name !== "string") return item;
  const name = map.toClient.get(item.name);
  return name === undefined || name === item.name ? item : ({ ...item, name } as T);
}

/** `response.function_call_arguments.done` may carry the name too. */
export function clientToolName(name: unknown, map: ToolNameMap | undefined): unknown {
  return map && typeof name === "string" ? (map.toClient.get(name) ?? name) : name;
}
