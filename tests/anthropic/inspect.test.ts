import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { inspectMessages, isCodexEncryptedContent, sessionFromUserId } from "../../src/translate/anthropic/index.ts";
import { fernet } from "./helpers.ts";

const ok = (over: Record<string, unknown> = {}) => ({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...over });

describe("inspectMessages: validation (400 naming the field)", () => {
  const cases: [string, unknown, string | null][] = [
    ["not an object", "hello", null],
    ["array body", [], null],
    ["null body", null, null],
    ["missing model", { max_tokens: 1, messages: [] }, "model"],
    ["empty model", ok({ model: "" }), "model"],
    ["messages missing", { model: "m", max_tokens: 1 }, "messages"],
    ["messages not an array", ok({ messages: "hi" }), "messages"],
    ["messages empty", ok({ messages: [] }), "messages"],
    ["max_tokens zero", ok({ max_tokens: 0 }), "max_tokens"],
    ["max_tokens fractional", ok({ max_tokens: 1.5 }), "max_tokens"],
    ["max_tokens string", ok({ max_tokens: "100" }), "max_tokens"],
    ["stream not boolean", ok({ stream: "yes" }), "stream"],
    ["bad role", ok({ messages: [{ role: "tool", content: "x" }] }), "messages.0.role"],
    ["content not string/array", ok({ messages: [{ role: "user", content: 5 }] }), "messages.0.content"],
    ["block without type", ok({ messages: [{ role: "user", content: [{}] }] }), "messages.0.content.0.type"],
    ["system wrong type", ok({ system: 5 }), "system"],
    ["system block without text", ok({ system: [{ type: "text" }] }), "system.0"],
    ["tools not an array", ok({ tools: {} }), "tools"],
    ["tool without name", ok({ tools: [{ input_schema: {} }] }), "tools.0.name"],
    ["tool_choice bad type", ok({ tool_choice: { type: "sometimes" } }), "tool_choice.type"],
    ["tool_choice tool without name", ok({ tool_choice: { type: "tool" } }), "tool_choice.name"],
    ["thinking without type", ok({ thinking: {} }), "thinking.type"],
    ["thinking budget not integer", ok({ thinking: { type: "enabled", budget_tokens: "lots" } }), "thinking.budget_tokens"],
    ["metadata not object", ok({ metadata: "u" }), "metadata"],
  ];
  for (const [name, body, param] of cases) {
    test(name, () => {
      let err: unknown;
      try {
        inspectMessages(body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      const g = err as GatewayError;
      expect(g.status).toBe(400);
      expect(g.type).toBe("invalid_request_error");
      expect(g.param).toBe(param);
      if (param) expect(g.message).toContain(param);
    });
  }
  test("lenient: missing max_tokens, unknown fields, mid-conversation system role", () => {
    const r = inspectMessages({ model: "m", messages: [{ role: "system", content: "s" }, { role: "user", content: "x" }], context_management: {}, temperature: 1 });
    expect(r).toEqual({ model: "m", stream: false, maxOutputTokens: undefined, effort: undefined, sessionKey: undefined });
  });
});

describe("inspectMessages: values", () => {
  test("model, stream, maxOutputTokens", () => {
    expect(inspectMessages(ok({ stream: true, max_tokens: 128000 }))).toMatchObject({ model: "claude-sonnet-4-5", stream: true, maxOutputTokens: 128000 });
  });

  const efforts: [string, unknown, string | undefined][] = [
    ["absent", {}, undefined],
    ["disabled", { thinking: { type: "disabled" } }, "none"],
    ["budget 0", { thinking: { type: "enabled", budget_tokens: 0 } }, "none"],
    ["budget 512", { thinking: { type: "enabled", budget_tokens: 512 } }, "minimal"],
    ["budget 1024", { thinking: { type: "enabled", budget_tokens: 1024 } }, "low"],
    ["budget 4000 (think)", { thinking: { type: "enabled", budget_tokens: 4000 } }, "medium"],
    ["budget 10000 (think hard)", { thinking: { type: "enabled", budget_tokens: 10000 } }, "high"],
    ["budget 24576", { thinking: { type: "enabled", budget_tokens: 24576 } }, "high"],
    ["budget 31999 (ultrathink)", { thinking: { type: "enabled", budget_tokens: 31999 } }, "xhigh"],
    ["budget -1 (auto)", { thinking: { type: "enabled", budget_tokens: -1 } }, undefined],
    ["adaptive alone", { thinking: { type: "adaptive" } }, undefined],
    ["adaptive + effort", { thinking: { type: "adaptive", display: "omitted" }, output_config: { effort: "medium" } }, "medium"],
    ["effort max", { thinking: { type: "adaptive" }, output_config: { effort: "max" } }, "max"],
    ["effort wins over budget", { thinking: { type: "enabled", budget_tokens: 31999 }, output_config: { effort: "low" } }, "low"],
    ["effort without thinking", { output_config: { effort: "high" } }, "high"],
    ["unknown effort ignored", { output_config: { effort: "ludicrous" } }, undefined],
    ["disabled beats effort", { thinking: { type: "disabled" }, output_config: { effort: "high" } }, "none"],
  ];
  for (const [name, over, effort] of efforts) test(`effort: ${name}`, () => expect(inspectMessages(ok(over as any)).effort).toBe(effort));

  const sessions: [string, unknown, Record<string, string> | undefined, string | undefined][] = [
    ["header", {}, { "x-claude-code-session-id": "s-1" }, "s-1"],
    ["header + agent", {}, { "x-claude-code-session-id": "s-1", "x-claude-code-agent-id": "a-2" }, "s-1/a-2"],
    ["header beats user_id", { metadata: { user_id: "user_x_account_y_session_s-9" } }, { "x-claude-code-session-id": "s-1" }, "s-1"],
    ["legacy user_id", { metadata: { user_id: "user_ab12_account_9f_session_3c2e7d9a-1111-2222-3333-444455556666" } }, undefined, "3c2e7d9a-1111-2222-3333-444455556666"],
    ["JSON user_id (2.1)", { metadata: { user_id: '{"device_id":"d","account_uuid":"","session_id":"abc-123"}' } }, undefined, "abc-123"],
    ["plain user_id is a person, not a session", { metadata: { user_id: "alice" } }, undefined, undefined],
    ["broken JSON user_id", { metadata: { user_id: "{not json" } }, undefined, undefined],
    ["none", {}, undefined, undefined],
  ];
  for (const [name, over, headers, key] of sessions) {
    test(`sessionKey: ${name}`, () => expect(inspectMessages(ok(over as any), headers ? new Headers(headers) : undefined).sessionKey).toBe(key));
  }
  test("sessionFromUserId ignores non-strings", () => expect(sessionFromUserId(42)).toBeUndefined());
});

describe("isCodexEncryptedContent (Fernet shape test, docs/protocol.md P2.7-10)", () => {
  const cases: [string, unknown, boolean][] = [
    ["Fernet, 1 block", fernet(1), true],
    ["Fernet, 5 blocks", fernet(5), true],
    ["Fernet without padding", fernet(2).replace(/=+$/, ""), true],
    ["Anthropic signature", "EqQBCkgIBhABGAIiQL1xkz4u7C+2nZ/TJzY0", false],
    ["empty", "", false],
    ["not a string", 123, false],
    ["gAAAA prefix but too short", "gAAAAABoAAAA", false],
    ["wrong ciphertext length", fernet(2).replace(/=+$/, "") + "AAAA", false],
    ["non-base64url characters", `${fernet(2).slice(0, 20)}+${fernet(2).slice(21)}`, false],
  ];
  for (const [name, sig, expected] of cases) test(name, () => expect(isCodexEncryptedContent(sig)).toBe(expected));
});
