/**
 * Anthropic `messages` → Codex `input` items (docs/clients.md C5.3). Blocks are processed in order;
 * the pending message is flushed whenever a non-message item (function_call,
 * function_call_output, reasoning) is emitted, so interleavings survive. No item carries an `id`
 * (docs/protocol.md P2.7-4/5): only call_id pairs calls with outputs.
 */
import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { toolResultOutput, userParts, type Part } from "./content.ts";
import { anthropicCallId, type ToolNameMap } from "./names.ts";
import { replayItem, type ReasoningLookup } from "./replay.ts";
import { isCodexEncryptedContent } from "./signature.ts";
import { isRecord, nonEmptyString } from "./util.ts";

class InputBuilder {
  readonly items: CodexItem[] = [];
  private role = "";
  private parts: Part[] = [];

  part(role: string, p: Part): void {
    if (role !== this.role) this.flush();
    this.role = role;
    this.parts.push(p);
  }

  item(x: CodexItem): void {
    this.flush();
    this.items.push(x);
  }

  /** Inserts items at a position (after flushing), for cached reasoning that belongs at a turn's start. */
  insert(at: number, xs: CodexItem[]): void {
    this.flush();
    this.items.splice(at, 0, ...xs);
  }

  /** An empty message (e.g. an assistant turn cancelled in Claude Code) produces no item (docs/protocol.md P2.7-3). */
  flush(): void {
    if (this.parts.length > 0) this.items.push({ type: "message", role: this.role, content: this.parts });
    this.parts = [];
  }
}

/** Per-request state for cached reasoning replay (replay.ts). */
interface Replay {
  lookup?: ReasoningLookup;
  /** Encrypted blobs already in the input: each goes upstream once. */
  used: Set<string>;
  /** Where the current assistant turn starts in the input. */
  turnStart: number;
  /** The turn carries its own Codex thinking blocks: the cache is not consulted. */
  turnOwnThinking: boolean;
  /** A cached replay was already put at the turn's start. */
  turnReplayed: boolean;
}

export function convertMessages(messages: unknown[], names: ToolNameMap, lookup?: ReasoningLookup): CodexItem[] {
  const b = new InputBuilder();
  const replay: Replay = { lookup, used: new Set(), turnStart: 0, turnOwnThinking: false, turnReplayed: false };
  messages.forEach((m, i) => {
    const msg = m as Record<string, any>;
    const at = `messages.${i}`;
    const blocks: Record<string, any>[] = typeof msg.content === "string" ? [{ type: "text", text: msg.content }] : msg.content;
    if (msg.role === "system") {
      // Mid-conversation system turn (Claude Code 2.1 sends one, docs/clients.md C6.11): a developer message here.
      blocks.forEach((blk) => {
        if (blk.type === "text" && nonEmptyString(blk.text)) b.part("developer", { type: "input_text", text: blk.text });
      });
    } else {
      b.flush();
      replay.turnStart = b.items.length;
      replay.turnOwnThinking = false;
      replay.turnReplayed = false;
      blocks.forEach((blk, j) => convertBlock(b, msg.role, blk, `${at}.content.${j}`, names, replay));
    }
    b.flush();
  });
  return repairPairs(b.items);
}

