import { describe, expect, test } from "bun:test";
import { configFromObject } from "../../src/config/load.ts";
import { EXAMPLE_SHA256, unsafeSettings } from "../../src/config/safety.ts";

const realKey = { name: "alice", key: "sk-real-key-0123456789abcdef" };

describe("unsafe settings refused at start-up", () => {
  const cases: [string, Record<string, unknown>, string | undefined, RegExp | undefined][] = [
    ["loopback without keys is fine", { server: { listen: "127.0.0.1:8082" } }, undefined, undefined],
    ["0.0.0.0 without keys is refused", { server: { listen: "0.0.0.0:8082" } }, undefined, /beyond loopback\) with no client keys/],
    ["--listen beyond loopback without keys is refused", { server: { listen: "127.0.0.1:8082" } }, "0.0.0.0", /beyond loopback/],
    ["0.0.0.0 with a real key is fine", { server: { listen: "0.0.0.0:8082" }, keys: [realKey] }, undefined, undefined],
    ["0.0.0.0 with only a disabled key is refused", { server: { listen: "0.0.0.0:8082" }, keys: [{ ...realKey, enabled: false }] }, undefined, /no client keys/],
    ["the example placeholder hash beyond loopback is refused", { server: { listen: "0.0.0.0:8082" }, keys: [realKey, { name: "example", key_sha256: EXAMPLE_SHA256 }] }, undefined, /example placeholder/],
    ["a documented example key is refused", { keys: [{ name: "demo", key: "sk-your-key" }] }, undefined, /example key from the documentation/],
  ];
  for (const [name, obj, host, expected] of cases) {
    test(name, () => {
      const problems = unsafeSettings(configFromObject(obj), host);
      if (expected) expect(problems.join("\n")).toMatch(expected);
      else expect(problems).toEqual([]);
    });
  }
});
