/**
 * The official `openai` SDK as the test oracle (docs/clients.md C0.3): the frames the reducer writes
 * must parse in the SDK's Stream and satisfy its ResponseStream accumulator, and the non-stream
 * object must come out of responses.create as a Response.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import OpenAI from "openai";
import { STANDARD_EVENT_TYPES } from "../../src/codex/events.ts";
import { clientIgnoresUnknownEvents } from "../../src/translate/responses/events.ts";
import { accumulate, finalResponse, initAccumulator } from "../../src/translate/responses/accumulate.ts";
import { responsesFromResponse } from "../../src/translate/responses/index.ts";
import { responsesStream } from "../../src/translate/responses/stream.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";
import { callItem, messageItem, reasoningItem, toolTurn } from "./fixtures.ts";
import { ctxFor } from "./helpers.ts";

function framesOf(events: CodexEvent[], end: StreamEnd = { kind: "done" }, keepalives = false, forwardUnknownEvents = false): string {
  const state = responsesStream.init(ctxFor({ requestedModel: "my-alias", forwardUnknownEvents }));
  let text = "";
  for (const ev of structuredClone(events)) {
    if (keepalives) text += responsesStream.keepalive(state);
    text += responsesStream.step(state, ev).join("");
  }
  return text + responsesStream.end(state, end).join("");
}

function client(body: string | ReadableStream<Uint8Array>, contentType = "text/event-stream"): OpenAI {
  return new OpenAI({ apiKey: "sk-test", baseURL: "http://gateway.test/v1", maxRetries: 0, fetch: async () => new Response(body, { headers: { "content-type": contentType } }) });
}

function readable(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  // Small chunks: the SDK's SSE decoder must reassemble frames split anywhere.
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 37) c.enqueue(bytes.subarray(i, i + 37));
      c.close();
    },
  });
}

describe("openai SDK accepts the Responses stream", () => {
  test("responses.stream(): finalResponse has the rebuilt output, text and model", async () => {
    const stream = client(framesOf(toolTurn(), { kind: "done" }, true)).responses.stream({ model: "my-alias", input: "list" });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.model).toBe("my-alias");
    expect(final.output_text).toBe("Listing now.");
    expect(final.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    expect(final.output[2]).toMatchObject({ call_id: "call_1", name: "list", arguments: '{"limit":20,"offset":0}' });
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(types).not.toContain("codex.rate_limits");
  });

  test("responses.create({stream:true}) iterates every event with increasing sequence numbers", async () => {
    const events = await client(framesOf(toolTurn())).responses.create({ model: "my-alias", input: "list", stream: true });
    const seqs: number[] = [];
    let completed: any;
    for await (const ev of events) {
      seqs.push(ev.sequence_number);
      if (ev.type === "response.completed") completed = ev.response;
    }
    expect(seqs.length).toBe(21);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(completed.output).toEqual([reasoningItem, messageItem, callItem]);
  });

  test("frames split into small chunks, with a non-standard event in the middle (dropped for SDK clients)", async () => {
    const events = toolTurn();
    events.splice(9, 0, { type: "response.metadata", sequence_number: 8.5, metadata: {} });
    const final = await client(readable(framesOf(events))).responses.stream({ model: "m", input: "x" }).finalResponse();
    expect(final.output_text).toBe("Listing now.");
    expect(final.output.length).toBe(3);
  });

  test("a synthetic failure after EOF ends the SDK stream with a failed response (no exception)", async () => {
    const final = await client(framesOf(toolTurn().slice(0, 13), { kind: "eof" })).responses.stream({ model: "m", input: "x" }).finalResponse();
    expect(final.status).toBe("failed");
    expect(final.error).toEqual({ code: "stream_incomplete", message: "stream closed before response.completed" } as never);
  });

  test("a failure before any event still yields a well-formed failed response", async () => {
    const final = await client(framesOf([], { kind: "error", status: 502, code: "upstream_error", message: "boom" })).responses.stream({ model: "m", input: "x" }).finalResponse();
    expect(final.status).toBe("failed");
    expect(final.model).toBe("my-alias");
  });
});

describe("event type policy", () => {
  test("every standard event type is one the SDK's stream accumulator supports (drift check)", () => {
    const src = readFileSync(join(dirname(require.resolve("openai")), "internal/responses/response-accumulator.js"), "utf8");
    const start = src.indexOf("supportedResponseEventTypes = createSupportedResponseEventTypes([");
    expect(start).toBeGreaterThan(0);
    const block = src.slice(start, src.indexOf("]);", start));
    const sdk = new Set([...block.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    for (const t of STANDARD_EVENT_TYPES) expect(sdk.has(t) ? t : `missing: ${t}`).toBe(t);
    expect(sdk.has("response.metadata")).toBe(false);
  });

  test("the SDK's stream helper really throws on a non-standard event (why they are dropped)", async () => {
    const stream = client(framesOf([...toolTurn().slice(0, 3), { type: "response.metadata", sequence_number: 2.5, metadata: {} }, ...toolTurn().slice(3)], { kind: "done" }, false, true)).responses.stream({ model: "m", input: "x" });
    await expect(stream.finalResponse()).rejects.toThrow(/Unhandled response stream event/);
  });

  test("Codex clients are recognized by originator or User-Agent", () => {
    expect(clientIgnoresUnknownEvents(new Headers({ originator: "codex_exec" }))).toBe(true);
    expect(clientIgnoresUnknownEvents(new Headers({ "user-agent": "codex_cli_rs/0.169.0 (Linux)" }))).toBe(true);
    expect(clientIgnoresUnknownEvents(new Headers({ "user-agent": "OpenAI/JS 7.55.0" }))).toBe(false);
    expect(clientIgnoresUnknownEvents(undefined)).toBe(false);
  });
});

describe("openai SDK accepts the non-stream Response", () => {
  test("responses.create({stream:false}) on the accumulated object", async () => {
    const acc = initAccumulator();
    for (const ev of toolTurn()) accumulate(acc, ev);
    const ctx = ctxFor({ requestedModel: "my-alias" });
    const body = responsesFromResponse(finalResponse(acc, ctx.requestedModel), ctx);
    const res = await client(JSON.stringify(body), "application/json").responses.create({ model: "my-alias", input: "list" });
    expect(res.id).toBe("resp_up");
    expect(res.object).toBe("response");
    expect(res.model).toBe("my-alias");
    expect(res.output_text).toBe("Listing now.");
    expect(res.output).toEqual([reasoningItem, messageItem, callItem] as never);
    expect(res.usage?.total_tokens).toBe(6006);
  });
});
