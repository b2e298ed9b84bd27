import { describe, expect, test } from "bun:test";
import { ReasoningCache } from "../../src/state/reasoning-cache.ts";
import { chatToCodex } from "../../src/translate/chat/index.ts";
import { makeCtx, runStream } from "./helpers.ts";
import * as E from "./fixtures/events.ts";

const rs = (enc: string) => ({ type: "reasoning", id: "rs_x", summary: [{ type: "summary_text", text: "secret summary" }], encrypted_content: enc });

describe("ReasoningCache", () => {
  test("remember/lookup by call id, slimmed to what replay needs, each blob once", () => {
    const c = new ReasoningCache();
    c.remember(["call_1", "call_2"], [rs("gAAAA1")]);
    c.remember(["call_3"], [rs("gAAAA3"), { type: "reasoning", summary: [] }]);
    expect(c.lookup(["call_1"])).toEqual([{ type: "reasoning", summary: [], encrypted_content: "gAAAA1" }]);
    expect(c.lookup(["call_1", "call_2", "call_3"])!.map((i) => i.encrypted_content)).toEqual(["gAAAA1", "gAAAA3"]);
    expect(c.lookup(["nope"])).toBeUndefined();
  });

  test("scopes keep clients apart", () => {
    const c = new ReasoningCache();
    c.remember(["call_1"], [rs("gAAAA1")], "key-a");
    expect(c.lookup(["call_1"], "key-b")).toBeUndefined();
    expect(c.lookup(["call_1"], "key-a")).toHaveLength(1);
  });

  test("TTL expiry (fake clock), count bound and forget", () => {
    let now = 1_000;
    const c = new ReasoningCache({ ttlMs: 60_000, max: 2, now: () => now });
    c.remember(["a"], [rs("gAAAAa")]);
    now += 59_000;
    expect(c.lookup(["a"])).toHaveLength(1);
    now += 2_000;
    expect(c.lookup(["a"])).toBeUndefined();
    c.remember(["b"], [rs("gAAAAb")]);
    c.remember(["c"], [rs("gAAAAc")]);
    c.remember(["d"], [rs("gAAAAd")]);
    expect(c.size).toBe(2);
    expect(c.lookup(["b"])).toBeUndefined();
    c.forget(["d"]);
    expect(c.lookup(["d"])).toBeUndefined();
  });

  test("byte bound evicts old entries", () => {
    const c = new ReasoningCache({ maxBytes: 100 });
    c.remember(["a"], [rs("g".repeat(60))]);
    c.remember(["b"], [rs("h".repeat(60))]);
    expect(c.lookup(["a"])).toBeUndefined();
    expect(c.lookup(["b"])).toHaveLength(1);
  });

  test("round trip: turn N stream → remember → turn N+1 request carries the same bytes before the call", () => {
    const cache = new ReasoningCache();
    const events = E.seq([E.created(), ...E.reasoning(0, "rs_1", [["plan"]], "gAAAAB-exact-bytes=="), ...E.call(1, "fc_1", "call_7", "f", ['{"a":1}']), E.completed()]);
    const { state } = runStream(events);
    for (const g of state.reasoningForCalls) cache.remember(g.callIds, g.items, "key-a");
    const next = chatToCodex(
      {
        model: "gpt-5.5",
        messages: [{ role: "user", content: "go" }, { role: "assistant", content: null, tool_calls: [{ id: "call_7", type: "function", function: { name: "f", arguments: '{"a":1}' } }] }, { role: "tool", tool_call_id: "call_7", content: "ok" }],
      },
      makeCtx({ reasoningFor: (ids: string[]) => cache.lookup(ids, "key-a") }),
    );
    expect(next.input.slice(1, 3)).toEqual([
      { type: "reasoning", summary: [], encrypted_content: "gAAAAB-exact-bytes==" },
      { type: "function_call", call_id: "call_7", name: "f", arguments: '{"a":1}' },
    ]);
  });
});
