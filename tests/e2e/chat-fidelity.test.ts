/**
 * Issue 19 on Chat Completions with the official `openai` SDK against the gateway and the mock:
 * `stop` and a small `max_tokens` (finish_reason stop / length, stream and non-stream, usage of
 * what the client received), web search `url_citation` annotations, the image_generation tool
 * passed through with its result as `message.images`, and the Responses surface's long tool names.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_PNG, MOCK_SEARCH_URL } from "../../scripts/mock-upstream/hosted-tools.ts";

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0, timeout: 10_000 });
});
afterAll(() => gw?.stop());

const last = () => gw.mock.responsesRequests().at(-1)!.body;
const hello = [{ role: "user" as const, content: "Say hello." }];

describe("stop and max_tokens (the mock answers “Hello from the mock upstream.”)", () => {
  test("stop: the content ends before the sequence, finish_reason stop, in both modes", async () => {
    const r = await client.chat.completions.create({ model: "gpt-5.5", messages: hello, stop: ["mock"] });
    expect(r.choices[0]!.message.content).toBe("Hello from the ");
    expect(r.choices[0]!.finish_reason).toBe("stop");
    expect(r.usage!.completion_tokens).toBe(3);
    const s = await client.chat.completions.stream({ model: "gpt-5.5", messages: hello, stop: "mock", stream_options: { include_usage: true } }).finalChatCompletion();
    expect(s.choices[0]!.message.content).toBe("Hello from the ");
    expect(s.choices[0]!.finish_reason).toBe("stop");
    expect(s.usage!.completion_tokens).toBe(3);
    expect(JSON.stringify(last())).not.toContain('"stop"');
  });

  test("max_tokens: finish_reason length", async () => {
    const r = await client.chat.completions.create({ model: "gpt-5.5", messages: hello, max_tokens: 2 });
    expect(r.choices[0]!.message.content).toBe("Hello from");
    expect(r.choices[0]!.finish_reason).toBe("length");
    const s = await client.chat.completions.stream({ model: "gpt-5.5", messages: hello, max_completion_tokens: 2 }).finalChatCompletion().catch((e) => e);
    // The SDK's own rule: a parse helper throws on length; a plain stream finishes with it.
    expect(s.choices?.[0]?.finish_reason ?? s.message).toMatch(/length/);
  });

  test("more than 16 stop sequences is a 400 naming the field", async () => {
    const err = await client.chat.completions.create({ model: "gpt-5.5", messages: hello, stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("stop");
  });
});

describe("hosted tools", () => {
  test("web search: url_citation annotations, stream and non-stream", async () => {
    const ask = { model: "gpt-5.5", messages: [{ role: "user" as const, content: "[[mock-search]] what is the answer" }], web_search_options: {} };
    const r = await client.chat.completions.create(ask);
    const want = { type: "url_citation" as const, url_citation: { url: MOCK_SEARCH_URL, title: "Mock search result", start_index: 30, end_index: 46 } };
    expect(r.choices[0]!.message.annotations).toEqual([want]);
    const s = await client.chat.completions.stream(ask).finalChatCompletion();
    expect(s.choices[0]!.message.annotations).toEqual([want]);
    expect(s.choices[0]!.message.content).toBe("According to the mock search, the answer is 42.");
  });

  test("image_generation passes through; the image comes back as message.images (OpenRouter's shape)", async () => {
    const ask: any = { model: "gpt-5.5", messages: [{ role: "user", content: "[[mock-image]] a red pixel" }], tools: [{ type: "image_generation", output_format: "png" }] };
    const r: any = await client.chat.completions.create(ask);
    expect(r.choices[0].message.images).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${MOCK_PNG}` } }]);
    expect(last().tools).toEqual([{ type: "image_generation", output_format: "png" }]);
    const s: any = await client.chat.completions.stream(ask).finalChatCompletion();
    expect(s.choices[0].message.images[0].image_url.url).toBe(`data:image/png;base64,${MOCK_PNG}`);
  });

  test("Responses: image_generation passes through and its item reaches the client", async () => {
    const r = await client.responses.create({ model: "gpt-5.5", input: "[[mock-image]] a red pixel", tools: [{ type: "image_generation" }] });
    const item = r.output.find((i) => i.type === "image_generation_call") as any;
    expect(item.result).toBe(MOCK_PNG);
  });
});

test("Responses: a tool name over 64 characters reaches the upstream shortened and comes back whole", async () => {
  const long = `mcp__a_very_long_server_name_for_the_tests__${"lookup_every_record_".repeat(2)}now`;
  const r = await client.responses.create({ model: "gpt-5.5", input: `call ${long}`, tools: [{ type: "function", name: long, parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] }, strict: false }], tool_choice: "required" });
  const sent = last().tools[0].name;
  expect(sent.length).toBeLessThanOrEqual(64);
  expect(sent).not.toBe(long);
  expect(r.output.find((i) => i.type === "function_call")).toMatchObject({ name: long });
  const names: string[] = [];
  const stream = client.responses.stream({ model: "gpt-5.5", input: "go", tools: [{ type: "function", name: long, parameters: { type: "object", properties: {} }, strict: false }], tool_choice: "required" });
  stream.on("response.output_item.done", (e) => (e.item.type === "function_call" ? names.push(e.item.name) : undefined));
  const final = await stream.finalResponse();
  expect(names).toEqual([long]);
  expect((final.output.find((i) => i.type === "function_call") as any).name).toBe(long);
});
