import { chatStream, type ChatContext, type ChatStreamState } from "../../src/translate/chat/index.ts";
import { accumulate as accumulateEvent, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";

export function makeCtx(over: Partial<ChatContext> = {}): ChatContext {
  let n = 0;
  return {
    requestedModel: "gpt-5.5",
    upstreamModel: "gpt-5.5",
    defaultInstructions: "You are a helpful assistant.",
    reasoningOutput: "content",
    now: 1758093393,
    newId: (p: string) => `${p}-${++n}`,
    ...over,
  };
}

export interface Run {
  frames: string[];
  state: ChatStreamState;
  /** Parsed data payloads ("[DONE]" kept as the string). */
  data: any[];
}

/** Feed events through init/step/end; `end` defaults to "done" (the pipeline always calls end once). */
export function runStream(events: CodexEvent[], ctx: ChatContext = makeCtx(), end: StreamEnd = { kind: "done" }): Run {
  const state = chatStream.init(ctx);
  const frames: string[] = [];
  for (const ev of events) frames.push(...chatStream.step(state, ev));
  frames.push(...chatStream.end(state, end));
  return { frames, state, data: frames.map(parseFrame) };
}

export function parseFrame(f: string): any {
  if (!f.startsWith("data: ") || !f.endsWith("\n\n")) throw new Error(`not an SSE data frame: ${JSON.stringify(f)}`);
  const body = f.slice(6, -2);
  return body === "[DONE]" ? body : JSON.parse(body);
}

/** The chunk deltas (choices[0].delta) of a run, skipping usage/DONE/error frames. */
export function deltas(run: Run): any[] {
  return run.data.filter((d) => typeof d === "object" && d.choices?.length).map((d) => d.choices[0].delta);
}

export function contentOf(run: Run): string {
  return deltas(run).map((d) => d.content ?? "").join("");
}

/** Rebuild the full tool calls a client would accumulate from the deltas. */
export function toolCallsOf(run: Run): { id: string; type: string; name: string; arguments: string }[] {
  const calls: any[] = [];
  for (const d of deltas(run)) {
    for (const tc of d.tool_calls ?? []) {
      const c = (calls[tc.index] ??= { id: undefined, type: undefined, name: "", arguments: "" });
      if (tc.id) c.id = tc.id;
      if (tc.type) c.type = tc.type;
      if (tc.function?.name) c.name += tc.function.name;
      if (tc.function?.arguments) c.arguments += tc.function.arguments;
    }
  }
  return calls;
}

/** The final Response object the pipeline hands to chatFromResponse, via the real accumulator. */
export function accumulate(events: CodexEvent[], requestedModel = "gpt-5.5"): any {
  const acc = initAccumulator();
  for (const ev of events) accumulateEvent(acc, ev);
  return finalResponse(acc, requestedModel);
}
