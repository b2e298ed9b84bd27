/**
 * Chat tools / tool_choice → Codex (docs/clients.md C2.4), and the tool-name map every translator
 * of one request shares. Accepts both the Chat shape ({type:"function",function:{…}}) and the flat
 * Responses shape, because Responses bodies also arrive on the Chat endpoint.
 */
import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import { isRecord, isResponsesShaped } from "./inspect.ts";
import { buildToolNameMap, upstreamToolName, type ToolNameMap } from "./names.ts";

type Obj = Record<string, any>;

/**
 * The name map for one request, rebuilt from the original body alone (tools, legacy functions,
 * tool_choice and every tool name in the history), so the stream and non-stream sides can reverse
 * it without shared state. The pipeline stores it as `ctx.toolNames`.
 */
export function chatToolNameMap(body: unknown): ToolNameMap {
  const names: string[] = [];
  if (!isRecord(body)) return buildToolNameMap(names);
  const push = (n: unknown) => typeof n === "string" && n !== "" && names.push(n);
  for (const t of arr(body.tools)) {
    if (!isRecord(t)) continue;
    push(isRecord(t.function) ? t.function.name : isRecord(t.custom) ? t.custom.name : t.name);
  }
  for (const f of arr(body.functions)) if (isRecord(f)) push(f.name);
  const tc = body.tool_choice;
  if (isRecord(tc)) push(tc.function?.name ?? tc.custom?.name ?? tc.name);
  if (isRecord(body.function_call)) push(body.function_call.name);
  if (isResponsesShaped(body)) {
    for (const it of arr(body.input)) if (isRecord(it) && (it.type === "function_call" || it.type === "custom_tool_call")) push(it.name);
  } else {
    for (const m of arr(body.messages)) {
      if (!isRecord(m)) continue;
      for (const c of arr(m.tool_calls)) if (isRecord(c)) push(c.function?.name ?? c.custom?.name);
      if (isRecord(m.function_call)) push(m.function_call.name);
    }
  }
  return buildToolNameMap(names);
}

export interface MappedTools {
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  /** Client names of custom (freeform) tools, so history calls to them become custom_tool_call. */
  customNames: Set<string>;
}

export function mapTools(body: Obj, names: ToolNameMap): MappedTools {
  const customNames = new Set<string>();
  const tools: unknown[] = [];
  if (body.tools != null && !Array.isArray(body.tools)) throw badRequest("`tools` must be an array", "tools");
  arr(body.tools).forEach((t, i) => {
    const mapped = mapTool(t, `tools[${i}]`, names);
    if (mapped.type === "custom") customNames.add(clientNameOf(t));
    tools.push(mapped);
  });
  if (body.functions != null && !Array.isArray(body.functions)) throw badRequest("`functions` must be an array", "functions");
  arr(body.functions).forEach((f, i) => tools.push(functionTool(f, `functions[${i}]`, names)));
  if (isRecord(body.web_search_options) && !tools.some((t) => isRecord(t) && t.type === "web_search")) {
    tools.push({ type: "web_search" });
  }
  // Empty tools are rejected upstream (E39); tool_choice/parallel_tool_calls mean nothing without them.
  if (tools.length === 0) return { customNames };
  const choice = mapToolChoice(body.tool_choice ?? legacyChoice(body.function_call), names);
  return {
    tools,
    ...(choice !== undefined ? { tool_choice: choice } : {}),
    parallel_tool_calls: typeof body.parallel_tool_calls === "boolean" ? body.parallel_tool_calls : true,
    customNames,
  };
}

function clientNameOf(t: Obj): string {
  return t.custom?.name ?? t.name;
}

function mapTool(t: unknown, at: string, names: ToolNameMap): Obj {
  if (!isRecord(t)) throw badRequest(`\`${at}\` must be an object`, at);
  if (t.type === "function" || (t.type == null && isRecord(t.function))) {
    return functionTool(isRecord(t.function) ? t.function : t, at, names);
  }
  if (t.type === "custom") {
    const c = isRecord(t.custom) ? t.custom : t;
    if (typeof c.name !== "string" || c.name === "") throw badRequest(`\`${at}.custom.name\` is required`, `${at}.custom.name`);
    const out: Obj = { type: "custom", name: upstreamToolName(names, c.name) };
    if (typeof c.description === "string") out.description = c.description;
    if (c.format != null) out.format = c.format;
    return out;
  }
  if (typeof t.type === "string" && t.type.startsWith("web_search")) {
    // web_search_preview* are the old names of the built-in tool (docs/clients.md C2.4).
    const { type: _t, ...rest } = t;
    return { type: "web_search", ...rest };
  }
  if (typeof t.type !== "string") throw badRequest(`\`${at}.type\` is required`, `${at}.type`);
  // Other built-in Responses tools pass through; the backend decides whether it has them.
  return t;
}

function functionTool(f: unknown, at: string, names: ToolNameMap): Obj {
  if (!isRecord(f)) throw badRequest(`\`${at}\` must be an object`, at);
  if (typeof f.name !== "string" || f.name === "") throw badRequest(`\`${at}.function.name\` is required`, `${at}.function.name`);
  const out: Obj = { type: "function", name: upstreamToolName(names, f.name) };
  if (typeof f.description === "string") out.description = f.description;
  out.parameters = normalizeParameters(f.parameters);
  // Always explicit: strict:true imposes the strict-schema rules, so only the client may ask for it.
  out.strict = f.strict === true;
  return out;
}

/** Missing/partial schemas are completed the way the backend wants them (docs/clients.md C2.4). */
export function normalizeParameters(p: unknown): Obj {
  if (!isRecord(p)) return { type: "object", properties: {} };
  const out: Obj = { ...p };
  if (out.type == null) out.type = "object";
  if (out.type === "object" && !isRecord(out.properties)) out.properties = {};
  return out;
}

function legacyChoice(fc: unknown): unknown {
  if (fc == null) return undefined;
  if (typeof fc === "string") return fc;
  if (isRecord(fc) && typeof fc.name === "string") return { type: "function", function: { name: fc.name } };
  return undefined;
}

export function mapToolChoice(tc: unknown, names: ToolNameMap): unknown {
  if (tc == null) return undefined;
  if (typeof tc === "string") {
    if (!["auto", "none", "required"].includes(tc)) throw badRequest(`Unsupported tool_choice ${JSON.stringify(clip(tc))}`, "tool_choice");
    return tc;
  }
  if (!isRecord(tc)) throw badRequest("`tool_choice` must be a string or an object", "tool_choice");
  const nameOf = (o: Obj): string => {
    const n = o.function?.name ?? o.custom?.name ?? o.name;
    if (typeof n !== "string" || n === "") throw badRequest("`tool_choice` must name a tool", "tool_choice");
    return upstreamToolName(names, n);
  };
  switch (tc.type) {
    case "function":
      return { type: "function", name: nameOf(tc) };
    case "custom":
      return { type: "custom", name: nameOf(tc) };
    case "allowed_tools": {
      const a = isRecord(tc.allowed_tools) ? tc.allowed_tools : tc;
      return {
        type: "allowed_tools",
        mode: a.mode ?? "auto",
        tools: arr(a.tools).map((t) => (isRecord(t) && (t.type === "function" || t.type === "custom") ? { type: t.type, name: nameOf(t) } : t)),
      };
    }
    default:
      if (typeof tc.type === "string" && tc.type.startsWith("web_search")) return { type: "web_search" };
      return tc;
  }
}

function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}
