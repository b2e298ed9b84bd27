import { describe, expect, test } from "bun:test";
import { MemoryAffinityStore } from "../../src/accounts/stores.ts";

describe("MemoryAffinityStore", () => {
  test("bounded by count: the least recently used session goes first", () => {
    const s = new MemoryAffinityStore(() => 60_000, 2);
    s.set("a", "acct1");
    s.set("b", "acct2");
    expect(s.get("a")).toBe("acct1");
    s.set("c", "acct3");
    expect(s.get("b")).toBeUndefined();
    expect(s.get("a")).toBe("acct1");
    expect(s.get("c")).toBe("acct3");
  });
});
