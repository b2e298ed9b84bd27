import { describe, expect, test } from "bun:test";
import { AccountLedger } from "../../src/state/account-ledger.ts";
import { digestOf, replayOf } from "../../src/upstream/replay.ts";

describe("AccountLedger", () => {
  test("per key: which account minted an item, and issued a turn state", () => {
    const l = new AccountLedger();
    l.minted("alice", "d1", "acct-a");
    l.turnState("alice", "ts-1", "acct-b");
    expect(l.minter("alice", "d1")).toBe("acct-a");
    expect(l.turnAccount("alice", "ts-1")).toBe("acct-b");
    // Another key cannot steer by (or learn from) alice's items.
    expect(l.minter("bob", "d1")).toBeUndefined();
    expect(l.turnAccount("bob", "ts-1")).toBeUndefined();
    // Item digests and turn states do not collide.
    expect(l.turnAccount("alice", "d1")).toBeUndefined();
    l.forget("alice", "d1");
    expect(l.minter("alice", "d1")).toBeUndefined();
  });

  test("bounded by count and by time since last use", () => {
    let now = 1000;
    const l = new AccountLedger({ max: 2, ttlMs: 100, now: () => now });
    l.minted("k", "1", "a");
    l.minted("k", "2", "a");
    l.minted("k", "3", "a");
    expect(l.size).toBe(2);
    expect(l.minter("k", "1")).toBeUndefined();
    now += 60;
    expect(l.minter("k", "2")).toBe("a");
    now += 60;
    expect(l.minter("k", "2")).toBe("a");
    expect(l.minter("k", "3")).toBeUndefined();
  });
});

describe("replayOf: the encrypted items a body replays", () => {
  const body = {
    model: "m",
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text: "q" }] },
      { type: "reasoning", summary: [], encrypted_content: "gAAAA-r1" },
      { type: "compaction", encrypted_content: "gAAAA-c1" },
      { type: "reasoning", summary: [{ type: "summary_text", text: "no blob" }] },
      { type: "compaction_summary", encrypted_content: "gAAAA-c2" },
    ],
  };

  test("reasoning and compaction items with encrypted content, by digest, in order", () => {
    expect(replayOf(body)!.items).toEqual([
      { kind: "reasoning", digest: digestOf("gAAAA-r1") },
      { kind: "compaction", digest: digestOf("gAAAA-c1") },
      { kind: "compaction", digest: digestOf("gAAAA-c2") },
    ]);
    expect(replayOf({ input: [body.input[0]] })).toBeUndefined();
    expect(replayOf("not a body")).toBeUndefined();
  });

  test("rebuilds the body without the selected items, reports what went, and leaves the original alone", () => {
    const gone: string[][] = [];
    const r = replayOf(body, (v) => gone.push(v))!;
    const out = JSON.parse(r.without((it) => it.kind === "reasoning"));
    expect(out.input.map((i: any) => i.type)).toEqual(["message", "compaction", "reasoning", "compaction_summary"]);
    expect(out.model).toBe("m");
    expect(gone).toEqual([["gAAAA-r1"]]);
    expect(body.input.length).toBe(5);
    expect(JSON.parse(r.without(() => false)).input.length).toBe(5);
    expect(gone.length).toBe(1);
  });
});
