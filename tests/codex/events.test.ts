import { describe, expect, test } from "bun:test";
import { eventKind, HANDSHAKE_EVENT_TYPES, isHandshakeEvent, isKnownEvent, isStandardEvent, KNOWN_EVENT_TYPES, STANDARD_EVENT_TYPES, type EventKind } from "../../src/codex/events.ts";

describe("event vocabulary", () => {
  // [type, kind, standard (the openai SDK stream helper accepts it)]
  const table: [string, EventKind, boolean][] = [
    ["response.created", "handshake", true],
    ["response.in_progress", "handshake", true],
    ["response.queued", "handshake", true],
    ["keepalive", "handshake", true],
    ["response.metadata", "handshake", false],
    ["codex.rate_limits", "handshake", false],
    ["codex.response.metadata", "handshake", false],
    ["response.completed", "content", true],
    ["response.failed", "content", true],
    ["response.incomplete", "content", true],
    ["error", "content", true],
    ["response.output_item.added", "content", true],
    ["response.output_text.delta", "content", true],
    ["response.output_text.annotation.added", "content", true],
    ["response.reasoning_summary_text.delta", "content", true],
    ["response.function_call_arguments.done", "content", true],
    ["response.custom_tool_call_input.delta", "content", true],
    ["response.code_interpreter_call_code.delta", "content", true],
    ["response.image_generation_call.partial_image", "content", true],
    ["response.web_search_call.searching", "ignorable", true],
    ["response.file_search_call.completed", "ignorable", true],
    ["response.code_interpreter_call.interpreting", "ignorable", true],
    ["response.mcp_list_tools.failed", "ignorable", true],
    // Standard OpenAI types the Codex backend is not known to send: forwarded, counted as drift.
    ["response.audio.delta", "unknown", true],
    ["response.shell_call_command.added", "unknown", true],
    ["response.compaction.compacting", "unknown", true],
    ["response.brand_new_event", "unknown", false],
    ["codex.turn_state", "unknown", false],
    ["", "unknown", false],
  ];
  for (const [type, kind, standard] of table) {
    test(`${type || "(empty)"}: ${kind}${standard ? ", standard" : ""}`, () => {
      expect(eventKind(type)).toBe(kind);
      expect(isStandardEvent(type)).toBe(standard);
      expect(isKnownEvent(type)).toBe(kind !== "unknown");
      expect(isHandshakeEvent(type)).toBe(kind === "handshake");
    });
  }

  test("the exported sets agree with the classification", () => {
    expect(KNOWN_EVENT_TYPES.size).toBe(53);
    expect(HANDSHAKE_EVENT_TYPES.size).toBe(7);
    expect(STANDARD_EVENT_TYPES.size).toBe(60);
    for (const t of HANDSHAKE_EVENT_TYPES) expect(KNOWN_EVENT_TYPES.has(t)).toBe(true);
    for (const t of KNOWN_EVENT_TYPES) expect(eventKind(t)).not.toBe("unknown");
  });
});
