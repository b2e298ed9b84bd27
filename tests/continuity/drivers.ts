/**
 * One scripted conversation per client format, kept the way a real client keeps it (the full
 * history, the reasoning it can carry: Responses items, Anthropic thinking signatures, Gemini
 * thought signatures; Chat carries none and relies on the gateway's reasoning cache). Each `turn`
 * is one HTTP request without a session id; the answer is appended to the history.
 */
import type { TestGateway } from "../helpers/gateway.ts";
import { WEATHER_SCHEMA } from "../e2e/helpers.ts";

/** What a turn asks for: a tool call, the tool's result (then text), or a plain question. */
export type TurnKind = "ask-tool" | "tool-result" | "ask";
export interface TurnResult {
  status: number;
  /** The answer: a tool call, or text. */
  answer: "call" | "text" | "error";
  /** The error body, for failure messages. */
  error?: unknown;
}
export interface Driver {
  surface: "responses" | "chat" | "messages" | "gemini";
  turn(kind: TurnKind, n: number): Promise<TurnResult>;
}

async function post(gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  try {
    return { status: r.status, json: JSON.parse(text) };
  } catch {
    return { status: r.status, json: text };
  }
}

const bearer = (gw: TestGateway) => ({ authorization: `Bearer ${gw.key}` });
const ask = (kind: TurnKind, n: number) => (kind === "ask-tool" ? `Use get_weather for city ${n}.` : `Thanks. What else about turn ${n}?`);

export function responsesDriver(gw: TestGateway): Driver {
  const input: any[] = [];
  let pendingCall: string | undefined;
  return {
    surface: "responses",
    async turn(kind, n) {
      if (kind === "tool-result") input.push({ type: "function_call_output", call_id: pendingCall, output: `sunny in city ${n}` });
      else input.push({ role: "user", content: ask(kind, n) });
      const tools = [{ type: "function", name: "get_weather", description: "Weather", parameters: WEATHER_SCHEMA }];
      const r = await post(gw, "/v1/responses", { model: "gpt-5.5", instructions: "Be brief.", input, tools, reasoning: { effort: "low" }, include: ["reasoning.encrypted_content"], store: false }, bearer(gw));
      if (r.status !== 200) return { status: r.status, answer: "error", error: r.json };
      input.push(...r.json.output);
      const call = r.json.output.find((o: any) => o.type === "function_call");
      pendingCall = call?.call_id;
      return { status: 200, answer: call ? "call" : "text" };
    },
  };
}

export function chatDriver(gw: TestGateway): Driver {
  const messages: any[] = [{ role: "system", content: "Be brief." }];
  let pendingCall: string | undefined;
  return {
    surface: "chat",
    async turn(kind, n) {
      if (kind === "tool-result") messages.push({ role: "tool", tool_call_id: pendingCall, content: `sunny in city ${n}` });
      else messages.push({ role: "user", content: ask(kind, n) });
      const tools = [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: WEATHER_SCHEMA } }];
      const r = await post(gw, "/v1/chat/completions", { model: "gpt-5.5", messages, tools, reasoning_effort: "low" }, bearer(gw));
      if (r.status !== 200) return { status: r.status, answer: "error", error: r.json };
      const m = r.json.choices[0].message;
      messages.push({ role: "assistant", content: m.content ?? null, ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}) });
      pendingCall = m.tool_calls?.[0]?.id;
      return { status: 200, answer: pendingCall ? "call" : "text" };
    },
  };
}

export function messagesDriver(gw: TestGateway): Driver {
  const messages: any[] = [];
  let pendingCall: string | undefined;
  return {
    surface: "messages",
    async turn(kind, n) {
      if (kind === "tool-result") messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: pendingCall, content: `sunny in city ${n}` }] });
      else messages.push({ role: "user", content: ask(kind, n) });
      const tools = [{ name: "get_weather", description: "Weather", input_schema: WEATHER_SCHEMA }];
      const r = await post(gw, "/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 4096, system: "Be brief.", thinking: { type: "enabled", budget_tokens: 2048 }, tools, messages }, { "x-api-key": gw.key, "anthropic-version": "2023-06-01" });
      if (r.status !== 200) return { status: r.status, answer: "error", error: r.json };
      // Claude Code sends the assistant content back as it came, thinking blocks (and signatures) included.
      messages.push({ role: "assistant", content: r.json.content });
      pendingCall = r.json.content.find((b: any) => b.type === "tool_use")?.id;
      return { status: 200, answer: pendingCall ? "call" : "text" };
    },
  };
}

export function geminiDriver(gw: TestGateway): Driver {
  const contents: any[] = [];
  let pendingCall: string | undefined;
  return {
    surface: "gemini",
    async turn(kind, n) {
      if (kind === "tool-result") contents.push({ role: "user", parts: [{ functionResponse: { name: pendingCall, response: { result: `sunny in city ${n}` } } }] });
      else contents.push({ role: "user", parts: [{ text: ask(kind, n) }] });
      const body = {
        contents,
        systemInstruction: { parts: [{ text: "Be brief." }] },
        tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: WEATHER_SCHEMA }] }],
        generationConfig: { thinkingConfig: { includeThoughts: true } },
      };
      const r = await post(gw, "/v1beta/models/gemini-2.5-pro:generateContent", body, { "x-goog-api-key": gw.key });
      if (r.status !== 200) return { status: r.status, answer: "error", error: r.json };
      // The model's content goes back as it came, thought signatures included.
      const content = r.json.candidates[0].content;
      contents.push(content);
      pendingCall = content.parts.find((p: any) => p.functionCall)?.functionCall.name;
      return { status: 200, answer: pendingCall ? "call" : "text" };
    },
  };
}
