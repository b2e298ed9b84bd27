/**
 * Issue 19 with the official `@anthropic-ai/sdk` against the gateway and the mock upstream:
 * `stop_sequences` and a small `max_tokens` end the message (stream and non-stream) and cancel the
 * upstream; Claude Code's web search request gets server_tool_use / web_search_tool_result blocks
 * and citations; `models.list()` reads Anthropic's list shape; `message_start` comes before any
 * ping, even when the model is slow to start.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_SEARCH_URL } from "../../scripts/mock-upstream/hosted-tools.ts";

let gw: TestGateway;
let slow: TestGateway;
let client: Anthropic;
let slowClient: Anthropic;

beforeAll(async () => {
  gw = await startTestGateway();
  // Every upstream event 120 ms apart, keepalives after 20 ms of silence: pings flow before the first content.
  slow = await startTestGateway({ mock: { deltaDelayMs: 120 }, config: { upstream: { keepalive: "20ms" } } });
  client = new Anthropic({ baseURL: gw.url, apiKey: gw.key, authToken: null, maxRetries: 0, timeout: 10_000 });
  slowClient = new Anthropic({ baseURL: slow.url, apiKey: slow.key, authToken: null, maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => {
  await gw?.stop();
  await slow?.stop();
});

const ask = { model: "claude-sonnet-5-5", max_tokens: 1024, messages: [{ role: "user" as const, content: "Say hello." }] };
const textOf = (m: Anthropic.Message) => m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("stop_sequences (the mock answers “Hello from the mock upstream.”)", () => {
  test("messages.create: the text ends before the sequence; stop_reason stop_sequence with the sequence", async () => {
    const m = await client.messages.create({ ...ask, stop_sequences: ["NEVER", "upstream"] });
    expect(textOf(m)).toBe("Hello from the mock ");
    expect(m.stop_reason).toBe("stop_sequence");
    expect(m.stop_sequence).toBe("upstream");
    expect(m.usage.output_tokens).toBe(4);
    // The sequences never go upstream (the backend takes none).
    expect(JSON.stringify(gw.mock.responsesRequests().at(-1)!.body)).not.toContain("upstream\"");
  });

  test("messages.stream: MessageStream accepts the cut stream and agrees", async () => {
    const m = await client.messages.stream({ ...ask, stop_sequences: ["mock up"] }).finalMessage();
    expect(textOf(m)).toBe("Hello from the ");
    expect(m.stop_reason).toBe("stop_sequence");
    expect(m.stop_sequence).toBe("mock up");
  });

  test("the upstream is cancelled once the answer is decided", async () => {
    const before = slow.mock.stats.aborted;
    const m = await slowClient.messages.stream({ ...ask, stop_sequences: ["from"] }).finalMessage();
    expect(textOf(m)).toBe("Hello ");
    await Bun.sleep(150);
    expect(slow.mock.stats.aborted).toBe(before + 1);
  });

  test("max_tokens under the emulation size ends the message with max_tokens", async () => {
    const m = await client.messages.create({ ...ask, max_tokens: 3 });
    expect(textOf(m)).toBe("Hello from the");
    expect(m.stop_reason).toBe("max_tokens");
    const s = await client.messages.stream({ ...ask, max_tokens: 3 }).finalMessage();
    expect(textOf(s)).toBe("Hello from the");
    expect(s.stop_reason).toBe("max_tokens");
  });
});

describe("web search, as Claude Code's WebSearch tool asks for it", () => {
  const search = { model: "claude-sonnet-5-5", max_tokens: 1024, tools: [{ type: "web_search_20250305" as const, name: "web_search" as const, max_uses: 8 }], messages: [{ role: "user" as const, content: "[[mock-search]] the answer to everything" }] };
  for (const mode of ["create", "stream"] as const) {
    test(`${mode}: server_tool_use with the query, web_search_tool_result with the pages, a cited text`, async () => {
      const m = mode === "create" ? await client.messages.create(search) : await client.messages.stream(search).finalMessage();
      expect(m.content.map((b) => b.type)).toEqual(["server_tool_use", "web_search_tool_result", "text"]);
      const use = m.content[0] as Anthropic.ServerToolUseBlock;
      expect(use).toMatchObject({ name: "web_search", input: { query: "the answer to everything" } });
      const result = m.content[1] as Anthropic.WebSearchToolResultBlock;
      expect(result.tool_use_id).toBe(use.id);
      expect((result.content as Anthropic.WebSearchResultBlock[]).map((r) => r.url)).toEqual([MOCK_SEARCH_URL]);
      const text = m.content[2] as Anthropic.TextBlock;
      expect(text.citations?.[0]).toMatchObject({ type: "web_search_result_location", url: MOCK_SEARCH_URL, cited_text: "the answer is 42", title: "Mock search result" });
      expect(m.usage.server_tool_use?.web_search_requests).toBe(1);
      expect(gw.mock.responsesRequests().at(-1)!.body.tools).toEqual([{ type: "web_search" }]);
    });
  }
});

describe("models and stream order", () => {
  test("models.list() reads Anthropic's list shape (anthropic-version header)", async () => {
    const page = await client.models.list({ limit: 3 });
    expect(page.data.length).toBe(3);
    for (const m of page.data) expect(m).toMatchObject({ type: "model", id: expect.any(String), display_name: expect.any(String), created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 5 })) all.push(m.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain("gpt-5.5");
    const one = await client.models.retrieve("gpt-5.5");
    expect(one).toMatchObject({ type: "model", id: "gpt-5.5" });
    const missing = await client.models.retrieve("no-such-model").catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    // Without the header: the OpenAI list, as before.
    const plain = (await (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${gw.key}` } })).json()) as any;
    expect(plain.object).toBe("list");
  });

  test("message_start is the first frame even when pings start before the content", async () => {
    const res = await fetch(`${slow.url}/v1/messages`, { method: "POST", headers: { "x-api-key": slow.key, "anthropic-version": "2023-06-01", "content-type": "application/json" }, body: JSON.stringify({ ...ask, stream: true }) });
    const wire = await res.text();
    const events = [...wire.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message_start");
    expect(events.filter((e) => e === "message_start").length).toBe(1);
    expect(events.indexOf("ping")).toBe(1);
    expect(events.filter((e) => e === "ping").length).toBeGreaterThan(1);
    expect(events.at(-1)).toBe("message_stop");
  });
});
