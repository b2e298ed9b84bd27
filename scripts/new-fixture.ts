/**
 * Turn one recording (`serve --record DIR` writes DIR/<stamp>/{request.codex.json, upstream.sse,
 * meta.json}) into a replay fixture case under tests/fixtures/<name>/:
 *
 *   bun scripts/new-fixture.ts DIR/<stamp> <name> [--notes "…"] [--surfaces responses,chat,anthropic,gemini] [--force]
 *
 * upstream.sse is copied byte for byte. One client request per surface is derived from the recorded
 * Codex request (its tools, reasoning summary setting and first user text), so each surface's
 * reducer gets the context it would have had. Then run `UPDATE_FIXTURES=1 bun test tests/replay`
 * and review the new expected files before committing them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "../src/cli/args.ts";
import { KNOWN_EVENT_TYPES } from "../src/codex/events.ts";
import { redact } from "../src/record/recorder.ts";
import { parseEventData, SseParser } from "../src/upstream/sse.ts";

type Obj = Record<string, any>;
const SURFACES = ["responses", "chat", "anthropic", "gemini"] as const;
type SurfaceId = (typeof SURFACES)[number];

const FIXTURES = resolve(import.meta.dir, "..", "tests", "fixtures");

function fail(message: string): never {
  console.error(`new-fixture: ${message}`);
  process.exit(1);
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first user text of the recorded input (the prompt; it does not change the replayed answer). */
function promptOf(codex: Obj): string {
  for (const item of Array.isArray(codex.input) ? codex.input : []) {
    if (!isObj(item) || item.role !== "user") continue;
    const parts = typeof item.content === "string" ? [{ text: item.content }] : Array.isArray(item.content) ? item.content : [];
    const text = parts.map((p: Obj) => (typeof p?.text === "string" ? p.text : "")).join("").trim();
    if (text && !text.startsWith("<environment_context>")) return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
  return "(recorded request)";
}

interface Tools {
  functions: { name: string; description?: string; parameters: Obj }[];
  custom: Obj[];
  webSearch: boolean;
  /** Other built-ins (image_generation, …): only Responses and Chat bodies can carry them. */
  builtins: Obj[];
}

function toolsOf(codex: Obj): Tools {
  const t: Tools = { functions: [], custom: [], webSearch: false, builtins: [] };
  for (const tool of Array.isArray(codex.tools) ? codex.tools : []) {
    if (!isObj(tool)) continue;
    if (tool.type === "function" && typeof tool.name === "string") {
      t.functions.push({ name: tool.name, ...(typeof tool.description === "string" ? { description: tool.description } : {}), parameters: isObj(tool.parameters) ? tool.parameters : { type: "object", properties: {} } });
    } else if (tool.type === "custom") t.custom.push(tool);
    else if (typeof tool.type === "string" && tool.type.startsWith("web_search")) t.webSearch = true;
    else t.builtins.push(tool);
  }
  return t;
}

/** Responses custom-tool format (`{type:"grammar", syntax, definition}`) in Chat's shape (`grammar: {…}`). */
function chatFormat(f: Obj): Obj {
  if (f.type !== "grammar" || isObj(f.grammar)) return f;
  const { type, ...grammar } = f;
  return { type, grammar };
}

/** Client requests that make each surface's translator produce (nearly) the recorded tools. */
function requests(codex: Obj, surfaces: SurfaceId[]): Partial<Record<SurfaceId, Obj>> {
  const prompt = promptOf(codex);
  const tools = toolsOf(codex);
  const summaries = isObj(codex.reasoning) && typeof codex.reasoning.summary === "string" && codex.reasoning.summary !== "none";
  const model = typeof codex.model === "string" ? codex.model : "gpt-5.5";
  const out: Partial<Record<SurfaceId, Obj>> = {};
  for (const s of surfaces) {
    if (s === "responses") {
      const all = [...tools.functions.map((f) => ({ type: "function", ...f, strict: false })), ...tools.custom, ...(tools.webSearch ? [{ type: "web_search" }] : []), ...tools.builtins];
      out.responses = { model, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: prompt }] }], stream: true, store: false, include: ["reasoning.encrypted_content"], ...(all.length ? { tools: all } : {}), ...(summaries ? { reasoning: { summary: "auto" } } : {}) };
    } else if (s === "chat") {
      const all = [
        ...tools.functions.map((f) => ({ type: "function", function: f })),
        ...tools.custom.map((c) => ({ type: "custom", custom: { name: c.name, ...(c.description ? { description: c.description } : {}), ...(c.format ? { format: chatFormat(c.format) } : {}) } })),
        ...tools.builtins,
      ];
      out.chat = { model, messages: [{ role: "user", content: prompt }], stream: true, stream_options: { include_usage: true }, ...(all.length ? { tools: all } : {}), ...(tools.webSearch ? { web_search_options: {} } : {}) };
    } else if (s === "anthropic") {
      const all = [...tools.functions.map((f) => ({ name: f.name, ...(f.description ? { description: f.description } : {}), input_schema: f.parameters })), ...(tools.webSearch ? [{ type: "web_search_20250305", name: "web_search" }] : [])];
      out.anthropic = { model: "claude-sonnet-4-6", max_tokens: 8192, messages: [{ role: "user", content: prompt }], stream: true, ...(all.length ? { tools: all } : {}), ...(summaries ? { thinking: { type: "enabled", budget_tokens: 4096 } } : {}) };
    } else {
      const decls = tools.functions.map((f) => ({ name: f.name, ...(f.description ? { description: f.description } : {}), parametersJsonSchema: f.parameters }));
      const all = [...(decls.length ? [{ functionDeclarations: decls }] : []), ...(tools.webSearch ? [{ googleSearch: {} }] : [])];
      out.gemini = { contents: [{ role: "user", parts: [{ text: prompt }] }], ...(all.length ? { tools: all } : {}), ...(summaries ? { generationConfig: { thinkingConfig: { includeThoughts: true } } } : {}) };
    }
  }
  return out;
}

