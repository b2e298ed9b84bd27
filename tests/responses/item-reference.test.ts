/**
 * Item references on the Responses surface (issue 16): the AI SDK's default `store: true` sends
 * `{"type":"item_reference","id":…}` and id-only reasoning items on the second step of a tool loop.
 * The upstream runs with store:false and resolves nothing, so the gateway resolves them from the
 * output items it served to the same key.
 */
import { describe, expect, test } from "bun:test";
import type { CodexItem } from "../../src/codex/types.ts";
import { GatewayError } from "../../src/errors.ts";
import { ResponsesStore } from "../../src/state/responses-store.ts";
import { rememberResponse } from "../../src/surfaces/responses.ts";
import { responsesToCodex } from "../../src/translate/responses/normalize.ts";
import { responsesStream } from "../../src/translate/responses/stream.ts";
import { callItem, messageItem, reasoningItem, toolTurn } from "./fixtures.ts";
import { ctxFor, user } from "./helpers.ts";

const served: Record<string, CodexItem> = {
  rs_1: { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "gAAAA-enc" },
  msg_1: { type: "message", role: "assistant", content: [{ type: "output_text", text: "Listing now." }] },
};
const norm = (input: unknown[]) => responsesToCodex({ model: "m", input }, ctxFor({ storedItem: (id) => served[id] })) as { input: any[] };

describe("resolving references from the responses the gateway served", () => {
  test("item_reference and an id-only reasoning item become the items they name", () => {
    const out = norm([user("q"), { type: "item_reference", id: "rs_1" }, { type: "item_reference", id: "msg_1" }, user("again"), { type: "reasoning", id: "rs_1", summary: [] }]);
    expect(out.input).toEqual([user("q"), served.rs_1, served.msg_1, user("again"), served.rs_1]);
  });

  test("an unknown reasoning reference is dropped: reasoning is optional", () => {
    const out = norm([user("q"), { type: "item_reference", id: "rs_gone" }, { type: "reasoning", id: "rs_gone2", summary: [{ type: "summary_text", text: "s" }] }]);
    expect(out.input).toEqual([user("q")]);
  });

  test("any other unknown reference is a 400 that says what to do", () => {
    let e: unknown;
    try {
      norm([user("q"), { type: "item_reference", id: "msg_gone" }]);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(GatewayError);
    const g = e as GatewayError;
    expect([g.status, g.code, g.param]).toEqual([400, "item_not_found", "input[1]"]);
    expect(g.message).toContain('"msg_gone"');
    expect(g.message).toContain("store: false");
  });

  test("another key's items are not visible", () => {
    const store = new ResponsesStore();
    store.rememberItems("alice", [{ id: "msg_1", item: served.msg_1 }]);
    expect(store.item("alice", "msg_1")).toEqual(served.msg_1);
    expect(store.item("bob", "msg_1")).toBeUndefined();
  });
});

describe("the surface indexes what it served", () => {
  test("non-stream: every output item with an id, in replay shape", () => {
    const store = new ResponsesStore();
    rememberResponse(store, ctxFor(), { model: "m", input: [user("q")] }, { output: [reasoningItem, messageItem, callItem], id: "resp_1" });
    expect(store.item("alice", reasoningItem.id as string)).toMatchObject({ type: "reasoning", encrypted_content: "gAAAAB-enc" });
    expect(store.item("alice", messageItem.id as string)).toEqual({ type: "message", role: "assistant", content: [{ type: "output_text", text: "Listing now." }] });
    expect(store.item("alice", callItem.id as string)).toMatchObject({ type: "function_call", call_id: "call_1" });
  });

  test("stream: the items the client saw, by their ids", () => {
    const store = new ResponsesStore();
    const state = responsesStream.init(ctxFor());
    for (const ev of toolTurn()) responsesStream.step(state, ev);
    rememberResponse(store, ctxFor(), { model: "m", input: [user("q")] }, { output: [], streamState: state });
    const ids = state.acc.items.map((i: any) => i?.id).filter(Boolean);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(store.item("alice", id)).toBeDefined();
  });

  test("bounded apart from the responses", () => {
    const store = new ResponsesStore({ maxItems: 2 });
    store.rememberItems("k", [{ id: "1", item: served.msg_1 }, { id: "2", item: served.msg_1 }, { id: "3", item: served.msg_1 }]);
    expect(store.item("k", "1")).toBeUndefined();
    expect(store.item("k", "3")).toBeDefined();
  });
});
