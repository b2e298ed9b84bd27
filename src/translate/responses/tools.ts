/**
 * Tool normalization for Responses bodies (docs/clients.md C4.1):
 * - `web_search_preview*` is the old name of the hosted `web_search` tool (also in tool_choice);
 * - a `function_call` / `custom_tool_call` in the history whose tool is not in `tools` gets a
 *   minimal definition, as the seed gateway does, so a second turn that omits `tools` (the seed's
 *   `list(limit, offset)` example) is still accepted. Parameters are derived from the call's
 *   arguments JSON.
 */
import type { CodexItem } from "../../codex/types.ts";
import { isRecord } from "./inspect.ts";

const WEB_SEARCH_PREVIEW = /^web_search_preview(_\d{4}_\d{2}_\d{2})?$/;

export function normalizeToolType<T>(tool: T): T {
  if (isRecord(tool) && typeof tool.type === "string" && WEB_SEARCH_PREVIEW.test(tool.type)) return { ...tool, type: "web_search" } as T;
  return tool;
}

/** Names a tools list defines, including namespaced and `tool_search`-loaded ones. */
function definedNames(tools: unknown[], input: CodexItem[]): { functions: Set<string>; custom: Set<string>; namespaces: Set<string> } {
  const functions = new Set<string>();
  const custom = new Set<string>();
  const namespaces = new Set<string>();
  const visit = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const t of list) {
      if (!isRecord(t) || typeof t.name !== "string") continue;
      if (t.type === "custom") custom.add(t.name);
      else if (t.type === "namespace") {
        namespaces.add(t.name);
        visit(t.tools);
      } else functions.add(t.name);
    }
  };
  visit(tools);
  // Tools loaded in the conversation itself (deferred loading, Responses Lite) are defined too.
  for (const it of input) if (it.type === "tool_search_output" || it.type === "additional_tools") visit(it.tools);
  return { functions, custom, namespaces };
}

/** Minimal definitions for tools the history calls but `tools` lacks (first call wins). */
export function missingToolDefinitions(tools: unknown[], input: CodexItem[]): Record<string, unknown>[] {
  const defined = definedNames(tools, input);
  const added: Record<string, unknown>[] = [];
  const addedNames = new Set<string>();
  for (const it of input) {
    if (it.type !== "function_call" && it.type !== "custom_tool_call") continue;
    const name = typeof it.name === "string" ? it.name : "";
    if (!name || addedNames.has(name)) continue;
    if (typeof it.namespace === "string" && defined.namespaces.has(it.namespace)) continue;
    if (it.type === "function_call") {
      if (defined.functions.has(name)) continue;
      added.push({ type: "function", name, description: "", parameters: parametersFromArguments(it.arguments), strict: false });
    } else {
      if (defined.custom.has(name) || defined.functions.has(name)) continue;
      added.push({ type: "custom", name, description: "" });
    }
    addedNames.add(name);
  }
  return added;
}

/** A loose JSON schema for the object a call's arguments hold (`{"limit":20}` → integer limit). */
export function parametersFromArguments(args: unknown): Record<string, unknown> {
  let value: unknown = args;
  if (typeof args === "string") {
    try {
      value = JSON.parse(args);
    } catch {
      value = undefined;
    }
  }
  const schema = isRecord(value) ? schemaOf(value, 0) : undefined;
  return schema ?? { type: "object", properties: {} };
}

function schemaOf(v: unknown, depth: number): Record<string, unknown> {
  if (typeof v === "string") return { type: "string" };
  if (typeof v === "boolean") return { type: "boolean" };
  if (typeof v === "number") return { type: Number.isInteger(v) ? "integer" : "number" };
  if (Array.isArray(v)) return v.length && depth < 8 ? { type: "array", items: schemaOf(v[0], depth + 1) } : { type: "array" };
  if (isRecord(v)) {
    if (depth >= 8) return { type: "object" };
    const properties: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) properties[k] = schemaOf(x, depth + 1);
    return { type: "object", properties };
  }
  return {};
}
