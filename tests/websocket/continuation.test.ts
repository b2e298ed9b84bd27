/**
 * Continuing on an upstream socket (upstream/ws-continuation.ts, docs/protocol.md P4.4): a request
 * that extends what the socket holds goes as previous_response_id + the new items; anything else
 * goes in full. Items compare by what the model sees, so a client's replay of the upstream's own
 * output (ids stripped, annotations dropped) still continues.
 */
import { describe, expect, test } from "bun:test";
import { chainAfter, continuation, fingerprint } from "../../src/upstream/ws-continuation.ts";

const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const base = { model: "gpt-5.5", instructions: "x", tools: [], reasoning: { effort: "low" }, stream: true, store: false };
const output = [
  { id: "rs_1", type: "reasoning", summary: [], encrypted_content: "gAAAA-enc" },
  { id: "msg_1", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "hi", annotations: [], logprobs: [] }] },
];

describe("continuation", () => {
  const first = { ...base, input: [user("q1")] };
  const chain = chainAfter(continuation(first, undefined), "resp_1", output);

  test("the client's replay of the output (no ids, no annotations) plus new items → previous_response_id and the new items", () => {
    const replay = [{ type: "reasoning", summary: [], encrypted_content: "gAAAA-enc" }, { type: "message", role: "assistant", content: [{ type: "output_text", text: "hi" }] }];
    const next = { ...base, client_metadata: { turn_id: "t2" }, input: [user("q1"), ...replay, user("q2")] };
    expect(continuation(next, chain)).toMatchObject({ frame: { ...next, previous_response_id: "resp_1", input: [user("q2")] }, continued: true });
  });

  test.each([
    ["a changed request field", { ...base, instructions: "y", input: [user("q1"), ...output, user("q2")] }],
    ["an edited history", { ...base, input: [user("q1 edited"), ...output, user("q2")] }],
    ["nothing new", { ...base, input: [user("q1"), ...output] }],
    ["a history replaced by a compaction", { ...base, input: [{ type: "compaction", encrypted_content: "gAAAA-c" }, user("q2")] }],
  ])("%s → the full request", (_why, body) => {
    expect(continuation(body, chain)).toMatchObject({ frame: body, continued: false });
  });

  test("no chain (a fresh socket, or the last turn failed) → the full request", () => {
    const body = { ...base, input: [user("q1")] };
    expect(continuation(body, undefined).continued).toBe(false);
  });

  test("fingerprints: input_text and output_text are the same text; calls by call id, name and arguments", () => {
    expect(fingerprint({ role: "assistant", content: "hi" })).toBe(fingerprint(output[1]));
    expect(fingerprint({ type: "function_call", id: "fc_1", call_id: "c", name: "n", arguments: "{}" })).toBe(fingerprint({ type: "function_call", call_id: "c", name: "n", arguments: "{}", status: "completed" }));
    expect(fingerprint({ type: "function_call", call_id: "c", name: "n", arguments: "{}" })).not.toBe(fingerprint({ type: "function_call", call_id: "c", name: "n", arguments: '{"a":1}' }));
  });
});
