import { configFromObject } from "../../src/config/load.ts";
import { KeyIndex } from "../../src/keys/authenticate.ts";
import type { Admission, Ticket } from "../../src/limits/types.ts";
import type { UsageNumbers, UsageRecord } from "../../src/usage/types.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import type { ConversationState, Runtime, Snapshot } from "../../src/runtime.ts";
import type { CodexEvent, CodexItem } from "../../src/translate/types.ts";
import type { Dispatcher, UpstreamChunk, UpstreamRequest, UpstreamStream } from "../../src/upstream/types.ts";

export const TEST_KEY = "sk-test-0123456789abcdefghij";

/** An upstream stream that yields the given events as SSE chunks, one event per chunk. */
export function scriptedStream(events: CodexEvent[], opts: { account?: string; delayMs?: number; failAfter?: number; headers?: Record<string, string> } = {}): UpstreamStream & { cancelled: boolean } {
  const enc = new TextEncoder();
  let i = 0;
  const s = {
    account: opts.account ?? "acct-a",
    attempts: 1,
    status: 200,
    headers: new Headers(opts.headers ?? { "content-type": "text/event-stream" }),
    cancelled: false,
    async next(): Promise<UpstreamChunk | null> {
      if (opts.delayMs) await Bun.sleep(opts.delayMs);
      if (s.cancelled) return null;
      if (opts.failAfter !== undefined && i >= opts.failAfter) throw Object.assign(new Error("boom"), {});
      if (i >= events.length) return null;
      const ev = events[i++];
      return { bytes: enc.encode(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`), events: [ev] };
    },
    cancel() {
      s.cancelled = true;
    },
  };
  return s;
}

export interface FakeRuntime extends Runtime {
  finished: UsageRecord[];
  settled: (UsageNumbers | undefined)[];
  requests: UpstreamRequest[];
  unknown: string[];
}

export function fakeRuntime(opts: { open?: (req: UpstreamRequest) => Promise<UpstreamStream>; config?: Record<string, unknown>; admit?: Admission["admit"] } = {}): FakeRuntime {
  const config = configFromObject({ keys: [{ name: "alice", key: TEST_KEY }], upstream: { keepalive: "200ms" }, ...(opts.config ?? {}) });
  const snap: Snapshot = {
    config,
    generation: 1,
    keys: new KeyIndex(config.keys),
    resolveModel: (name, effort) => ({ requested: name, upstream: config.models.aliases[name] ?? name, effort }),
  };
  const finished: UsageRecord[] = [];
  const settled: (UsageNumbers | undefined)[] = [];
  const requests: UpstreamRequest[] = [];
  const unknown: string[] = [];
  const dispatcher: Dispatcher = {
    open: (req) => {
      requests.push(req);
      return opts.open ? opts.open(req) : Promise.resolve(scriptedStream(textTurn("hi")));
    },
  };
  const admission: Admission = {
    admit:
      opts.admit ??
      (async (): Promise<Ticket> => {
        let done = false;
        return { headers: { "x-ratelimit-limit-requests": "60" }, settle: (u) => (done ? undefined : ((done = true), settled.push(u))) };
      }),
  };
  const mem = new Map<string, CodexItem[]>();
  const state: ConversationState = {
    reasoning: { remember: () => {}, lookup: () => undefined },
    responses: { remember: (k, id, items) => mem.set(`${k}/${id}`, items), lookup: (k, id) => mem.get(`${k}/${id}`) },
  };
  return {
    snapshot: () => snap,
    dispatcher,
    admission,
    observer: { finished: (r) => finished.push(r), unknownEvent: (_s, t) => unknown.push(t), unknownField: (_s, f) => unknown.push(`field:${f}`), streamOpened: () => {}, streamClosed: () => {} },
    state,
    log: memoryLogger(),
    now: () => Date.now(),
    finished,
    settled,
    requests,
    unknown,
  };
}

/** A realistic one-message turn, as the backend sends it (completed.output empty). */
export function textTurn(text: string, usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 }): CodexEvent[] {
  const item = { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
  return [
    { type: "response.created", sequence_number: 0, response: { id: "resp_1", object: "response", status: "in_progress", output: [] } },
    { type: "response.in_progress", sequence_number: 1, response: { id: "resp_1", object: "response", status: "in_progress", output: [] } },
    { type: "response.output_item.added", sequence_number: 2, output_index: 0, item: { ...item, status: "in_progress", content: [] } },
    { type: "response.content_part.added", sequence_number: 3, output_index: 0, item_id: "msg_1", content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
    { type: "response.output_text.delta", sequence_number: 4, output_index: 0, item_id: "msg_1", content_index: 0, delta: text },
    { type: "response.output_text.done", sequence_number: 5, output_index: 0, item_id: "msg_1", content_index: 0, text },
    { type: "response.output_item.done", sequence_number: 6, output_index: 0, item },
    { type: "response.completed", sequence_number: 7, response: { id: "resp_1", object: "response", status: "completed", output: [], usage } },
  ];
}
