import { describe, expect, test } from "bun:test";
import { ResponsesStore } from "../../src/state/responses-store.ts";
import { rememberResponse } from "../../src/surfaces/responses.ts";
import { responsesStream } from "../../src/translate/responses/stream.ts";
import { itemsForReplay } from "../../src/translate/responses/replay.ts";
import { callItem, messageItem, reasoningItem, toolTurn } from "./fixtures.ts";
import { ctxFor, user } from "./helpers.ts";

describe("ResponsesStore", () => {
  test("per key: a key cannot read another key's response", () => {
    const s = new ResponsesStore();
    s.remember("alice", "resp_1", [user("a")]);
    expect(s.lookup("alice", "resp_1")).toEqual([user("a")]);
    expect(s.lookup("bob", "resp_1")).toBeUndefined();
    expect(s.lookup("alice", "resp_2")).toBeUndefined();
  });

  test("bounded by count (least recently used goes first)", () => {
    const s = new ResponsesStore({ max: 2 });
    s.remember("k", "a", [user("1")]);
    s.remember("k", "b", [user("2")]);
    s.lookup("k", "a");
    s.remember("k", "c", [user("3")]);
    expect(s.lookup("k", "b")).toBeUndefined();
    expect(s.lookup("k", "a")).toBeDefined();
    expect(s.size).toBe(2);
  });

  test("bounded by approximate bytes; one entry over the whole budget is not kept", () => {
    const s = new ResponsesStore({ maxBytes: 400 });
    const big = [user("x".repeat(150))];
    s.remember("k", "a", big);
    s.remember("k", "b", big);
    s.remember("k", "c", big);
    expect(s.bytes).toBeLessThanOrEqual(400);
    expect(s.lookup("k", "a")).toBeUndefined();
    expect(s.lookup("k", "c")).toBeDefined();
    s.remember("k", "huge", [user("y".repeat(1000))]);
    expect(s.lookup("k", "huge")).toBeUndefined();
  });

  test("expires after the TTL; a lookup restarts it", () => {
    let now = 1_000;
    const s = new ResponsesStore({ ttlMs: 100, now: () => now });
    s.remember("k", "a", [user("1")]);
    s.remember("k", "b", [user("2")]);
    now += 60;
    expect(s.lookup("k", "a")).toBeDefined();
    now += 60;
    expect(s.lookup("k", "a")).toBeDefined();
    expect(s.lookup("k", "b")).toBeUndefined();
    now += 101;
    expect(s.lookup("k", "a")).toBeUndefined();
  });
});

describe("itemsForReplay", () => {
  test("output items in the shape the CLI replays; reasoning without encrypted content dropped", () => {
    expect(itemsForReplay([reasoningItem, messageItem, callItem, { id: "rs_x", type: "reasoning", summary: [] }, { id: "ws_1", type: "web_search_call", status: "completed", action: { type: "search", query: "q" } }, null])).toEqual([
      { type: "reasoning", summary: reasoningItem.summary, encrypted_content: "gAAAAB-enc", id: "rs_1" },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Listing now." }] },
      { type: "function_call", call_id: "call_1", name: "list", arguments: '{"limit":20,"offset":0}' },
      { type: "web_search_call", status: "completed", action: { type: "search", query: "q" } },
    ]);
  });
});

describe("rememberResponse (the surface's onComplete)", () => {
  const body = { model: "m", input: [user("first")] };

  test("non-stream: input ++ output under the response id, for the key", () => {
    const s = new ResponsesStore();
    rememberResponse(s, ctxFor(), body, { output: [messageItem], id: "resp_9" });
    expect(s.lookup("alice", "resp_9")).toEqual([user("first"), { type: "message", role: "assistant", content: [{ type: "output_text", text: "Listing now." }] }]);
  });

  test("stream: the id and the output come from the reducer state when the terminal event had none", () => {
    const s = new ResponsesStore();
    const state = responsesStream.init(ctxFor());
    for (const ev of toolTurn().slice(0, -1)) responsesStream.step(state, ev);
    rememberResponse(s, ctxFor(), body, { output: [], streamState: state });
    expect(s.lookup("alice", "resp_up")!.map((i) => i.type)).toEqual(["message", "reasoning", "message", "function_call"]);
  });

  test("nothing is stored for compact calls or without a key", () => {
    const s = new ResponsesStore();
    rememberResponse(s, ctxFor({ compact: true }), body, { output: [messageItem], id: "r" });
    rememberResponse(s, ctxFor({ keyName: undefined }), body, { output: [messageItem], id: "r2" });
    expect(s.size).toBe(0);
  });
});
