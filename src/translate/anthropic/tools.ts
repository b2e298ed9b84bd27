/**
 * Anthropic tools and tool_choice → Codex (docs/clients.md C5.4, C6.11).
 */
import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import type { ToolNameMap } from "./names.ts";
import { isRecord, nonEmptyString } from "./util.ts";
import { strictCompatible } from "../strict-schema.ts";

export interface CodexTools {
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
}

/** Server tools with no Codex equivalent (Claude Code defines Bash/Edit/… as custom tools instead). */
const isWebSearch = (t: Record<string, any>) => typeof t.type === "string" && t.type.startsWith("web_search_");
const isCustom = (t: Record<string, any>) => t.type == null || t.type === "custom";

/**
 * Names a deferred tool is "loaded" by: Claude Code's ToolSearch answers with `tool_reference`
 * blocks, and a tool that was already called is obviously in use.
 */
function loadedToolNames(messages: unknown[]): Set<string> {
  const loaded = new Set<string>();
  const visit = (blocks: unknown) => {
    if (!Array.isArray(blocks)) return;
    for (const b of blocks) {
      if (!isRecord(b)) continue;
      if (b.type === "tool_reference" && nonEmptyString(b.tool_name)) loaded.add(b.tool_name);
      else if (b.type === "tool_use" && nonEmptyString(b.name)) loaded.add(b.name);
      else if (b.type === "tool_result") visit(b.content);
    }
  };
  for (const m of messages) if (isRecord(m)) visit(m.content);
  return loaded;
}

/**
 * `input_schema` → `parameters`: `$schema` removed (draft-07 and 2020-12 markers alike), missing
 * schema or type ⇒ object, object without properties ⇒ `{}` (docs/clients.md C2.4). The rest of the schema is kept
 * as is (strict is off, so 2020-12 keywords such as `$defs` are tolerated).
 */
export function toolParameters(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema)) return { type: "object", properties: {} };
  const { $schema: _drop, ...rest } = schema;
  if (rest.type == null) rest.type = "object";
  if (rest.type === "object" && !isRecord(rest.properties)) rest.properties = {};
  return rest;
}

export function convertTools(body: Record<string, any>, names: ToolNameMap): CodexTools {
  const defs: unknown[] = Array.isArray(body.tools) ? body.tools : [];
  const loaded = defs.some((t) => isRecord(t) && t.defer_loading === true) ? loadedToolNames(body.messages) : new Set<string>();
  const tools: Record<string, unknown>[] = [];
  const declared = new Map<string, Record<string, unknown>>(); // client name → Codex tool
  for (const t of defs) {
    if (!isRecord(t)) continue;
    // defer_loading (Anthropic tool search): hidden until ToolSearch references it, as Anthropic does;
    // the flag itself is never forwarded. Keeps the prompt (and its cache prefix) small (docs/clients.md C6.11).
    if (t.defer_loading === true && !loaded.has(t.name)) continue;
    let out: Record<string, unknown> | undefined;
    if (isWebSearch(t)) {
      out = { type: "web_search" };
      if (Array.isArray(t.allowed_domains)) out.filters = { allowed_domains: t.allowed_domains };
      if (isRecord(t.user_location)) out.user_location = t.user_location;
    } else if (isCustom(t)) {
      out = { type: "function", name: names.toUpstream.get(t.name) ?? t.name };
      if (typeof t.description === "string") out.description = t.description;
      out.parameters = toolParameters(t.input_schema);
      // Strict only when the upstream's strict mode accepts the schema (optional properties it refuses).
      out.strict = t.strict === true && strictCompatible(out.parameters);
    }
    // Other Anthropic-defined types (bash_*, text_editor_*, computer_*, code_execution_*, memory_*,
    // web_fetch_*, tool_search_*) have no Codex equivalent: dropped rather than refused.
    if (!out) continue;
    tools.push(out);
    declared.set(t.name, out);
  }
  if (tools.length === 0) return {}; // empty tools:[] is rejected (E39)

  const tc = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  const parallel = tc?.disable_parallel_tool_use !== true;
  switch (tc?.type) {
    case "none":
      return { tools, tool_choice: "none" };
    case "any":
      return { tools, tool_choice: "required", parallel_tool_calls: parallel };
    case "tool": {
      const target = declared.get(tc.name);
      if (!target) throw badRequest(`tool_choice.name: no usable tool named "${clip(tc.name)}" in tools`, "tool_choice.name");
      const choice = target.type === "web_search" ? { type: "web_search" } : { type: "function", name: target.name };
      return { tools, tool_choice: choice, parallel_tool_calls: parallel };
    }
    default:
      return { tools, tool_choice: "auto", parallel_tool_calls: parallel };
  }
}
