import { describe, expect, test } from "bun:test";
import { responsesStream, completedOutput, type ResponsesStreamState } from "../../src/translate/responses/stream.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";
import { callItem, messageItem, parseFrames, reasoningItem, toolTurn } from "./fixtures.ts";
import { ctxFor } from "./helpers.ts";

function run(events: CodexEvent[], end: StreamEnd = { kind: "done" }, over = {}): { text: string; frames: ReturnType<typeof parseFrames>; state: ResponsesStreamState } {
  const state = responsesStream.init(ctxFor({ requestedModel: "my-alias", ...over }));
  let text = "";
  for (const ev of structuredClone(events)) text += responsesStream.step(state, ev).join("");
  text += responsesStream.end(state, end).join("");
  return { text, frames: parseFrames(text), state };
}

describe("responsesStream", () => {
  test("events pass through in order as `event: <type>\\ndata: <json>`, codex.* dropped", () => {
    const events = toolTurn();
    const { text, frames } = run(events);
    const kept = events.filter((e) => !e.type.startsWith("codex."));
    expect(frames.map((f) => f.event)).toEqual(kept.map((e) => e.type));
    expect(frames.every((f) => f.event === f.data.type)).toBe(true);
    expect(text.startsWith("event: response.created\ndata: {")).toBe(true);
    // Untouched events are byte-identical JSON.
    const delta = kept.find((e) => e.type === "response.output_text.delta")!;
    expect(text).toContain(`data: ${JSON.stringify(delta)}\n\n`);
  });

  test("lifecycle events carry the requested model name", () => {
    const { frames } = run(toolTurn());
    const lifecycle = frames.filter((f) => f.data.response);
    expect(lifecycle.length).toBe(3);
    for (const f of lifecycle) expect(f.data.response.model).toBe("my-alias");
  });

  test("an empty terminal output is filled from output_item.done, sorted by output_index", () => {
    const events = toolTurn();
    // Deliver the done items out of order: the terminal output is still by index.
    const i0 = events.findIndex((e) => e.type === "response.output_item.done" && e.output_index === 0);
    const [moved] = events.splice(i0, 1);
    events.splice(events.length - 2, 0, moved);
    const { frames, state } = run(events);
    const completed = frames.at(-1)!.data;
    expect(completed.type).toBe("response.completed");
    expect(completed.response.output).toEqual([reasoningItem, messageItem, callItem]);
    expect(completed.response.usage.total_tokens).toBe(6006);
    expect(completedOutput(state)).toEqual([reasoningItem, messageItem, callItem]);
  });

  test("a non-empty terminal output is kept; missing item ids are filled from the streamed items", () => {
    const { id: _a, ...msgNoId } = messageItem;
    const { id: _b, ...callNoId } = callItem;
    const { frames } = run(toolTurn({ completedOutput: [reasoningItem, msgNoId, callNoId] }));
    expect(frames.at(-1)!.data.response.output).toEqual([reasoningItem, messageItem, callItem]);
  });

  test("sequence numbers stay strictly increasing; missing ones are synthesized after the last", () => {
    const events = toolTurn();
    delete events[5].sequence_number;
    events[8].sequence_number = 2; // goes backwards
    const { frames } = run(events, { kind: "eof" });
    const seqs = frames.map((f) => f.data.sequence_number);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(seqs[0]).toBe(0);
  });

  test("unknown event types are forwarded unchanged to clients that ignore them (Codex CLI)", () => {
    const events = toolTurn();
    const unknown = { type: "response.metadata", sequence_number: 7.5, metadata: { openai_verification_recommendation: ["trusted_access_for_cyber"] } };
    events.splice(8, 0, unknown);
    const { text, frames } = run(events, { kind: "done" }, { forwardUnknownEvents: true });
    expect(frames.some((f) => f.event === "response.metadata")).toBe(true);
    expect(text).toContain(`event: response.metadata\ndata: ${JSON.stringify(unknown)}\n\n`);
  });

  test("unknown event types are dropped for other clients (the openai SDK's stream helper throws on them)", () => {
    const events = toolTurn();
    events.splice(8, 0, { type: "response.metadata", sequence_number: 7.5, metadata: {} }, { type: "response.future_thing", sequence_number: 7.6 });
    const { frames } = run(events);
    expect(frames.map((f) => f.event)).toEqual(toolTurn().filter((e) => !e.type.startsWith("codex.")).map((e) => e.type));
  });

  test("EOF before a terminal event → one synthetic response.failed (stream_incomplete), numbered after the last event", () => {
    const events = toolTurn().slice(0, 12);
    const { frames } = run(events, { kind: "eof" });
    const last = frames.at(-1)!.data;
    expect(last.type).toBe("response.failed");
    expect(last.response).toMatchObject({ id: "resp_up", status: "failed", model: "my-alias", error: { code: "stream_incomplete", message: "stream closed before response.completed" } });
    // Completed items plus the partial message, as the non-stream answer would have them.
    expect(last.response.output).toEqual([reasoningItem, { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [{ type: "output_text", text: "Listing ", annotations: [] }] }]);
    expect(last.sequence_number).toBe(frames.at(-2)!.data.sequence_number + 1);
    expect(frames.filter((f) => f.event === "error").length).toBe(0);
  });

  test("a transport error (idle timeout) → response.failed with its code", () => {
    const { frames } = run(toolTurn().slice(0, 5), { kind: "error", status: 504, code: "idle_timeout", message: "no event for 300s" });
    expect(frames.at(-1)!.data.response.error).toEqual({ code: "idle_timeout", message: "no event for 300s" });
  });

  test("failure before anything was sent: response.created is synthesized first", () => {
    const { frames } = run([], { kind: "error", status: 502, code: "upstream_error", message: "boom" });
    expect(frames.map((f) => f.event)).toEqual(["response.created", "response.failed"]);
    expect(frames.map((f) => f.data.sequence_number)).toEqual([0, 1]);
    expect(frames[0].data.response).toMatchObject({ id: "resp_1", object: "response", status: "in_progress", model: "my-alias", created_at: 1_700_000_000 });
    expect(frames[1].data.response.id).toBe("resp_1");
  });

  test("a bare upstream `error` event becomes response.failed; later events and end() add nothing", () => {
    const events = [...toolTurn().slice(0, 4), { type: "error", sequence_number: 99, code: "server_is_overloaded", message: "busy" }, ...toolTurn().slice(4)];
    const { frames } = run(events, { kind: "eof" });
    expect(frames.at(-1)!.data).toMatchObject({ type: "response.failed", sequence_number: 99, response: { status: "failed", error: { code: "server_is_overloaded", message: "busy" } } });
    expect(frames.filter((f) => f.event === "response.failed").length).toBe(1);
  });

  test("upstream response.failed passes through with the model patched; end adds nothing", () => {
    const failed = { type: "response.failed", sequence_number: 3, response: { id: "resp_f", object: "response", status: "failed", model: "gpt-5.5", output: [], error: { code: "rate_limit_exceeded", message: "Rate limit reached. Please try again in 11.054s." } } };
    const { frames } = run([toolTurn()[0], failed], { kind: "done" });
    expect(frames.length).toBe(2);
    expect(frames[1].data.response).toMatchObject({ model: "my-alias", error: { code: "rate_limit_exceeded" } });
  });

  test("a stream that does not start with response.created gets one", () => {
    const events = toolTurn().filter((e) => e.type !== "response.created");
    const { frames } = run(events);
    expect(frames[0].data).toMatchObject({ type: "response.created", response: { id: "resp_up", status: "in_progress", model: "my-alias", output: [] } });
  });

  test("usage details get their required inner counts (Codex CLI parser)", () => {
    const events = toolTurn();
    events.at(-1)!.response.usage = { input_tokens: 1, output_tokens: 2, total_tokens: 3, input_tokens_details: {}, output_tokens_details: null };
    const { frames } = run(events);
    expect(frames.at(-1)!.data.response.usage).toEqual({ input_tokens: 1, output_tokens: 2, total_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: null });
  });

  test("previous_response_id is echoed in lifecycle events when the client sent one", () => {
    const { frames } = run(toolTurn(), { kind: "done" }, { previousResponseId: "resp_0" });
    for (const f of frames.filter((x) => x.data.response)) expect(f.data.response.previous_response_id).toBe("resp_0");
  });

  test("keepalive: a comment frame; an upstream keepalive event becomes one too", () => {
    const state = responsesStream.init(ctxFor());
    expect(responsesStream.keepalive(state)).toBe(": keepalive\n\n");
    expect(responsesStream.step(state, { type: "keepalive" })).toEqual([": keepalive\n\n"]);
  });

  test("items only seen as output_item.done (no index, no id: the Codex CLI's fixtures) are announced and given an id", () => {
    const events: CodexEvent[] = [
      { type: "response.created", response: { id: "resp1" } },
      { type: "response.output_item.done", item: { type: "message", role: "assistant", content: [{ type: "output_text", text: "fixture hello" }] } },
      { type: "response.output_item.done", item: { type: "function_call", call_id: "c1", name: "f", arguments: "{}" } },
      { type: "response.completed", response: { id: "resp1", output: [] } },
    ];
    const { frames, state } = run(events);
    expect(frames.map((f) => `${f.event}@${f.data.output_index ?? ""}`)).toEqual([
      "response.created@",
      "response.output_item.added@0",
      "response.output_item.done@0",
      "response.output_item.added@1",
      "response.output_item.done@1",
      "response.completed@",
    ]);
    const msgId = frames[1].data.item.id;
    expect(msgId).toMatch(/^msg_/);
    expect(frames[2].data.item.id).toBe(msgId);
    expect(frames[1].data.item.status).toBe("in_progress");
    expect(frames[3].data.item.id).toBeUndefined(); // calls may go without an id
    expect(frames.at(-1)!.data.response.output.map((o: any) => o.id)).toEqual([msgId, undefined]);
    // What is kept for previous_response_id is the upstream's own item (no made-up id).
    expect(completedOutput(state)[0].id).toBeUndefined();
  });

  test("an output_item.added call without call_id is held back with its deltas until .done names it (docs/protocol.md P3.5)", () => {
    const events: CodexEvent[] = [
      { type: "response.created", sequence_number: 0, response: { id: "r", output: [] } },
      { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { id: "fc_1", type: "function_call", status: "in_progress", arguments: "" } },
      { type: "response.function_call_arguments.delta", sequence_number: 2, item_id: "fc_1", output_index: 0, delta: '{"a":' },
      { type: "response.output_item.added", sequence_number: 3, output_index: 1, item: { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] } },
      { type: "response.function_call_arguments.delta", sequence_number: 4, item_id: "fc_1", output_index: 0, delta: "1}" },
      { type: "response.function_call_arguments.done", sequence_number: 5, item_id: "fc_1", output_index: 0, arguments: '{"a":1}', name: "f" },
      { type: "response.output_item.done", sequence_number: 6, output_index: 0, item: { id: "fc_1", type: "function_call", status: "completed", arguments: '{"a":1}', call_id: "call_9", name: "f" } },
      { type: "response.completed", sequence_number: 7, response: { id: "r", output: [] } },
    ];
    const { frames } = run(events);
    expect(frames.map((f) => f.event)).toEqual([
      "response.created",
      "response.output_item.added", // the message
      "response.output_item.added", // the call, now with its call_id and name
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(frames[2].data.item).toEqual({ id: "fc_1", type: "function_call", status: "in_progress", arguments: "", call_id: "call_9", name: "f" });
    const seqs = frames.map((f) => f.data.sequence_number);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(frames.at(-1)!.data.response.output.map((o: any) => o.type)).toEqual(["function_call", "message"]);
  });

  test("response.incomplete with output []: the partial items streamed so far fill it", () => {
    const events = toolTurn().slice(0, 14);
    events.push({ type: "response.incomplete", sequence_number: 50, response: { id: "resp_up", status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [] } });
    const { frames } = run(events);
    const out = frames.at(-1)!.data.response.output;
    expect(out.map((o: any) => o.type)).toEqual(["reasoning", "message"]);
    expect(out[1].content[0].text).toBe("Listing now.");
  });

  test("a non-standard event before response.created (Codex CLI) does not make up a created event", () => {
    const events = toolTurn();
    events.unshift({ type: "response.metadata", metadata: { openai_verification_recommendation: [] } });
    const { frames } = run(events, { kind: "done" }, { forwardUnknownEvents: true });
    expect(frames.map((f) => f.event).slice(0, 2)).toEqual(["response.metadata", "response.created"]);
    expect(frames.filter((f) => f.event === "response.created").length).toBe(1);
    expect(frames.at(-1)!.data.response.id).toBe("resp_up");
  });
});
