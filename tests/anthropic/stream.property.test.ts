/**
 * docs/clients.md C6.1 invariants as properties: whatever the interleaving of upstream items (parallel calls,
 * overlapping reasoning/text), the client stream has one message_start, one block open at a time,
 * contiguous indices, complete tool inputs, message_delta after every stop, and the content equals
 * the items in the order they were announced.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isKnownEvent } from "../../src/codex/events.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { callItem, checkInvariants, completed, created, fernet, makeCtx, reasoningItem, run, textItem, THINKING_BODY } from "./helpers.ts";

type Spec =
  | { kind: "text"; chunks: string[] }
  | { kind: "reasoning"; parts: string[][] }
  | { kind: "call"; name: string; input: Record<string, unknown>; cuts: number[] };

const chunk = fc.string({ maxLength: 6 });
const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), chunks: fc.array(chunk, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant("reasoning" as const), parts: fc.array(fc.array(chunk, { minLength: 1, maxLength: 3 }), { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant("call" as const),
    name: fc.constantFrom("Read", "Grep", "Bash"),
    input: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer())),
    cuts: fc.array(fc.nat({ max: 40 }), { maxLength: 3 }),
  }),
);

function eventsOf(s: Spec, i: number): CodexEvent[] {
  if (s.kind === "text") return textItem(i, s.chunks);
  if (s.kind === "reasoning") return reasoningItem(i, s.parts, fernet(1, i + 3));
  const args = JSON.stringify(s.input);
  // Split the arguments at random points; empty pieces are empty deltas, which must be no-ops (E16).
  const bounds = [0, ...s.cuts.map((c) => Math.min(c, args.length)).sort((a, b) => a - b), args.length];
  return callItem(i, `call_${i}`, s.name, bounds.slice(1).map((end, k) => args.slice(bounds[k], end)));
}

/** Merges per-item event lists in a random order that keeps each item's own order. */
function interleave(lists: CodexEvent[][], choices: number[]): CodexEvent[] {
  const queues = lists.map((l) => [...l]);
  const out: CodexEvent[] = [];
  let k = 0;
  for (;;) {
    const live = queues.filter((q) => q.length > 0);
    if (live.length === 0) return out;
    out.push(live[(choices[k++ % choices.length] ?? 0) % live.length]!.shift()!);
  }
}

function expectedContent(specs: Spec[], order: number[]): unknown[] {
  const content: unknown[] = [];
  for (const i of order) {
    const s = specs[i]!;
    if (s.kind === "text") {
      const text = s.chunks.join("");
      if (text) content.push({ type: "text", text });
    } else if (s.kind === "reasoning") {
      content.push({ type: "thinking", thinking: s.parts.map((p) => p.join("")).filter((t) => t !== "").join("\n\n"), signature: fernet(1, i + 3) });
    } else {
      content.push({ type: "tool_use", id: `call_${i}`, name: s.name, input: s.input });
    }
  }
  return content;
}

describe("anthropicStream properties", () => {
  test("any interleaving of items yields a valid stream with the announced content", () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (specs, choices) => {
        const lists = specs.map(eventsOf);
        const merged = interleave(lists, choices);
        // Items are announced in the order their first event appears.
        const order = [...new Set(merged.map((ev) => ev.output_index as number))];
        const r = run([created(), ...merged, completed()], makeCtx({}, THINKING_BODY));
        const msg = checkInvariants(r.events);
        expect(msg.content).toEqual(expectedContent(specs, order));
        expect(msg.stop_reason).toBe(specs.some((s) => s.kind === "call") ? "tool_use" : "end_turn");
        expect(merged.filter((ev) => !isKnownEvent(ev.type)).length).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test("a stream cut anywhere ends with exactly one error frame and no message_stop", () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 4 }), fc.nat(), (specs, cut) => {
        const all = [created(), ...specs.flatMap(eventsOf)];
        const r = run(all.slice(0, (cut % all.length) + 1), makeCtx({}, THINKING_BODY), { kind: "eof" });
        expect(r.events.filter((e) => e.event === "error").length).toBe(1);
        expect(r.events.at(-1)!.event).toBe("error");
        checkInvariants(r.events);
      }),
      { numRuns: 200 },
    );
  });
});