function convertBlock(b: InputBuilder, role: string, blk: Record<string, any>, at: string, names: ToolNameMap, replay: Replay): void {
  switch (blk.type) {
    case "tool_use": {
      if (!nonEmptyString(blk.id)) throw badRequest(`${at}.id: field required`, `${at}.id`);
      if (!nonEmptyString(blk.name)) throw badRequest(`${at}.name: field required`, `${at}.name`);
      const callId = anthropicCallId(blk.id);
      if (role === "assistant") replayCached(b, replay, callId);
      // Key order is preserved (no canonicalization) so the prompt prefix stays byte-stable for the cache.
      const args = typeof blk.input === "string" ? blk.input : JSON.stringify(blk.input ?? {});
      b.item({ type: "function_call", call_id: callId, name: names.toUpstream.get(blk.name) ?? blk.name, arguments: args });
      return;
    }
    case "tool_result": {
      if (!nonEmptyString(blk.tool_use_id)) throw badRequest(`${at}.tool_use_id: field required`, `${at}.tool_use_id`);
      b.item({ type: "function_call_output", call_id: anthropicCallId(blk.tool_use_id), output: toolResultOutput(blk, at) });
      return;
    }
    case "thinking":
    case "redacted_thinking": {
      // Only Codex-minted reasoning can be replayed; anything else is a certain 400 (E12, E27).
      const sig = blk.type === "thinking" ? blk.signature : blk.data;
      if (role === "assistant" && isCodexEncryptedContent(sig) && !replay.used.has(sig)) {
        replay.used.add(sig);
        replay.turnOwnThinking = true;
        b.item({ type: "reasoning", summary: [], encrypted_content: sig });
      }
      return;
    }
  }
  if (role === "assistant") {
    // Assistant history text must be output_text (docs/protocol.md P2.7-2); images/documents cannot live there.
    if (blk.type === "text" && nonEmptyString(blk.text)) b.part("assistant", { type: "output_text", text: blk.text });
    return;
  }
  for (const p of userParts(blk, at)) b.part("user", p);
}

/**
 * A turn without its own replayable thinking gets the cached reasoning of its calls (clients that
 * do not ask for thinking). Upstream order was reasoning → text → calls, so the turn's first replay
 * goes to the turn's start, later ones right before their call.
 */
function replayCached(b: InputBuilder, replay: Replay, callId: string): void {
  if (!replay.lookup || replay.turnOwnThinking) return;
  const items: CodexItem[] = [];
  for (const it of replay.lookup([callId]) ?? []) {
    const r = replayItem(it.encrypted_content);
    if (r && !replay.used.has(r.encrypted_content as string)) {
      replay.used.add(r.encrypted_content as string);
      items.push(r);
    }
  }
  if (items.length === 0) return;
  if (replay.turnReplayed) for (const x of items) b.item(x);
  else b.insert(replay.turnStart, items);
  replay.turnReplayed = true;
}

/**
 * The backend refuses a call without a later output and an output without an earlier call
 * (docs/protocol.md P2.7-6, E8, E37). Anthropic refuses such histories too, but clients that edit history or were
 * interrupted still send them; repairing is cheaper than a 400 that Claude Code retries five times:
 * an orphan output becomes user text, an orphan call gets a placeholder output right after it.
 */
function repairPairs(items: CodexItem[]): CodexItem[] {
  const id = (it: CodexItem) => it.call_id as string;
  const orphanOutput = new Set<CodexItem>();
  const called = new Set<string>();
  for (const it of items) {
    if (it.type === "function_call") called.add(id(it));
    else if (it.type === "function_call_output" && !called.has(id(it))) orphanOutput.add(it);
  }
  const answeredLater = new Set<CodexItem>();
  const pending = new Set<string>();
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type === "function_call_output" && !orphanOutput.has(it)) pending.add(id(it));
    else if (it.type === "function_call" && pending.has(id(it))) answeredLater.add(it);
  }
  if (orphanOutput.size === 0 && items.every((it) => it.type !== "function_call" || answeredLater.has(it))) return items;

  const out: CodexItem[] = [];
  for (const it of items) {
    if (orphanOutput.has(it)) {
      const head = { type: "input_text", text: `Result of tool call ${id(it)}:` };
      const body = typeof it.output === "string" ? [{ type: "input_text", text: it.output }] : (it.output as Part[]);
      out.push({ type: "message", role: "user", content: [head, ...body] });
      continue;
    }
    out.push(it);
    if (it.type === "function_call" && !answeredLater.has(it)) {
      out.push({ type: "function_call_output", call_id: it.call_id, output: "No result: this tool call was interrupted." });
    }
  }
  return out;
}
