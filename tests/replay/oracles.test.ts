/**
 * The expected files judged by the clients' own code (docs/clients.md C0.3, C0.3): every expected
 * stream is fed to the official SDK's stream helper (openai ChatCompletionStream / ResponseStream,
 * @anthropic-ai/sdk MessageStream; Gemini frames are merged the way a client does), which throws on
 * protocol violations; a successful stream must then agree with the expected non-stream answer
 * (same text, tool calls, stop reason and usage), and a failed one must surface as an SDK error.
 *
 * This reads the committed expected files, so it checks what UPDATE_FIXTURES wrote.
 */
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { loadCases } from "./cases.ts";

function serving(body: string): typeof fetch {
  return (async () => {
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        // Misaligned chunks, as from a real socket.
        for (let i = 0; i < bytes.length; i += 61) c.enqueue(bytes.slice(i, i + 61));
        c.close();
      },
    });
    return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
  }) as unknown as typeof fetch;
}

const openai = (body: string) => new OpenAI({ apiKey: "test", baseURL: "http://gateway.test/v1", maxRetries: 0, fetch: serving(body) });
const anthropic = (body: string) => new Anthropic({ apiKey: "test", baseURL: "http://gateway.test", maxRetries: 0, fetch: serving(body) as any });

/** Resolves to the SDK's final object, or to the error it threw. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectFailure(r: { ok: boolean; value?: any; error?: any }, expected: { status: number }): void {
  // A Responses stream may also end in a `response.failed` event, which ResponseStream resolves with.
  if (r.ok && r.value?.status === "failed") return;
  if (r.ok) throw new Error(`the SDK accepted a stream whose non-stream answer is HTTP ${expected.status}`);
  // An APIError from the in-band error frame, not a parse failure.
  expect(r.error?.constructor?.name).toMatch(/Error$/);
  expect(String(r.error?.message ?? "")).not.toMatch(/Unexpected (end|token)|JSON/);
}

const cases = loadCases();
const file = (dir: string, name: string) => join(dir, name);
const read = (dir: string, name: string) => readFileSync(file(dir, name), "utf8");
const has = (dir: string, name: string) => existsSync(file(dir, name));

for (const c of cases) {
  describe(c.name, () => {
    // case.json "knownIssues": {surface: why} marks an oracle check that fails today (test.failing):
    // it turns red once the reducer is fixed, as a reminder to drop the entry.
    const known = c.meta.knownIssues ?? {};
    const skip = c.meta.noSdkOracle ?? {};
    const check = (surface: "responses" | "chat" | "anthropic" | "gemini", name: string, fn: () => unknown) => {
      if (skip[surface]) test.skip(`${name} (not applicable: ${skip[surface]})`, () => {});
      else if (known[surface]) test.failing(`${name} (known issue: ${known[surface]})`, fn as any);
      else test(name, fn as any);
    };
    if (has(c.dir, "chat.stream.expected") && has(c.dir, "chat.json.expected")) {
      check("chat", "openai ChatCompletionStream accepts the chat stream and agrees with the non-stream answer", async () => {
        const json = JSON.parse(read(c.dir, "chat.json.expected"));
        const req = c.requests.chat as any;
        const r = await settle(openai(read(c.dir, "chat.stream.expected")).chat.completions.stream({ ...req, stream: true }).finalChatCompletion());
        if (json.status !== 200) return expectFailure(r, json);
        if (!r.ok) throw r.error;
        const got = r.value.choices[0]!;
        const want = json.body.choices[0];
        expect(got.finish_reason).toBe(want.finish_reason);
        // The role chunk's content "" stays "" in the SDK's snapshot where the JSON answer has null.
        expect(got.message.content || null).toEqual(want.message.content ?? null);
        expect(got.message.refusal || null).toEqual(want.message.refusal ?? null);
        // Custom tool calls stream as function deltas (no custom variant in chunks, docs/clients.md C3.3-10).
        const calls = (m: any) => (m.tool_calls ?? []).map((t: any) => ({ id: t.id, name: t.function?.name ?? t.custom?.name, args: t.function?.arguments ?? t.custom?.input }));
        expect(calls(got.message)).toEqual(calls(want.message));
        if (req.stream_options?.include_usage) expect(r.value.usage).toEqual(json.body.usage);
      });
    }

    if (has(c.dir, "anthropic.stream.expected") && has(c.dir, "anthropic.json.expected")) {
      check("anthropic", "@anthropic-ai/sdk MessageStream accepts the stream and agrees with the non-stream answer", async () => {
        const json = JSON.parse(read(c.dir, "anthropic.json.expected"));
        const req = c.requests.anthropic as any;
        const r = await settle(anthropic(read(c.dir, "anthropic.stream.expected")).messages.stream(req).finalMessage());
        if (json.status !== 200) return expectFailure(r, json);
        if (!r.ok) throw r.error;
        const norm = (blocks: any[]) =>
          blocks.map((b) => (b.type === "text" ? { type: "text", text: b.text } : b.type === "thinking" ? { type: "thinking", thinking: b.thinking, signature: b.signature } : { type: b.type, id: b.id, name: b.name, input: b.input }));
        // Adjacent text blocks are one text to a reader; compare blocks as the SDK built them.
        expect(norm(r.value.content)).toEqual(norm(json.body.content));
        expect(r.value.stop_reason).toBe(json.body.stop_reason);
        expect(r.value.usage.output_tokens).toBe(json.body.usage.output_tokens);
        expect(r.value.usage.input_tokens).toBe(json.body.usage.input_tokens);
        expect(r.value.usage.cache_read_input_tokens).toBe(json.body.usage.cache_read_input_tokens);
      });
    }

    if (has(c.dir, "responses.stream.expected") && has(c.dir, "responses.json.expected")) {
      check("responses", "openai ResponseStream accepts the Responses stream and agrees with the non-stream answer", async () => {
        const json = JSON.parse(read(c.dir, "responses.json.expected"));
        const req = c.requests.responses as any;
        const r = await settle(openai(read(c.dir, "responses.stream.expected")).responses.stream({ ...req, stream: true }).finalResponse());
        if (json.status !== 200) return expectFailure(r, json);
        if (!r.ok) throw r.error;
        expect(r.value.status).toBe(json.body.status);
        expect(r.value.output_text).toBe(json.body.output_text);
        // The SDK adds `parsed: null` to output_text parts; that is its own field.
        const parts = (content: any) => (Array.isArray(content) ? content.map(({ parsed: _p, ...rest }: any) => rest) : content);
        const items = (out: any[]) => out.map((i) => ({ type: i.type, id: i.id, call_id: i.call_id, name: i.name, arguments: i.arguments, input: i.input, content: parts(i.content), summary: i.summary }));
        expect(items(r.value.output)).toEqual(items(json.body.output));
        expect(r.value.usage ?? null).toEqual(json.body.usage ?? null);
      });
    }

    for (const [name, framing] of [["gemini.stream.expected", "sse"], ["gemini.array.expected", "json-array"]] as const) {
      if (!has(c.dir, name) || !has(c.dir, "gemini.json.expected")) continue;
      check("gemini", `gemini ${framing} frames merge to the non-stream answer`, () => {
        const json = JSON.parse(read(c.dir, "gemini.json.expected"));
        const raw = read(c.dir, name);
        let frames: any[];
        if (framing === "sse") {
          // docs/clients.md C9.5: only `data: <one-line JSON>\n\n` frames; no comments, no event: lines.
          expect(raw.endsWith("\n\n") || raw === "").toBe(true);
          const blocks = raw.split("\n\n").filter((b) => b !== "");
          for (const b of blocks) expect(b).toMatch(/^data: [^\n]+$/);
          frames = blocks.map((b) => JSON.parse(b.slice(6)));
        } else frames = JSON.parse(raw);
        const errors = frames.filter((f) => f.error);
        if (json.status !== 200) {
          expect(errors.length).toBe(1);
          expect(frames.at(-1).error).toBeDefined();
          expect(frames.some((f) => f.candidates?.[0]?.finishReason)).toBe(false);
          return;
        }
        expect(errors.length).toBe(0);
        // finishReason and usage only on the last frame (docs/clients.md C11.1).
        frames.slice(0, -1).forEach((f) => expect(f.candidates?.[0]?.finishReason).toBeUndefined());
        const last = frames.at(-1);
        const want = json.body.candidates[0];
        expect(last.candidates[0].finishReason).toBe(want.finishReason);
        expect(last.usageMetadata ?? null).toEqual(json.body.usageMetadata ?? null);
        // Merge parts like a client: consecutive text parts of the same kind concatenate.
        const merge = (parts: any[]) => {
          const out: any[] = [];
          for (const p of parts) {
            const prev = out.at(-1);
            if (p.text !== undefined && prev?.text !== undefined && !!prev.thought === !!p.thought && !p.thoughtSignature) prev.text += p.text;
            else out.push({ ...p });
          }
          return out.filter((p) => !(p.text === "" && !p.thoughtSignature));
        };
        expect(merge(frames.flatMap((f) => f.candidates?.[0]?.content?.parts ?? []))).toEqual(merge(want.content.parts));
      });
    }
  });
}
