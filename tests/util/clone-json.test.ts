import { describe, expect, test } from "bun:test";
import { cloneJson } from "../../src/translate/clone.ts";

describe("cloneJson", () => {
  const cases: [string, string][] = [
    ["message item", '{"id":"msg_1","type":"message","content":[{"type":"output_text","text":"hi","annotations":[]}],"role":"assistant"}'],
    ["primitives and nulls", '{"a":1,"b":"x","c":null,"d":true,"e":[1,[2,{"f":3}]]}'],
    ["empty", "{}"],
    ["array root", '[{"a":[]},null,"s"]'],
  ];
  for (const [name, json] of cases)
    test(`${name}: equal to structuredClone, not shared`, () => {
      const v = JSON.parse(json);
      const c = cloneJson(v);
      expect(c).toEqual(structuredClone(v));
      expect(JSON.stringify(c)).toBe(JSON.stringify(v));
      if (v && typeof v === "object") expect(c).not.toBe(v);
      if (v.content) {
        c.content[0].text += "!";
        expect(v.content[0].text).toBe("hi");
      }
    });

  test("a parsed __proto__ key stays an own property and does not set the prototype", () => {
    const v = JSON.parse('{"__proto__":{"polluted":1},"a":1}');
    const c = cloneJson(v);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect((c as any).polluted).toBeUndefined();
    expect(JSON.stringify(c)).toBe(JSON.stringify(v));
  });
});