function main(): void {
  const { flags, positionals } = parseArgs(process.argv.slice(2), { string: ["notes", "surfaces"], boolean: ["force"] });
  if (flags.help || positionals.length !== 2) {
    console.log("usage: bun scripts/new-fixture.ts <recording-dir> <case-name> [--notes TEXT] [--surfaces responses,chat,anthropic,gemini] [--force]");
    process.exit(flags.help ? 0 : 2);
  }
  const [from, name] = positionals as [string, string];
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) fail(`case name ${JSON.stringify(name)}: use lowercase letters, digits and dashes`);
  const sse = join(from, "upstream.sse");
  const reqFile = join(from, "request.codex.json");
  if (!existsSync(sse) || !existsSync(reqFile)) fail(`${from} is not a recording (needs upstream.sse and request.codex.json; point at DIR/<stamp>)`);
  const meta: Obj = existsSync(join(from, "meta.json")) ? JSON.parse(readFileSync(join(from, "meta.json"), "utf8")) : {};
  if (typeof meta.status === "number" && meta.status !== 200) fail(`the recorded upstream answered HTTP ${meta.status}: not a stream to replay`);
  if (meta.path && meta.path !== "/responses") fail(`recorded path ${meta.path}: only /responses streams are replayed`);

  const bytes = readFileSync(sse);
  if (bytes.byteLength === 0) fail("upstream.sse is empty");
  // The recorder already redacts; refuse anything that still looks like a token.
  const text = bytes.toString("utf8");
  if (redact(text, []) !== text) fail("upstream.sse still contains something that looks like a token or key; redact it first");

  const surfaces = typeof flags.surfaces === "string" ? (flags.surfaces.split(",").map((s) => s.trim()) as SurfaceId[]) : [...SURFACES];
  for (const s of surfaces) if (!SURFACES.includes(s)) fail(`unknown surface ${JSON.stringify(s)} (one of ${SURFACES.join(", ")})`);

  const dir = join(FIXTURES, name);
  if (existsSync(dir) && !flags.force) fail(`${dir} exists (use --force to overwrite its inputs)`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "upstream.sse"), bytes);
  const codex = JSON.parse(readFileSync(reqFile, "utf8"));
  const caseJson: Obj = {
    notes: typeof flags.notes === "string" ? flags.notes : "Recorded from live traffic.",
    source: `recording ${basename(resolve(from))} (${meta.model ?? codex.model ?? "unknown model"})`,
  };
  // The replay lint checks these against the stream: record what this one has.
  const parser = new SseParser();
  const events = [...parser.push(bytes), ...parser.end()].map((r) => parseEventData(r.data)).filter((e): e is Obj & { type: string } => e !== undefined);
  if (events.some((e) => typeof e.sequence_number !== "number")) caseJson.sequenceNumbers = false;
  const unknown = events.filter((e) => !KNOWN_EVENT_TYPES.has(e.type)).map((e) => e.type);
  if (unknown.length) caseJson.unknownEvents = unknown;
  writeFileSync(join(dir, "case.json"), JSON.stringify(caseJson, null, 2) + "\n");
  for (const [s, body] of Object.entries(requests(codex, surfaces))) writeFileSync(join(dir, `${s}.request.json`), JSON.stringify(body, null, 2) + "\n");

  console.log(`wrote ${dir}`);
  console.log("next: UPDATE_FIXTURES=1 bun test tests/replay   then review the new *.expected files (git diff / git status)");
}

main();
