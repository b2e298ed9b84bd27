/**
 * `POST …/responses/compact` (remote compaction v1, docs/protocol.md P9.1) served on top of v2
 * (P9.2), since the backend retired the v1 endpoint: the client's body goes upstream as a normal
 * streamed turn whose last input item is `{"type":"compaction_trigger"}`; the answer's one
 * `compaction` item (from `response.output_item.done`, as `response.completed.output` is empty)
 * becomes the v1 answer `{"output":[…]}`, which replaces the client's history: the conversation's
 * user and developer messages, then the compaction item, as the v1 endpoint answered.
 *
 * Pure.
 */
import { GatewayError } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import type { TranslateContext } from "../types.ts";
import { isRecord } from "./inspect.ts";

export const COMPACTION_TRIGGER = { type: "compaction_trigger" } as const;
const COMPACTION_TYPES = new Set(["compaction", "compaction_summary"]);

/** The input with exactly one trigger, last (the backend refuses one anywhere else). */
export function withCompactionTrigger(input: CodexItem[]): CodexItem[] {
  return [...input.filter((i) => (i as { type?: unknown })?.type !== "compaction_trigger"), { ...COMPACTION_TRIGGER } as CodexItem];
}

/** What a v1 compaction keeps of the history besides the compaction item: the messages of the user and developer. */
export function retainedForCompaction(input: unknown): unknown[] {
  if (typeof input === "string") return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  if (!Array.isArray(input)) return [];
  return input.filter((i) => isRecord(i) && (i.type === "message" || (i.type === undefined && typeof i.role === "string")) && (i.role === "user" || i.role === "developer" || i.role === "system"));
}

/** The v1 answer from the accumulated v2 response; `compactKeep` is the ResponsesContext's (retainedForCompaction). */
export function compactionAnswer(final: Record<string, any>, ctx: TranslateContext & { compactKeep?: unknown[] }): Record<string, unknown> {
  const output: unknown[] = Array.isArray(final.output) ? final.output : [];
  const items = output.filter((i) => isRecord(i) && COMPACTION_TYPES.has(String(i.type)));
  if (!items.length) {
    throw new GatewayError({ status: 502, type: "upstream_error", code: "compaction_missing", message: "The upstream answered the compaction without a compaction item" });
  }
  return {
    id: final.id ?? ctx.newId("resp"),
    object: "response.compaction",
    created_at: final.created_at ?? ctx.now,
    model: ctx.requestedModel,
    output: [...(ctx.compactKeep ?? []), ...items.slice(-1)],
    usage: final.usage ?? null,
  };
}
