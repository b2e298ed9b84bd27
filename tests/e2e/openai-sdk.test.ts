/**
 * The official `openai` SDK against a running gateway in front of the mock upstream (issue 8,
 * "Real clients"). The SDK's own stream helpers (ResponseStream, ChatCompletionStream, runTools)
 * are the oracle: they throw on any event they cannot fold into a final object.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, lastUpstream, MOCK_ARG, MOCK_TEXT, MOCK_TEXT_DELTAS, mockUsage, upstreamCalls, WEATHER_SCHEMA } from "./helpers.ts";

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0, timeout: 10_000 });
});
afterAll(() => gw?.stop());

// A 1x1 transparent PNG.
const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("openai SDK: Responses", () => {
  test("responses.create, non-stream: text and usage", async () => {
    const r = await client.responses.create({ model: "gpt-5.5", input: "Say hello." });
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe(MOCK_TEXT);
    const up = lastUpstream(gw.mock);
    expect(up.body.stream).toBe(true);
    expect(up.body.model).toBe("gpt-5.5");
    const u = mockUsage(gw.mock, up, "text");
    expect(r.usage).toMatchObject({ input_tokens: u.input, output_tokens: u.output, total_tokens: u.total });
    expect(r.usage?.input_tokens_details?.cached_tokens).toBe(u.cached);
  });

  test("responses.stream: the ResponseStream helper folds every event", async () => {
    const deltas: string[] = [];
    const types = new Set<string>();
    const stream = client.responses.stream({ model: "gpt-5.5", input: "Say hello, streaming." });
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    for await (const ev of stream) types.add(ev.type);
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe(MOCK_TEXT);
    expect(deltas.length).toBe(MOCK_TEXT_DELTAS);
    expect(final.output_text).toBe(MOCK_TEXT);
    for (const t of ["response.created", "response.output_item.added", "response.output_text.done", "response.output_item.done", "response.completed"]) expect(types).toContain(t);
    const u = mockUsage(gw.mock, lastUpstream(gw.mock), "text");
    expect(final.usage).toMatchObject({ input_tokens: u.input, output_tokens: u.output });
  });

  test("tools: a two-turn function-call loop (stream, then non-stream)", async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: "function", name: "get_weather", description: "Weather for a city", parameters: { ...WEATHER_SCHEMA }, strict: true }];
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Use get_weather for Paris." }];
    const stream = client.responses.stream({ model: "gpt-5.5", input, tools });
    const argDeltas: string[] = [];
    stream.on("response.function_call_arguments.delta", (e) => argDeltas.push(e.delta));
    const first = await stream.finalResponse();
    const call = first.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall | undefined;
    expect(call?.name).toBe("get_weather");
    expect(JSON.parse(call!.arguments)).toEqual({ city: MOCK_ARG });
    expect(argDeltas.join("")).toBe(call!.arguments);
    expect(call!.call_id).toMatch(/^call_/);
    expect(first.usage?.output_tokens).toBe(mockUsage(gw.mock, lastUpstream(gw.mock), "call").output);

    const second = await client.responses.create({
      model: "gpt-5.5",
      tools,
      input: [...input, ...first.output.filter((o) => o.type === "function_call"), { type: "function_call_output", call_id: call!.call_id, output: "sunny, 21 C" }] as OpenAI.Responses.ResponseInput,
    });
    expect(second.output_text).toBe(MOCK_TEXT);
    const up = lastUpstream(gw.mock);
    expect(inputItems(up, "function_call")[0]).toMatchObject({ call_id: call!.call_id, name: "get_weather" });
    expect(inputItems(up, "function_call_output")[0]).toMatchObject({ call_id: call!.call_id, output: "sunny, 21 C" });
  });

  test("an image input reaches the upstream as input_image", async () => {
    const r = await client.responses.create({
      model: "gpt-5.5",
      input: [{ role: "user", content: [{ type: "input_text", text: "What is in this image?" }, { type: "input_image", image_url: PNG, detail: "auto" }] }],
    });
    expect(r.output_text).toBe(MOCK_TEXT);
    const msg = inputItems(lastUpstream(gw.mock), "message").at(-1);
    expect(msg.content).toContainEqual(expect.objectContaining({ type: "input_image", image_url: PNG }));
  });

  test("responses.parse with a json_schema text format", async () => {
    const r = await client.responses.parse({
      model: "gpt-5.5",
      input: "Name a city and its population.",
      text: { format: { type: "json_schema", name: "city", strict: true, schema: CITY_SCHEMA } },
    });
    expect(r.output_parsed).toEqual({ city: MOCK_ARG, population: 1 });
    expect(lastUpstream(gw.mock).body.text.format).toMatchObject({ type: "json_schema", name: "city", strict: true });
  });
});

const CITY_SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};

describe("openai SDK: Chat Completions", () => {
  test("chat.completions.create, non-stream: content, finish_reason and usage", async () => {
    const c = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello." }] });
    expect(c.object).toBe("chat.completion");
    expect(c.choices[0]!.message.content).toBe(MOCK_TEXT);
    expect(c.choices[0]!.finish_reason).toBe("stop");
    const up = lastUpstream(gw.mock);
    expect(up.body.instructions).toContain("Be brief.");
    const u = mockUsage(gw.mock, up, "text");
    expect(c.usage).toMatchObject({ prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.total });
  });

  test("chat.completions.stream: the ChatCompletionStream helper, with usage", async () => {
    const deltas: string[] = [];
    const stream = client.chat.completions.stream({ model: "gpt-5.5", messages: [{ role: "user", content: "Say hello, streaming." }], stream_options: { include_usage: true } });
    stream.on("content.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalChatCompletion();
    expect(deltas.join("")).toBe(MOCK_TEXT);
    expect(final.choices[0]!.message.content).toBe(MOCK_TEXT);
    expect(final.choices[0]!.finish_reason).toBe("stop");
    const u = mockUsage(gw.mock, lastUpstream(gw.mock), "text");
    expect(final.usage).toMatchObject({ prompt_tokens: u.input, completion_tokens: u.output });
  });

  test("tools: streamed tool_calls, then the answer to the tool result", async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { ...WEATHER_SCHEMA } } }];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "Use get_weather for Paris." }];
    const first = await client.chat.completions.stream({ model: "gpt-5.5", messages, tools }).finalChatCompletion();
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function tool call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: MOCK_ARG });

    messages.push(choice.message as OpenAI.Chat.ChatCompletionMessageParam, { role: "tool", tool_call_id: call.id, content: "sunny, 21 C" });
    const second = await client.chat.completions.create({ model: "gpt-5.5", messages, tools });
    expect(second.choices[0]!.message.content).toBe(MOCK_TEXT);
    expect(second.choices[0]!.finish_reason).toBe("stop");
    const up = lastUpstream(gw.mock);
    expect(inputItems(up, "function_call")[0]).toMatchObject({ call_id: call.id, name: "get_weather" });
    expect(inputItems(up, "function_call_output")[0]).toMatchObject({ call_id: call.id, output: "sunny, 21 C" });
  });

  for (const stream of [false, true]) {
    test(`runTools (${stream ? "streaming" : "non-streaming"}): the SDK's own tool loop runs to the end`, async () => {
      const seen: unknown[] = [];
      const before = upstreamCalls(gw.mock).length;
      const runner = client.chat.completions.runTools({
        model: "gpt-5.5",
        stream,
        messages: [{ role: "user", content: "Use get_weather for Oslo." }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              parameters: { ...WEATHER_SCHEMA },
              parse: JSON.parse,
              function: (args: { city: string }) => (seen.push(args), `cloudy in ${args.city}`),
            },
          },
        ],
      } as any);
      expect(await runner.finalContent()).toBe(MOCK_TEXT);
      expect(seen).toEqual([{ city: MOCK_ARG }]);
      expect(upstreamCalls(gw.mock).length - before).toBe(2);
      expect(inputItems(lastUpstream(gw.mock), "function_call_output")[0].output).toBe(`cloudy in ${MOCK_ARG}`);
    });
  }

  test("an image_url part reaches the upstream as input_image", async () => {
    const c = await client.chat.completions.create({
      model: "gpt-5.5",
      messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: PNG, detail: "low" } }] }],
    });
    expect(c.choices[0]!.message.content).toBe(MOCK_TEXT);
    const msg = inputItems(lastUpstream(gw.mock), "message").at(-1);
    expect(msg.content).toContainEqual(expect.objectContaining({ type: "input_image", image_url: PNG }));
  });

  test("response_format json_schema: chat.completions.parse gets the parsed object", async () => {
    const c = await client.chat.completions.parse({
      model: "gpt-5.5",
      messages: [{ role: "user", content: "Name a city and its population." }],
      response_format: { type: "json_schema", json_schema: { name: "city", strict: true, schema: CITY_SCHEMA } },
    });
    expect(c.choices[0]!.message.parsed).toEqual({ city: MOCK_ARG, population: 1 });
    expect(lastUpstream(gw.mock).body.text.format).toMatchObject({ type: "json_schema", name: "city", strict: true, schema: CITY_SCHEMA });
  });
});

describe("openai SDK: models and errors", () => {
  test("models.list returns the catalog", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("gpt-5.5");
  });

  test("a wrong key is an OpenAI-shaped 401 the SDK understands", async () => {
    const bad = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-wrong-key-0000000000", maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    expect(typeof err.error?.message).toBe("string");
  });
});
