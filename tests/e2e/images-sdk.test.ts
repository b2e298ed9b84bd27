/**
 * The OpenAI Images API (`/v1/images/generations`, `/v1/images/edits`) through the gateway, read
 * by the official `openai` SDK (issue 19): b64_json answers, streamed partial images as the
 * OpenAI API sends them, multipart edits, the route prefixes, and refusals in the OpenAI envelope.
 * Underneath it is the Codex image_generation tool on the normal pipeline (mock-upstream/hosted-tools.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { toFile } from "openai";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_PNG } from "../../scripts/mock-upstream/hosted-tools.ts";

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway({ config: { images: { model: "gpt-5.5" } } });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0, timeout: 10_000 });
});
afterAll(() => gw?.stop());

const last = () => gw.mock.responsesRequests().at(-1)!.body;
const PNG_BYTES = Buffer.from(MOCK_PNG, "base64");

describe("openai SDK: images.generate", () => {
  test("b64_json, the echoed settings and usage; upstream ran the image_generation tool on the configured model", async () => {
    const r = await client.images.generate({ model: "gpt-image-1", prompt: "A red pixel on white", size: "1024x1024", quality: "low" });
    expect(r.data).toHaveLength(1);
    expect(r.data![0]!.b64_json).toBe(MOCK_PNG);
    expect(r.data![0]!.revised_prompt).toBe("A red pixel on white");
    expect(r).toMatchObject({ size: "1024x1024", quality: "low", output_format: "png" });
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + r.usage!.output_tokens);
    const up = last();
    expect(up.model).toBe("gpt-5.5");
    expect(up.tools).toEqual([{ type: "image_generation", output_format: "png", size: "1024x1024", quality: "low" }]);
    expect(up.tool_choice).toEqual({ type: "image_generation" });
    expect(up.input[0].content).toEqual([{ type: "input_text", text: "A red pixel on white" }]);
  });

  test("stream: partial images as image_generation.partial_image events, then image_generation.completed", async () => {
    const stream = await client.images.generate({ model: "gpt-image-1", prompt: "A red pixel", stream: true, partial_images: 2 });
    const events: any[] = [];
    for await (const ev of stream) events.push(ev);
    expect(events.map((e) => e.type)).toEqual(["image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"]);
    expect(events.map((e) => e.partial_image_index)).toEqual([0, 1, undefined]);
    expect(events.at(-1).b64_json).toBe(MOCK_PNG);
    expect(events.at(-1).usage.output_tokens).toBeGreaterThan(0);
    expect(last().tools[0].partial_images).toBe(2);
  });

  test("served under /v1, bare and /codex/v1", async () => {
    for (const prefix of ["/v1", "", "/codex/v1"]) {
      const res = await fetch(`${gw.url}${prefix}/images/generations`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ prompt: "x" }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).data[0].b64_json).toBe(MOCK_PNG);
    }
  });

  test("refusals are OpenAI-shaped errors the SDK understands", async () => {
    for (const [body, param] of [[{ prompt: "" }, "prompt"], [{ prompt: "x", n: 2 }, "n"], [{ prompt: "x", response_format: "url" }, "response_format"], [{ prompt: "x", size: "huge" }, "size"]] as const) {
      const err = await client.images.generate(body as any).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.param).toBe(param);
    }
    const noKey = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-wrong-0000000000000000", maxRetries: 0 });
    expect(await noKey.images.generate({ prompt: "x" }).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe("openai SDK: images.edit", () => {
  test("multipart: the image and mask reach the upstream as data URLs next to the prompt", async () => {
    const r = await client.images.edit({ model: "gpt-image-1", image: await toFile(PNG_BYTES, "in.png", { type: "image/png" }), mask: await toFile(PNG_BYTES, "mask.png", { type: "image/png" }), prompt: "Make it blue" });
    expect(r.data![0]!.b64_json).toBe(MOCK_PNG);
    const up = last();
    expect(up.input[0].content[0]).toEqual({ type: "input_text", text: "Make it blue" });
    expect(up.input[0].content[1].image_url).toBe(`data:image/png;base64,${MOCK_PNG}`);
    expect(up.tools[0].input_image_mask).toEqual({ image_url: `data:image/png;base64,${MOCK_PNG}` });
  });

  test("stream: image_edit.* events", async () => {
    const stream = await client.images.edit({ image: await toFile(PNG_BYTES, "in.png", { type: "image/png" }), prompt: "Blue", stream: true, partial_images: 1 });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types).toEqual(["image_edit.partial_image", "image_edit.completed"]);
  });

  test("an edit without an image is a 400 naming it", async () => {
    const res = await fetch(`${gw.url}/v1/images/edits`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ prompt: "x" }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.param).toBe("image");
  });
});
