/**
 * Reasoning the gateway did not see minted (another gateway instance, a restart) and the upstream
 * refuses with invalid_encrypted_content: the turn is retried once without it, on every surface and
 * in raw passthrough, and the client sees a normal answer (issue 16, item 3).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mintEncrypted } from "../../scripts/mock-upstream/binding.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { upstreamCalls } from "../e2e/helpers.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ accounts: ["ok"] });
});
afterAll(() => gw?.stop());

/** Minted for an account this gateway does not have. */
const foreign = () => mintEncrypted("acct-elsewhere");
const reasoningSent = (r: { body: any }) => (r.body.input as any[]).filter((i) => i.type === "reasoning").length;

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  // Raw passthrough streams the upstream's SSE; the others answer one JSON body.
  return { status: r.status, text, completed: text.includes("response.completed") || text.startsWith("{") };
}

const cases: [string, string, () => unknown, Record<string, string>][] = [
  ["responses", "/v1/responses", () => ({ model: "gpt-5.5", input: [{ role: "user", content: "q" }, { type: "reasoning", summary: [], encrypted_content: foreign() }, { role: "assistant", content: "a" }, { role: "user", content: "next" }] }), {}],
  ["responses, raw passthrough", "/v1/responses", () => ({ model: "gpt-5.5-high", instructions: "x", stream: true, store: false, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "q" }] }, { type: "reasoning", summary: [], encrypted_content: foreign() }] }), { "x-codex-mode": "raw" }],
  ["messages", "/v1/messages", () => ({ model: "claude-sonnet-4-5", max_tokens: 100, thinking: { type: "enabled", budget_tokens: 1024 }, messages: [{ role: "user", content: "q" }, { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: foreign() }, { type: "text", text: "a" }] }, { role: "user", content: "next" }] }), {}],
];

describe("invalid_encrypted_content is retried once without the replayed reasoning", () => {
  for (const [name, path, body, extra] of cases) {
    test(name, async () => {
      const n = upstreamCalls(gw.mock).length;
      const auth: Record<string, string> = path === "/v1/messages" ? { "x-api-key": gw.key } : { authorization: `Bearer ${gw.key}` };
      const r = await post(path, body(), { ...auth, ...extra });
      const sent = upstreamCalls(gw.mock).slice(n);
      expect(r.status, r.text).toBe(200);
      expect(r.completed, r.text).toBe(true);
      expect(sent.map((s) => [s.status, reasoningSent(s)])).toEqual([
        [400, 1],
        [200, 0],
      ]);
      // Rebuilt from the structured body: what the gateway resolved is kept (an effort suffix → base model + effort).
      if (extra["x-codex-mode"]) expect([sent[1].body.model, sent[1].body.reasoning?.effort]).toEqual(["gpt-5.5", "high"]);
    });
  }

  test("the metric counts the retries", async () => {
    const text = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(text).toMatch(new RegExp(`replay_dropped_total\\{reason="refused"\\} ${cases.length}\\b`));
  });
});
