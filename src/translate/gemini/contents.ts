import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { field, isObject } from "./fields.ts";
import { sha256Hex } from "../../util/hash.ts";
import { fileDataPart, inlineDataPart, mediaResolutionDetail, type CodexPart, type Detail } from "./media.ts";
import { decodeSignature } from "./signature.ts";
import type { ToolNameMap } from "./toolnames.ts";

/**
 * `contents` → Codex `input` items (docs/clients.md C10.4, C10.6, C10.7): roles, text/media grouping,
 * deterministic call ids, response pairing (id first, then FIFO per name), repairs of histories
 * whose call and response counts do not match, and thought signatures → reasoning items.
 */
export type Repair = "lenient" | "strict";

export interface ContentsOptions {
  names: ToolNameMap;
  detail: Detail;
  repair: Repair;
}

interface Call {
  id: string;
  name: string;
  item: CodexItem;
}

const COUNT_MISMATCH =
  "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
const NO_RESULT = "[no result was returned for this tool call]";
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Ids longer than 64 chars or with other characters get a stable hash (same for call and response). */
export function normalizeCallId(id: string): string {
  return CALL_ID.test(id) ? id : `gcall_${sha256Hex(id).slice(0, 24)}`;
}

export function contentsToInput(contents: any[], opts: ContentsOptions): CodexItem[] {
  const conversion = new ContentsInput(opts, prescanIds(contents));
  contents.forEach((content: any, ci: number) => {
    const role = mapRole(content.role);
    if (role === "assistant") conversion.modelTurn(content.parts, ci);
    else conversion.userTurn(content.parts, role, ci);
  });
  return conversion.finish();
}

/** One conversion: the input built so far and the function calls still waiting for a response. */
class ContentsInput {
  private readonly input: CodexItem[] = [];
  private readonly callIds = new Set<string>();
  /** Calls of the latest model turns that no response has answered yet. */
  private pending: Call[] = [];
  /** Calls whose batch closed without a response: each gets a synthetic one at the end. */
  private readonly unanswered: Call[] = [];
  /** Encrypted reasoning already in the input (a signature is replayed once). */
  private readonly seenReasoning = new Set<string>();

  constructor(
    private readonly opts: ContentsOptions,
    /** Every explicit id in the request, so generated ids never collide with them. */
    private readonly usedIds: Set<string>,
  ) {}

  /** A model turn: text grouped into assistant messages, function calls, signatures → reasoning items. */
  modelTurn(parts: any[], ci: number): void {
    const { input, pending, seenReasoning } = this;
    let group: CodexPart[] = [];
    const flush = () => {
      if (group.length) input.push({ type: "message", role: "assistant", content: group });
      group = [];
    };
    parts.forEach((part, pi) => {
      const where = `contents[${ci}].parts[${pi}]`;
      const encrypted = decodeSignature(field(part, "thoughtSignature")).filter((e) => !seenReasoning.has(e));
      if (encrypted.length) {
        flush();
        for (const e of encrypted) {
          seenReasoning.add(e);
          input.push({ type: "reasoning", summary: [], encrypted_content: e });
        }
      }
      if (part.thought === true) return; // hidden thoughts are never replayed as answers
      const text = partText(part, where);
      if (text !== undefined) {
        if (text !== "") group.push({ type: "output_text", text });
        return;
      }
      const fc = field(part, "functionCall");
      if (fc !== undefined) {
        flush();
        const call = callItem(fc, ci, pi, `${where}.functionCall`, this.opts.names, this.usedIds, this.callIds);
        input.push(call.item);
        pending.push(call);
        return;
      }
      if (field(part, "functionResponse") !== undefined) {
        throw badRequest(`${where}.functionResponse: function responses belong to user turns, not model turns`, `${where}.functionResponse`);
      }
      // inlineData / fileData in model turns: assistant messages carry no media upstream.
    });
    flush();
  }

