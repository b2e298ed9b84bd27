/**
 * Stickiness on every surface (issue 16 item 2, issue 18 #12): a conversation without a session id stays
 * on one account with one stable prompt_cache_key (Responses included), derived keys are scoped by
 * the API key, the Codex session headers key the session in both spellings, and the upstream's
 * turn state reaches the client and routes its follow-up.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { upstreamCalls, WEATHER_SCHEMA } from "../e2e/helpers.ts";

const OTHER_KEY = "sk-other-tenant-0123456789abcdefghij";
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    accounts: ["ok", "ok", "ok"],
    config: { routing: { strategy: "round_robin" }, keys: [{ name: "e2e", key: E2E_KEY }, { name: "other", key: OTHER_KEY }] },
  });
});
afterAll(() => gw?.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = {}, key = E2E_KEY) {
  const auth: Record<string, string> = path.startsWith("/v1beta") ? { "x-goog-api-key": key } : path === "/v1/messages" ? { "x-api-key": key } : { authorization: `Bearer ${key}` };
  const r = await fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...auth, ...headers }, body: JSON.stringify(body) });
  return { status: r.status, headers: r.headers, json: (await r.json()) as any, upstream: upstreamCalls(gw.mock).at(-1)! };
}

/** One first message, the same for every surface and tenant. */
const FIRST = "Plan a three-day trip to Lisbon.";
const bodies: Record<string, [string, (turn: number) => unknown]> = {
  responses: ["/v1/responses", (t) => ({ model: "gpt-5.5", instructions: "Be brief.", input: [{ role: "user", content: FIRST }, ...(t ? [{ role: "assistant", content: "Day 1…" }, { role: "user", content: `more ${t}` }] : [])] })],
  chat: ["/v1/chat/completions", (t) => ({ model: "gpt-5.5", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: FIRST }, ...(t ? [{ role: "assistant", content: "Day 1…" }, { role: "user", content: `more ${t}` }] : [])] })],
  messages: ["/v1/messages", (t) => ({ model: "claude-sonnet-4-5", max_tokens: 1024, system: "Be brief.", messages: [{ role: "user", content: FIRST }, ...(t ? [{ role: "assistant", content: "Day 1…" }, { role: "user", content: `more ${t}` }] : [])] })],
  gemini: ["/v1beta/models/gemini-2.5-pro:generateContent", (t) => ({ systemInstruction: { parts: [{ text: "Be brief." }] }, contents: [{ role: "user", parts: [{ text: FIRST }] }, ...(t ? [{ role: "model", parts: [{ text: "Day 1…" }] }, { role: "user", parts: [{ text: `more ${t}` }] }] : [])] })],
};

describe("a conversation without a session id", () => {
  for (const [surface, [path, body]] of Object.entries(bodies)) {
    test(`${surface}: every turn on one account, one prompt_cache_key, cache hits from the second turn`, async () => {
      const turns = [];
      for (let t = 0; t < 5; t++) turns.push(await post(path, body(t)));
      expect(turns.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(turns.map((r) => r.upstream.headers["chatgpt-account-id"])).size).toBe(1);
      const keys = new Set(turns.map((r) => r.upstream.body.prompt_cache_key));
      expect(keys.size).toBe(1);
      expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
      // Only the derived key travels upstream as the session header, never the conversation's text.
      expect(turns[0].upstream.headers.session_id).toBe([...keys][0]);
    });

    test(`${surface}: another API key with the same prompt gets its own prompt_cache_key and its own sticky account`, async () => {
      const mine = await post(path, body(0));
      const theirs = await post(path, body(0), {}, OTHER_KEY);
      expect(theirs.status).toBe(200);
      expect(theirs.upstream.body.prompt_cache_key).not.toBe(mine.upstream.body.prompt_cache_key);
      expect(theirs.upstream.headers.session_id).not.toBe(mine.upstream.headers.session_id);
    });
  }
});

describe("Codex session headers key the session in both spellings", () => {
  for (const header of ["session-id", "thread-id", "session_id", "conversation_id"]) {
    test(`${header}`, async () => {
      const id = `0190-${header}-thread`;
      const accounts = new Set<string>();
      for (let t = 0; t < 3; t++) {
        const r = await post("/v1/responses", { model: "gpt-5.5", input: `turn ${t}` }, { [header]: id });
        expect(r.status).toBe(200);
        expect(r.upstream.body.prompt_cache_key).toBe(id);
        accounts.add(r.upstream.headers["chatgpt-account-id"]);
      }
      expect(accounts.size).toBe(1);
    });
  }
});

describe("turn state", () => {
  test("x-codex-turn-state reaches the client, and a follow-up carrying it goes to the account that issued it", async () => {
    const tools = [{ type: "function", name: "get_weather", parameters: WEATHER_SCHEMA }];
    const first = await post("/v1/responses", { model: "gpt-5.5", input: "Use get_weather for Oslo.", tools });
    const state = first.headers.get("x-codex-turn-state");
    expect(state).toBeTruthy();
    const call = first.json.output.find((o: any) => o.type === "function_call");
    for (let i = 0; i < 3; i++) {
      const follow = await post("/v1/responses", { model: "gpt-5.5", input: [{ role: "user", content: `round ${i}` }, call, { type: "function_call_output", call_id: call.call_id, output: "sunny" }], tools }, { "x-codex-turn-state": state! });
      expect(follow.status).toBe(200);
      expect(follow.upstream.headers["chatgpt-account-id"]).toBe(first.upstream.headers["chatgpt-account-id"]);
      expect(follow.upstream.headers["x-codex-turn-state"]).toBe(state!);
    }
  });
});
