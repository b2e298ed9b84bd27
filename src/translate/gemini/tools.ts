import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import { field, isObject } from "./fields.ts";
import { cleanJsonSchema, geminiSchemaToJson, toolParametersRoot } from "./schema.ts";
import { buildToolNames, type ToolNameMap } from "./toolnames.ts";

/** `tools` and `toolConfig` → Codex `tools` / `tool_choice` (docs/clients.md C10.8). */

export interface Declaration {
  name: string;
  description?: string;
  parameters: Record<string, any>;
}

export interface GeminiTools {
  declarations: Declaration[];
  webSearch: boolean;
}

/** Built-in tools the backend cannot serve. urlContext must fail loudly: Gemini CLI's web-fetch then falls back to fetching locally. */
const UNSUPPORTED = ["urlContext", "codeExecution", "computerUse", "fileSearch", "googleMaps", "mcpServers", "retrieval", "enterpriseWebSearch"];

export function readTools(body: Record<string, any>): GeminiTools {
  const tools = field(body, "tools");
  const out: GeminiTools = { declarations: [], webSearch: false };
  if (tools === undefined || tools === null) return out;
  if (!Array.isArray(tools)) throw badRequest("tools must be an array", "tools");
  tools.forEach((tool: unknown, ti: number) => {
    if (!isObject(tool)) throw badRequest(`tools[${ti}] must be an object`, `tools[${ti}]`);
    for (const name of UNSUPPORTED) {
      if (field(tool, name) !== undefined) throw badRequest(`tools[${ti}].${name}: the ${name} tool is not supported by this gateway`, `tools[${ti}].${name}`);
    }
    if (field(tool, "googleSearch") !== undefined || field(tool, "googleSearchRetrieval") !== undefined) out.webSearch = true;
    const decls = field(tool, "functionDeclarations");
    if (decls === undefined || decls === null) return;
    if (!Array.isArray(decls)) throw badRequest(`tools[${ti}].functionDeclarations must be an array`, `tools[${ti}].functionDeclarations`);
    decls.forEach((d: unknown, di: number) => {
      const where = `tools[${ti}].functionDeclarations[${di}]`;
      if (!isObject(d)) throw badRequest(`${where} must be an object`, where);
      if (typeof d.name !== "string" || d.name === "") throw badRequest(`${where}.name must be a non-empty string`, `${where}.name`);
      const json = field(d, "parametersJsonSchema");
      const gem = d.parameters;
      // parametersJsonSchema wins: the API treats the two as mutually exclusive.
      const parameters = json !== undefined && json !== null
        ? toolParametersRoot(cleanJsonSchema(json))
        : gem !== undefined && gem !== null
          ? toolParametersRoot(geminiSchemaToJson(gem))
          : { type: "object", properties: {} };
      const decl: Declaration = { name: d.name, parameters };
      if (typeof d.description === "string") decl.description = d.description;
      out.declarations.push(decl);
    });
  });
  return out;
}

export function toolNamesFor(tools: GeminiTools): ToolNameMap {
  return buildToolNames(tools.declarations.map((d) => d.name));
}

export interface ToolSelection {
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
}

export function selectTools(body: Record<string, any>, tools: GeminiTools, names: ToolNameMap): ToolSelection {
  let fns = tools.declarations.map((d) => {
    const t: Record<string, unknown> = { type: "function", name: names.toUpstream(d.name) };
    if (d.description !== undefined) t.description = d.description;
    t.parameters = d.parameters;
    t.strict = false; // an omitted strict means strict mode upstream, which 400s on most schemas
    return t;
  });
  let web = tools.webSearch;

  const cfg = field(field(body, "toolConfig"), "functionCallingConfig");
  if (cfg !== undefined && cfg !== null && !isObject(cfg)) throw badRequest("toolConfig.functionCallingConfig must be an object", "toolConfig.functionCallingConfig");
  const mode = typeof cfg?.mode === "string" ? cfg.mode.toUpperCase() : "MODE_UNSPECIFIED";
  const allowedRaw = field(cfg, "allowedFunctionNames");
  if (allowedRaw !== undefined && allowedRaw !== null && (!Array.isArray(allowedRaw) || allowedRaw.some((n) => typeof n !== "string"))) {
    throw badRequest("toolConfig.functionCallingConfig.allowedFunctionNames must be an array of strings", "toolConfig.functionCallingConfig.allowedFunctionNames");
  }
  const allowed: string[] = Array.isArray(allowedRaw) ? allowedRaw.map((n: string) => names.toUpstream(n)) : [];

  let choice: unknown;
  switch (mode) {
    case "AUTO":
      choice = "auto";
      break;
    case "NONE":
      choice = "none"; // tools kept so the prompt-cache prefix stays the same
      break;
    case "ANY":
      if (allowed.length === 1) choice = { type: "function", name: allowed[0] };
      else {
        choice = "required";
        if (allowed.length > 1) [fns, web] = [fns.filter((t) => allowed.includes(t.name as string)), false];
      }
      break;
    case "VALIDATED":
      choice = "auto";
      if (allowed.length) [fns, web] = [fns.filter((t) => allowed.includes(t.name as string)), false];
      break;
    case "MODE_UNSPECIFIED":
      break;
    default:
      throw badRequest(`Invalid toolConfig.functionCallingConfig.mode "${clip(cfg.mode)}"`, "toolConfig.functionCallingConfig.mode");
  }
  const all: unknown[] = web ? [...fns, { type: "web_search" }] : fns;
  if (!all.length) return {};
  const out: ToolSelection = { tools: all };
  if (choice !== undefined) out.tool_choice = choice;
  out.parallel_tool_calls = true;
  return out;
}
