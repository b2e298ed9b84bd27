import { expect, test } from "bun:test";
import { ReasoningCache } from "../../src/state/reasoning-cache.ts";
import { createChatSurface } from "../../src/surfaces/chat.ts";
import { createMessagesSurface } from "../../src/surfaces/messages.ts";
import type { TranslateContext } from "../../src/translate/types.ts";

const base: TranslateContext = { requestedModel: "m", upstreamModel: "m", defaultInstructions: "", reasoningOutput: "content", now: 0, newId: (p) => p, keyName: "alice" };
const item = (enc: string) => ({ type: "reasoning", summary: [], encrypted_content: enc });

for (const [name, make] of [["chat", createChatSurface], ["messages", createMessagesSurface]] as const) {
  test(`${name}: reasoning left out of a request (refused, or another account's) is forgotten by the cache; the rest stays`, () => {
    const reasoning = new ReasoningCache();
    reasoning.remember(["call_1"], [item("gAAAA-one")], "alice");
    reasoning.remember(["call_2"], [item("gAAAA-two")], "alice");
    const surface = make({ reasoning } as any);
    const ctx: any = surface.context!(base, { model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 10 }, { model: "m", stream: false }, { headers: new Headers(), url: new URL("http://x/"), params: {} });
    expect(ctx.reasoningFor(["call_1"])).toEqual([item("gAAAA-one")]);
    expect(ctx.reasoningFor(["call_2"])).toEqual([item("gAAAA-two")]);
    surface.onReplayDropped!(ctx, ["gAAAA-one"]);
    expect(reasoning.lookup(["call_1"], "alice")).toBeUndefined();
    expect(reasoning.lookup(["call_2"], "alice")).toEqual([item("gAAAA-two")]);
  });
}