  /** A user (or system) turn: function responses first, then one message of its text and media. */
  userTurn(parts: any[], role: "user" | "developer", ci: number): void {
    const { opts } = this;
    const outputs: CodexItem[] = [];
    const message: CodexPart[] = [];
    let carriesText = false;
    parts.forEach((part, pi) => {
      const where = `contents[${ci}].parts[${pi}]`;
      if (part.thought === true) return;
      const text = partText(part, where);
      if (text !== undefined) {
        if (text !== "") {
          message.push({ type: "input_text", text });
          carriesText = true;
        }
        return;
      }
      const fr = field(part, "functionResponse");
      if (fr !== undefined) return this.functionResponse(part, fr, `${where}.functionResponse`, outputs, message);
      if (field(part, "functionCall") !== undefined) {
        throw badRequest(`${where}.functionCall: function calls belong to model turns, not user turns`, `${where}.functionCall`);
      }
      const inline = field(part, "inlineData");
      if (inline !== undefined) {
        message.push(inlineDataPart(inline, partDetail(part, opts.detail), `${where}.inlineData`));
        return;
      }
      const file = field(part, "fileData");
      if (file !== undefined) message.push(fileDataPart(file, partDetail(part, opts.detail), `${where}.fileData`));
    });
    this.input.push(...outputs);
    if (message.length) this.input.push({ type: "message", role, content: message });
    if (carriesText) this.closePending();
  }

  /** Pairs a response with a pending call (id first, then the first of the same name); an orphan becomes text. */
  private functionResponse(part: any, fr: unknown, frWhere: string, outputs: CodexItem[], message: CodexPart[]): void {
    const { pending, opts } = this;
    if (!isObject(fr)) throw badRequest(`${frWhere} must be an object`, frWhere);
    const name = typeof fr.name === "string" ? fr.name : "";
    const output = responseOutput(fr, partDetail(part, opts.detail), frWhere);
    const rawId = fr.id ?? fr.call_id;
    let at = -1;
    if (typeof rawId === "string" && rawId !== "") {
      const id = normalizeCallId(rawId);
      at = pending.findIndex((c) => c.id === id);
    }
    if (at < 0) at = pending.findIndex((c) => c.name === name);
    if (at >= 0) {
      const [call] = pending.splice(at, 1);
      outputs.push({ type: "function_call_output", call_id: call!.id, output });
    } else if (opts.repair === "strict") {
      throw badRequest(COUNT_MISMATCH, frWhere);
    } else {
      // An orphan result still tells the model something useful; keep it as text in place.
      const asText = typeof output === "string" ? output : output.filter((p) => p.type === "input_text").map((p) => p.text).join("\n");
      message.push({ type: "input_text", text: `Result of tool ${name || "unknown"}: ${asText}` });
      if (Array.isArray(output)) message.push(...output.filter((p) => p.type !== "input_text"));
    }
  }

  /** A turn with text closes the batch of calls before it: what is still pending stays unanswered. */
  private closePending(): void {
    if (this.pending.length && this.opts.repair === "strict") throw badRequest(COUNT_MISMATCH, "contents");
    this.unanswered.push(...this.pending);
    this.pending = [];
  }

  finish(): CodexItem[] {
    const { input } = this;
    this.closePending();
    // Each call left without a result gets a synthetic one right after its batch's outputs, so the
    // session keeps working (the real API answers these histories with a 400 forever).
    for (const call of this.unanswered) {
      let j = input.indexOf(call.item);
      while (j < input.length && (input[j]!.type === "function_call" || input[j]!.type === "function_call_output")) j++;
      input.splice(j, 0, { type: "function_call_output", call_id: call.id, output: NO_RESULT });
    }
    return input;
  }
}

function mapRole(role: unknown): "assistant" | "user" | "developer" {
  if (role === "model" || role === "assistant") return "assistant";
  if (role === "system") return "developer";
  return "user"; // user, missing, legacy "function", anything else
}

/** All explicit ids in the request, so generated ids never collide with them. */
function prescanIds(contents: any[]): Set<string> {
  const ids = new Set<string>();
  for (const content of contents) {
    for (const part of content.parts as any[]) {
      for (const obj of [field(part, "functionCall"), field(part, "functionResponse")]) {
        const id = isObject(obj) ? (obj.id ?? obj.call_id) : undefined;
        if (typeof id === "string" && id !== "") {
          ids.add(id);
          ids.add(normalizeCallId(id));
        }
      }
    }
  }
  return ids;
}

