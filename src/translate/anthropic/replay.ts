/**
 * Reasoning replay for Anthropic clients that do not ask for thinking (docs/clients.md C3.10,
 * docs/clients.md C6.3). Without thinking blocks the client cannot carry the encrypted reasoning to the next turn,
 * so the pipeline keeps it in its reasoning cache under the tool call ids that followed it, and the
 * request side puts it back in front of those calls. Clients that do round-trip Codex thinking
 * blocks (Claude Code) never need the cache: their own blocks win.
 */
import type { CodexItem } from "../../codex/types.ts";
import { isRecord } from "./util.ts";

/** The cache's unit: reasoning items and the call ids they preceded (same shape as the chat surface's). */
export interface ReasoningGroup {
  callIds: string[];
  items: CodexItem[];
}

/** Looks reasoning up by call ids (the pipeline's `ctx.reasoningFor`). */
export type ReasoningLookup = (callIds: string[]) => CodexItem[] | undefined;

export function replayItem(encrypted: unknown): CodexItem | undefined {
  return typeof encrypted === "string" && encrypted !== "" ? { type: "reasoning", summary: [], encrypted_content: encrypted } : undefined;
}

/** Reasoning items grouped by the call that followed them ("items since the previous call"). */
export function reasoningGroups(output: unknown): ReasoningGroup[] {
  const groups: ReasoningGroup[] = [];
  let pending: CodexItem[] = [];
  for (const item of Array.isArray(output) ? output : []) {
    if (!isRecord(item)) continue;
    if (item.type === "reasoning") {
      const r = replayItem(item.encrypted_content);
      if (r) pending.push(r);
    } else if (item.type === "function_call" && typeof item.call_id === "string" && item.call_id !== "") {
      if (pending.length > 0) groups.push({ callIds: [item.call_id], items: pending });
      pending = [];
    }
  }
  return groups;
}

/**
 * What the pipeline's `onComplete(ctx, body, done)` should `remember` in the reasoning cache: the
 * stream reducer's groups when there was a stream (the terminal `output` is often empty upstream,
 * docs/protocol.md P3.5), else groups from the final output.
 */
export function anthropicReasoningToRemember(done: { output?: unknown; streamState?: unknown }): ReasoningGroup[] {
  const st = done.streamState as { reasoningForCalls?: ReasoningGroup[] } | undefined;
  return Array.isArray(st?.reasoningForCalls) ? st.reasoningForCalls : reasoningGroups(done.output);
}