function callItem(fc: unknown, ci: number, pi: number, where: string, names: ToolNameMap, usedIds: Set<string>, callIds: Set<string>): Call {
  if (!isObject(fc)) throw badRequest(`${where} must be an object`, where);
  const name = fc.name;
  if (typeof name !== "string" || name === "") throw badRequest(`${where}.name must be a non-empty string`, `${where}.name`);
  const args = fc.args;
  let argumentsText: string;
  if (args === undefined || args === null) argumentsText = "{}";
  else if (isObject(args)) argumentsText = JSON.stringify(args); // key order as received
  else if (typeof args === "string") argumentsText = args;
  else throw badRequest(`${where}.args must be an object`, `${where}.args`);

  const rawId = fc.id ?? fc.call_id;
  let id: string;
  if (typeof rawId === "string" && rawId !== "") {
    id = normalizeCallId(rawId);
    // A client that reuses one id for two calls: keep both calls distinct and pairable.
    if (callIds.has(id)) id = unique(normalizeCallId(`${id}_dup`), usedIds);
  } else {
    id = unique(`gcall_${ci}_${pi}`, usedIds);
  }
  usedIds.add(id);
  callIds.add(id);
  return { id, name, item: { type: "function_call", call_id: id, name: names.toUpstream(name), arguments: argumentsText } };
}

function unique(base: string, used: Set<string>): string {
  if (!used.has(base)) return base;
  for (let n = 1; ; n++) {
    const candidate = normalizeCallId(`${base}_${n}`);
    if (!used.has(candidate)) return candidate;
  }
}

/** Text-like parts: plain text, and code-execution parts rendered as text. */
function partText(part: any, where: string): string | undefined {
  if (part.text !== undefined) {
    if (typeof part.text !== "string") throw badRequest(`${where}.text must be a string`, `${where}.text`);
    return part.text;
  }
  const code = field(part, "executableCode");
  if (isObject(code)) {
    const lang = typeof code.language === "string" && code.language !== "LANGUAGE_UNSPECIFIED" ? code.language.toLowerCase() : "python";
    return "```" + lang + "\n" + String(code.code ?? "") + "\n```";
  }
  const result = field(part, "codeExecutionResult");
  if (isObject(result)) return `Output: ${String(result.output ?? "")}`;
  return undefined;
}

function partDetail(part: any, fallback: Detail): Detail {
  return mediaResolutionDetail(field(part, "mediaResolution")) ?? fallback;
}

/**
 * The text of a `functionResponse.response` (docs/clients.md C10.6): Gemini CLI's `{output}` and
 * Vercel's `{name, content}` give their string; anything else is compact JSON. With media in
 * `functionResponse.parts` the output becomes a list of content parts.
 */
function responseOutput(fr: Record<string, any>, detail: Detail, where: string): string | CodexPart[] {
  const text = responseText(fr.response);
  const media: CodexPart[] = [];
  if (Array.isArray(fr.parts)) {
    fr.parts.forEach((p: any, i: number) => {
      const inline = field(p, "inlineData");
      const file = field(p, "fileData");
      if (inline !== undefined) media.push(inlineDataPart(inline, detail, `${where}.parts[${i}].inlineData`));
      else if (file !== undefined) media.push(fileDataPart(file, detail, `${where}.parts[${i}].fileData`));
    });
  }
  if (!media.length) return text;
  return text === "" ? media : [{ type: "input_text", text }, ...media];
}

export function responseText(response: unknown): string {
  if (response === undefined || response === null) return "";
  if (typeof response === "string") return response;
  if (!isObject(response)) return JSON.stringify(response);
  const r: Record<string, unknown> = { ...response };
  delete r.__binary_injection__;
  const keys = Object.keys(r).filter((k) => k !== "name");
  if (keys.length === 0) return "";
  if (keys.length === 1 && (keys[0] === "output" || keys[0] === "content" || keys[0] === "result") && typeof r[keys[0]] === "string") {
    return r[keys[0]] as string;
  }
  return JSON.stringify(r);
}
