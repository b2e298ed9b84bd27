#!/usr/bin/env bun
/**
 * A mock of the ChatGPT Codex backend (`/backend-api/codex`) and its auth server, for tests and
 * the benchmark. It speaks the backend's SSE (upstream.md §3) and scripts failures per access
 * token, so a pool of fake accounts can be driven through every failover path.
 *
 * As a module:  const mock = await startMockUpstream({ port: 0 });
 *               config: upstream.base_url = mock.baseUrl, upstream.auth_url = mock.authUrl
 * As a script:  bun scripts/mock-upstream.ts [--port 8900] [--profile fast|realistic] [--deltas 50] [--delay-ms 20]
 * Benchmark:    `[[bench:<deltas>x<delayMs>]]` in a /responses body answers from prebuilt frames
 *               (scripts/bench/mock-profile.ts), whatever the other options say.
 *
 * Choosing a behaviour (first match wins):
 *   1. header `x-mock-scenario: <name>` (direct calls only; the gateway does not forward it);
 *   2. the access token: `tok-<name>` or `tok-<name>:<anything>` (e.g. `tok-429-usage:acct2`), or a
 *      JWT issued by this mock (claim `mock_scenario`), when it names something other than `ok`;
 *   3. `[[mock:<name>]]` anywhere in the request body (e.g. in the prompt; works through any surface);
 *   4. `ok`.
 * Scenarios: see SCENARIOS below.
 *
 * Auth server: POST /oauth/token (refresh_token JSON grant: rotates refresh tokens and answers a
 * reused one with 401 refresh_token_reused; authorization_code form grant with PKCE check),
 * GET /oauth/authorize (redirects straight back with a code), device code endpoints
 * /api/accounts/deviceauth/{usercode,token}. Refresh tokens `rt-<scenario>:<id>` give access
 * tokens that behave as <scenario>; `rt-invalid…` → invalid_grant, `rt-expired…` →
 * refresh_token_expired, `rt-500…` → a 500.
 */
import { createHash, randomBytes } from "node:crypto";
import { benchDirective, benchResponse } from "./bench/mock-profile.ts";

export const SCENARIOS = {
  ok: "a normal streamed answer (text; a tool call when the prompt names a tool or tool_choice requires one)",
  tools: "always answer with a call of the first tool",
  reasoning: "include reasoning summary deltas even when not asked for",
  "401": "401 {detail: Unauthorized} with x-error-json token_expired",
  "403": "403 {detail: …}",
  "403-html": "403 with a Cloudflare HTML page",
  "404-usage": "404 whose body is a usage_limit_reached error (the backend does this sometimes)",
  "429-usage": "429 usage_limit_reached with resets_at / resets_in_seconds and x-codex-* headers at 100%",
  "429-usage-model": "429 usage_limit_reached on a per-model limit family (x-codex-active-limit + limit-name)",
  "429-burst": "429 rate limit without reset info",
  "400-detail": '400 {"detail":"Unsupported parameter: temperature"}',
  "500": "500 internal error",
  "502": "502 bad gateway (HTML)",
  "503-overloaded": "503 {error:{code: server_is_overloaded}}",
  "slow-first-byte": "wait firstByteMs (default 2 s) before the response headers",
  "drop-before-content": "200, response.created, then the connection breaks",
  "drop-mid-stream": "200, a few deltas, then the connection breaks (no response.completed)",
  "idle-before-content": "200, response.created, then silence until the client leaves",
  "idle-mid-stream": "200, a few deltas, then silence until the client leaves",
  "failed-at-once": "200, response.created, then response.failed server_is_overloaded",
  "failed-usage": "200, then response.failed usage_limit_reached (with resets_at)",
  "failed-rate": "200, then response.failed rate_limit_exceeded (try again in 1.5s)",
  "failed-context": "200, then response.failed context_length_exceeded (not an account problem)",
  "error-event": "200, then an SSE `error` event (code server_error)",
  "failed-mid-stream": "200, a few deltas, then response.failed usage_limit_reached",
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface MockOptions {
  port?: number;
  hostname?: string;
  /** Text deltas per answer (default 5: "Hello from the mock upstream."). */
  deltas?: number;
  /** Delay before each SSE event, ms (default 0: the whole answer is written at once). Header `x-mock-delay-ms` overrides it per request. */
  deltaDelayMs?: number;
  /** slow-first-byte: delay before headers, ms (default 2000). */
  firstByteMs?: number;
  /** Deltas sent before drop-/idle-/failed-mid-stream act (default 2). */
  midStreamAfter?: number;
  /** Usage-limit reset, seconds from now (default 3600). */
  resetsInSeconds?: number;
  /** Lifetime of issued access tokens, seconds (default 3600). */
  accessTtlSeconds?: number;
  /** Delay of /oauth/token answers, ms (default 0). */
  tokenDelayMs?: number;
  /** x-codex-primary-used-percent grows by this per request and account (default 1). */
  percentPerRequest?: number;
  /** Answer invalid bodies like the backend (stream must be true, store false, input a list, unsupported params). Default true. */
  validate?: boolean;
  /** Keep requests for assertions (default true; the benchmark turns it off). */
  record?: boolean;
  /** Most requests kept (default 2000). */
  recordLimit?: number;
  /** The answer text (split into `deltas` pieces). */
  text?: string;
  /** Polls answered "pending" before the device code is approved (default 1). */
  devicePendingPolls?: number;
  /** Called before /oauth/token answers (tests use it to simulate another process). */
  onToken?: (body: Record<string, any>) => void | Promise<void>;
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
  scenario?: string;
  status?: number;
  /** The client went away before the answer was complete. */
  aborted: boolean;
}

export interface MockStats {
  responses: number;
  byScenario: Record<string, number>;
  tokenCalls: number;
  refreshCalls: number;
  aborted: number;
  inflight: number;
  models: number;
}

export interface MockUpstream {
  url: string;
  /** For upstream.base_url. */
  baseUrl: string;
  /** For upstream.auth_url. */
  authUrl: string;
  port: number;
  requests: RecordedRequest[];
  stats: MockStats;
  options: Required<Omit<MockOptions, "port" | "hostname" | "text" | "onToken">> & Pick<MockOptions, "text" | "onToken">;
  /** Set an account's reported used percents (by chatgpt-account-id). */
  setUsage(accountId: string, primary: number, secondary?: number): void;
  /** Mint tokens as a login would (JWTs with exp, account id, plan, mock_scenario). */
  issueTokens(opts?: { scenario?: string; id?: string; ttlSeconds?: number; plan?: string }): { accessToken: string; refreshToken: string; idToken: string; accountId: string };
  /** Requests to the Responses endpoint only. */
  responsesRequests(): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

const CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
const UNSUPPORTED = ["max_output_tokens", "max_tokens", "temperature", "top_p", "truncation"];
const WORDS = "Hello from the mock upstream. This is a streamed answer made of many small pieces, the way a real model sends its text one token at a time.".split(" ");
const enc = new TextEncoder();

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");
/** An unsigned JWT (the gateway never checks signatures, like the Codex CLI). */
export function makeJwt(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.sig`;
}
function jwtPayload(token: string): Record<string, any> | undefined {
  const p = token.split(".");
  if (p.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(p[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

function scenarioOfToken(token: string): { scenario?: string; expired?: boolean; accountId?: string } {
  if (token.startsWith("tok-")) {
    const rest = token.slice(4);
    const colon = rest.indexOf(":");
    return { scenario: colon === -1 ? rest : rest.slice(0, colon) };
  }
  const p = jwtPayload(token);
  if (p) {
    return {
      scenario: typeof p.mock_scenario === "string" ? p.mock_scenario : undefined,
      expired: typeof p.exp === "number" && p.exp * 1000 <= Date.now(),
      accountId: p["https://api.openai.com/auth"]?.chatgpt_account_id,
    };
  }
  return {};
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function frame(ev: Record<string, unknown>): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

function lastUserText(body: any): string {
  const input = Array.isArray(body?.input) ? body.input : [];
  for (let i = input.length - 1; i >= 0; i--) {
    const it = input[i];
    if (it?.type === "message" || it?.role) {
      if (it.role !== "user") continue;
      if (typeof it.content === "string") return it.content;
      if (Array.isArray(it.content)) return it.content.map((c: any) => c?.text ?? "").join("");
    }
  }
  return typeof body?.input === "string" ? body.input : "";
}

function argsFromSchema(schema: any): string {
  const props = schema?.properties && typeof schema.properties === "object" ? schema.properties : {};
  const names: string[] = Array.isArray(schema?.required) && schema.required.length ? schema.required : Object.keys(props).slice(0, 1);
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const t = props[n]?.type;
    out[n] = t === "number" || t === "integer" ? 1 : t === "boolean" ? true : t === "array" ? [] : t === "object" ? {} : Array.isArray(props[n]?.enum) ? props[n].enum[0] : "mock";
  }
  return JSON.stringify(out);
}

/**
 * An `encrypted_content` shaped like the backend's (added for tests/e2e): a Fernet token,
 * base64url(0x80 ‖ 8-byte time ‖ 16-byte IV ‖ 32-byte ciphertext ‖ 32-byte HMAC). The gateway only
 * replays signatures of this shape (translate/anthropic/signature.ts), so a shorter random string
 * would be dropped on the way back and thinking round trips could not be tested.
 */
function fernetLike(): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
  return Buffer.concat([Buffer.from([0x80]), time, randomBytes(16 + 32 + 32)]).toString("base64url");
}

/**
 * Structured output (added for tests/e2e): when the request asks for `text.format` json_schema,
 * answer with a JSON object that fits the schema's required fields, as a real model would, so
 * SDK helpers that parse the answer (`chat.completions.parse`, `responses.parse`) can be tested.
 */
function structuredText(body: any): string | undefined {
  const f = body?.text?.format;
  return f?.type === "json_schema" && f.schema && typeof f.schema === "object" ? argsFromSchema(f.schema) : undefined;
}

/**
 * A tool call chosen by the prompt (added for tests/e2e): `[[mock-call:Bash {"command":"echo hi"}]]`
 * in the last user message makes the answer a call of that tool with exactly those arguments
 * (instead of the first tool named in the text, with arguments made up from its schema), so a real
 * client (Codex CLI, Claude Code, Gemini CLI) can be driven to run a known, harmless command whose
 * output the test then looks for in the next request.
 */
function directiveCall(body: any): { name: string; args: string } | undefined {
  const m = /\[\[mock-call:([A-Za-z0-9_.:-]+?)\s+(\{.*?\})\]\]/s.exec(lastUserText(body));
  if (!m) return undefined;
  try {
    return { name: m[1], args: JSON.stringify(JSON.parse(m[2])) };
  } catch {
    return undefined;
  }
}

function toolToCall(body: any, scenario: string): any | undefined {
  const tools: any[] = (Array.isArray(body?.tools) ? body.tools : []).filter((t: any) => t?.type === "function" || t?.type === "custom");
  if (!tools.length) return undefined;
  const input = Array.isArray(body?.input) ? body.input : [];
  // After a tool result, answer with text, so tool loops end. Clients may append instructions
  // after the result (Claude Code adds a system note with the token budget), so skip those.
  const last = input.findLast((i: any) => !(i?.role === "developer" || i?.role === "system"));
  if (last && /_output$/.test(String(last.type ?? ""))) return undefined;
  if (scenario === "tools") return tools[0];
  const directed = directiveCall(body);
  if (directed) return tools.find((t) => t.name === directed.name);
  const choice = body?.tool_choice;
  if (choice && typeof choice === "object" && choice.name) return tools.find((t) => t.name === choice.name) ?? tools[0];
  if (choice === "required") return tools[0];
  const text = lastUserText(body);
  return tools.find((t) => t.name && text.includes(t.name));
}

interface Turn {
  frames: string[];
  /** Index in `frames` of the first text delta (mid-stream scenarios act after midStreamAfter of them). */
  firstDelta: number;
}

export async function startMockUpstream(opts: MockOptions = {}): Promise<MockUpstream> {
  const o = {
    deltas: opts.deltas ?? 5,
    deltaDelayMs: opts.deltaDelayMs ?? 0,
    firstByteMs: opts.firstByteMs ?? 2000,
    midStreamAfter: opts.midStreamAfter ?? 2,
    resetsInSeconds: opts.resetsInSeconds ?? 3600,
    accessTtlSeconds: opts.accessTtlSeconds ?? 3600,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    percentPerRequest: opts.percentPerRequest ?? 1,
    validate: opts.validate ?? true,
    record: opts.record ?? true,
    recordLimit: opts.recordLimit ?? 2000,
    devicePendingPolls: opts.devicePendingPolls ?? 1,
    text: opts.text,
    onToken: opts.onToken,
  };
  const requests: RecordedRequest[] = [];
  const stats: MockStats = { responses: 0, byScenario: {}, tokenCalls: 0, refreshCalls: 0, aborted: 0, inflight: 0, models: 0 };
  const usage = new Map<string, { primary: number; secondary: number }>();
  const usedRefresh = new Set<string>();
  const codes = new Map<string, { challenge?: string; scenario: string; id: string }>();
  const devices = new Map<string, { polls: number; code: string; verifier: string; challenge: string }>();
  const cacheKeys = new Set<string>();
  let counter = 0;

  const issueTokens = (t: { scenario?: string; id?: string; ttlSeconds?: number; plan?: string } = {}) => {
    const scenario = t.scenario ?? "ok";
    const id = t.id ?? `u${++counter}`;
    const accountId = `acct-${id}`;
    const now = Math.floor(Date.now() / 1000);
    const auth = { chatgpt_account_id: accountId, chatgpt_plan_type: t.plan ?? "plus", chatgpt_user_id: `user-${id}` };
    const accessToken = makeJwt({ exp: now + (t.ttlSeconds ?? o.accessTtlSeconds), iat: now, jti: randomBytes(6).toString("hex"), mock_scenario: scenario, "https://api.openai.com/auth": auth });
    const idToken = makeJwt({ exp: now + 3600, email: `${id}@example.com`, "https://api.openai.com/auth": auth });
    const refreshToken = `rt-${scenario}:${id}.${++counter}`;
    return { accessToken, refreshToken, idToken, accountId };
  };

  const record = (r: RecordedRequest) => {
    if (!o.record) return r;
    requests.push(r);
    if (requests.length > o.recordLimit) requests.splice(0, requests.length - o.recordLimit);
    return r;
  };

  function rateHeaders(accountId: string, full: boolean): Record<string, string> {
    let u = usage.get(accountId);
    if (!u) usage.set(accountId, (u = { primary: 0, secondary: 0 }));
    if (!full) {
      u.primary = Math.min(100, u.primary + o.percentPerRequest);
      u.secondary = Math.min(100, u.secondary + o.percentPerRequest / 10);
    }
    const now = Math.floor(Date.now() / 1000);
    return {
      "x-codex-plan-type": "plus",
      "x-codex-primary-used-percent": String(full ? 100 : Math.round(u.primary * 10) / 10),
      "x-codex-primary-window-minutes": "300",
      "x-codex-primary-reset-at": String(now + (full ? o.resetsInSeconds : 9000)),
      "x-codex-primary-reset-after-seconds": String(full ? o.resetsInSeconds : 9000),
      "x-codex-secondary-used-percent": String(Math.round(u.secondary * 10) / 10),
      "x-codex-secondary-window-minutes": "10080",
      "x-codex-secondary-reset-at": String(now + 400000),
      "x-codex-credits-has-credits": "False",
      "x-codex-credits-unlimited": "False",
      "x-codex-credits-balance": "0",
    };
  }

  function buildTurn(body: any, scenario: string, bodyBytes: number): Turn {
    let seq = 0;
    const ev = (e: Record<string, unknown>) => frame({ ...e, sequence_number: seq++ });
    const id = rid("resp");
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body?.model === "string" ? body.model : "gpt-5.5";
    const base = {
      id,
      object: "response",
      created_at: created,
      status: "in_progress",
      background: false,
      error: null,
      incomplete_details: null,
      instructions: typeof body?.instructions === "string" ? body.instructions.slice(0, 64) : null,
      model,
      output: [] as unknown[],
      parallel_tool_calls: body?.parallel_tool_calls ?? true,
      reasoning: body?.reasoning ?? null,
      store: false,
      tool_choice: body?.tool_choice ?? "auto",
      tools: [],
      usage: null,
    };
    const frames: string[] = [ev({ type: "response.created", response: base }), ev({ type: "response.in_progress", response: base })];
    let out = 0;
    let reasoningTokens = 0;
    if (body?.reasoning || scenario === "reasoning") {
      const rsId = rid("rs");
      const wantSummary = scenario === "reasoning" || (body?.reasoning?.summary && body.reasoning.summary !== "none");
      frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: rsId, type: "reasoning", summary: [], encrypted_content: null } }));
      const summaryText = "**Thinking**\n\nThe user wants an answer; I will give it.";
      if (wantSummary) {
        frames.push(ev({ type: "response.reasoning_summary_part.added", item_id: rsId, output_index: out, summary_index: 0, part: { type: "summary_text", text: "" } }));
        for (const piece of ["**Thinking**\n\n", "The user wants an answer; ", "I will give it."]) {
          frames.push(ev({ type: "response.reasoning_summary_text.delta", item_id: rsId, output_index: out, summary_index: 0, delta: piece }));
        }
        frames.push(ev({ type: "response.reasoning_summary_text.done", item_id: rsId, output_index: out, summary_index: 0, text: summaryText }));
        frames.push(ev({ type: "response.reasoning_summary_part.done", item_id: rsId, output_index: out, summary_index: 0, part: { type: "summary_text", text: summaryText } }));
      }
      frames.push(ev({
        type: "response.output_item.done",
        output_index: out,
        item: { id: rsId, type: "reasoning", summary: wantSummary ? [{ type: "summary_text", text: summaryText }] : [], encrypted_content: fernetLike() },
      }));
      reasoningTokens = 16;
      out++;
    }
    let firstDelta = frames.length;
    let outputTokens = reasoningTokens;
    const tool = toolToCall(body, scenario);
    if (tool) {
      const callId = `call_${randomBytes(12).toString("hex")}`;
      if (tool.type === "custom") {
        const itemId = rid("ctc");
        const input = "*** Begin Patch\n*** Add File: mock.txt\n+hello\n*** End Patch\n";
        frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: itemId, type: "custom_tool_call", status: "in_progress", call_id: callId, name: tool.name, input: "" } }));
        firstDelta = frames.length;
        for (const piece of input.match(/[\s\S]{1,16}/g) ?? []) frames.push(ev({ type: "response.custom_tool_call_input.delta", item_id: itemId, output_index: out, delta: piece }));
        frames.push(ev({ type: "response.custom_tool_call_input.done", item_id: itemId, output_index: out, input }));
        frames.push(ev({ type: "response.output_item.done", output_index: out, item: { id: itemId, type: "custom_tool_call", status: "completed", call_id: callId, name: tool.name, input } }));
      } else {
        const itemId = rid("fc");
        const args = directiveCall(body)?.args ?? argsFromSchema(tool.parameters);
        frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: itemId, type: "function_call", status: "in_progress", arguments: "", call_id: callId, name: tool.name } }));
        firstDelta = frames.length;
        for (const piece of args.match(/[\s\S]{1,8}/g) ?? []) frames.push(ev({ type: "response.function_call_arguments.delta", item_id: itemId, output_index: out, delta: piece }));
        frames.push(ev({ type: "response.function_call_arguments.done", item_id: itemId, output_index: out, arguments: args }));
        frames.push(ev({ type: "response.output_item.done", output_index: out, item: { id: itemId, type: "function_call", status: "completed", arguments: args, call_id: callId, name: tool.name } }));
      }
      outputTokens += 12;
    } else {
      const msgId = rid("msg");
      const n = Math.max(1, o.deltas);
      const pieces: string[] = [];
      const answer = structuredText(body) ?? o.text;
      if (answer !== undefined) {
        const size = Math.max(1, Math.ceil(answer.length / n));
        for (let i = 0; i < answer.length; i += size) pieces.push(answer.slice(i, i + size));
        if (!pieces.length) pieces.push("");
      } else for (let i = 0; i < n; i++) pieces.push(WORDS[i % WORDS.length] + (i < n - 1 ? " " : ""));
      const text = pieces.join("");
      frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: msgId, type: "message", status: "in_progress", content: [], role: "assistant" } }));
      frames.push(ev({ type: "response.content_part.added", item_id: msgId, output_index: out, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } }));
      firstDelta = frames.length;
      for (const delta of pieces) frames.push(ev({ type: "response.output_text.delta", item_id: msgId, output_index: out, content_index: 0, delta, logprobs: [] }));
      frames.push(ev({ type: "response.output_text.done", item_id: msgId, output_index: out, content_index: 0, text, logprobs: [] }));
      frames.push(ev({ type: "response.content_part.done", item_id: msgId, output_index: out, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text } }));
      frames.push(ev({
        type: "response.output_item.done",
        output_index: out,
        item: { id: msgId, type: "message", status: "completed", content: [{ type: "output_text", annotations: [], logprobs: [], text }], role: "assistant" },
      }));
      outputTokens += pieces.length;
    }
    const input = Math.max(1, Math.ceil(bodyBytes / 4));
    const key = typeof body?.prompt_cache_key === "string" ? body.prompt_cache_key : undefined;
    const cached = key && cacheKeys.has(key) ? Math.floor((input * 0.8) / 64) * 64 : 0;
    if (key) cacheKeys.add(key);
    const usageObj = { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: reasoningTokens }, total_tokens: input + outputTokens };
    // The real backend sends `output: []` in response.completed; clients rebuild it from output_item.done.
    frames.push(ev({ type: "response.completed", response: { ...base, status: "completed", usage: usageObj } }));
    return { frames, firstDelta };
  }

  function failedFrame(base: string, code: string, message: string, extra: Record<string, unknown> = {}): string {
    return frame({ type: "response.failed", sequence_number: 99, response: { id: base, object: "response", status: "failed", output: [], error: { code, message, ...extra }, usage: null } });
  }

  /** Stream frames with optional delays and a scripted ending; tracks client aborts. */
  function streamFrames(frames: string[], rec: RecordedRequest, signal: AbortSignal, end: "close" | "drop" | "idle", delayMs: number, headers: Record<string, string>): Response {
    let i = 0;
    let finished = false;
    stats.inflight++;
    const done = () => {
      if (!finished) {
        finished = true;
        stats.inflight--;
      }
    };
    const onAbort = () => {
      if (!finished) {
        rec.aborted = true;
        stats.aborted++;
        done();
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (!delayMs && end === "close") {
      done();
      return new Response(frames.join(""), { status: 200, headers });
    }
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (i < frames.length) {
          if (delayMs) await Bun.sleep(delayMs);
          if (finished) return;
          c.enqueue(enc.encode(frames[i++]));
          return;
        }
        if (end === "close") {
          done();
          c.close();
        } else if (end === "drop") {
          // Let what was written reach the client first; erroring with `undefined` resets the
          // connection without Bun logging a stack trace.
          await Bun.sleep(10);
          done();
          c.error(undefined);
        } else {
          // idle: say nothing more until the client gives up
          await new Promise<void>((resolve) => {
            if (signal.aborted) return resolve();
            signal.addEventListener("abort", () => resolve(), { once: true });
          });
          onAbort();
        }
      },
      cancel() {
        onAbort();
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status: 200, headers });
  }

  async function handleResponses(req: Request, path: string): Promise<Response> {
    const text = await req.text();
    // Benchmark path (scripts/bench/mock-profile.ts): `[[bench:50x0]]` in the body skips
    // validation, recording and scenarios, so the mock stays cheap next to the gateway.
    const bench = path.endsWith("/responses") ? benchDirective(text) : undefined;
    if (bench) return benchResponse(bench, req.signal);
    const headers: Record<string, string> = {};
    if (o.record) req.headers.forEach((v, k) => (headers[k] = v));
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const auth = req.headers.get("authorization") ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const fromToken = token ? scenarioOfToken(token) : {};
    const directive = /\[\[mock:([a-z0-9-]+)\]\]/.exec(text)?.[1];
    const scenario = req.headers.get("x-mock-scenario") ?? (fromToken.scenario && fromToken.scenario !== "ok" ? fromToken.scenario : undefined) ?? directive ?? "ok";
    const rec = record({ at: Date.now(), method: req.method, path, headers, body, scenario, aborted: false });
    stats.responses++;
    stats.byScenario[scenario] = (stats.byScenario[scenario] ?? 0) + 1;
    const accountId = req.headers.get("chatgpt-account-id") ?? fromToken.accountId ?? token.slice(0, 24);
    const reply = (status: number, b: unknown, h: Record<string, string> = {}) => {
      rec.status = status;
      return json(status, b, h);
    };

    if (!token || fromToken.expired || scenario === "401") {
      return reply(401, { detail: "Unauthorized" }, { "x-openai-authorization-error": "token_expired", "x-error-json": b64url(JSON.stringify({ error: { code: "token_expired" } })) });
    }
    if (scenario === "slow-first-byte") {
      const delay = Number(req.headers.get("x-mock-first-byte-ms") ?? o.firstByteMs);
      const aborted = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), delay);
        req.signal.addEventListener("abort", () => (clearTimeout(t), resolve(true)), { once: true });
      });
      if (aborted) {
        rec.aborted = true;
        stats.aborted++;
        return new Response(null, { status: 499 });
      }
    }
    const resetsAt = Math.floor(Date.now() / 1000) + o.resetsInSeconds;
    const usageBody = { error: { type: "usage_limit_reached", message: "The usage limit has been reached", plan_type: "plus", resets_at: resetsAt, eligible_promo: null, resets_in_seconds: o.resetsInSeconds } };
    switch (scenario) {
      case "403":
        return reply(403, { detail: "This account is not allowed to use Codex." });
      case "403-html":
        rec.status = 403;
        return new Response("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>", { status: 403, headers: { "content-type": "text/html" } });
      case "404-usage":
        return reply(404, usageBody, rateHeaders(accountId, true));
      case "429-usage":
        return reply(429, usageBody, { ...rateHeaders(accountId, true), "x-codex-active-limit": "codex" });
      case "429-usage-model":
        return reply(429, usageBody, { ...rateHeaders(accountId, true), "x-codex-active-limit": "codex_bengalfox", "x-codex-bengalfox-limit-name": String(body?.model ?? "gpt-5.5"), "x-codex-bengalfox-primary-used-percent": "100" });
      case "429-burst":
        return reply(429, { error: { type: "rate_limit_error", code: "rate_limit_exceeded", message: "Rate limit reached. Please slow down." } });
      case "400-detail":
        return reply(400, { detail: "Unsupported parameter: temperature" });
      case "500":
        return reply(500, { error: { type: "server_error", message: "An error occurred while processing your request." } });
      case "502":
        rec.status = 502;
        return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502, headers: { "content-type": "text/html" } });
      case "503-overloaded":
        return reply(503, { error: { type: "server_error", code: "server_is_overloaded", message: "Selected model is at capacity. Please try a different model." } });
    }
    if (o.validate && path.endsWith("/responses")) {
      if (!body || typeof body !== "object") return reply(400, { detail: "Invalid JSON body" });
      if (body.stream !== true) return reply(400, { detail: "Stream must be set to true" });
      if (body.store === true) return reply(400, { detail: "Store must be set to false" });
      if (body.input !== undefined && !Array.isArray(body.input)) return reply(400, { detail: "Input must be a list" });
      for (const p of UNSUPPORTED) if (p in body) return reply(400, { detail: `Unsupported parameter: ${p}` });
    }
    const h = {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "x-request-id": rid("req"),
      // The model comes from the client (fuzz tests send anything): a header cannot carry every string.
      "openai-model": typeof body?.model === "string" && /^[\x20-\x7e]{1,200}$/.test(body.model) ? body.model : "gpt-5.5",
      "x-models-etag": 'W/"mock-1"',
      ...rateHeaders(accountId, false),
    };
    rec.status = 200;

    if (path.endsWith("/responses/compact")) {
      const out = [{ type: "compaction", encrypted_content: `gAAAAB${randomBytes(24).toString("base64url")}` }];
      return json(200, { output: out }, { ...h, "content-type": "application/json" });
    }

    const turn = buildTurn(body, scenario, text.length);
    const respId = rid("resp");
    const created = turn.frames.slice(0, 2);
    const mid = turn.frames.slice(0, turn.firstDelta + o.midStreamAfter);
    const delay = Number(req.headers.get("x-mock-delay-ms") ?? o.deltaDelayMs);
    switch (scenario) {
      case "drop-before-content":
        return streamFrames(created, rec, req.signal, "drop", delay, h);
      case "drop-mid-stream":
        return streamFrames(mid, rec, req.signal, "drop", delay, h);
      case "idle-before-content":
        return streamFrames(created, rec, req.signal, "idle", delay, h);
      case "idle-mid-stream":
        return streamFrames(mid, rec, req.signal, "idle", delay, h);
      case "failed-at-once":
        return streamFrames([...created, failedFrame(respId, "server_is_overloaded", "Selected model is at capacity. Please try a different model.")], rec, req.signal, "close", 0, h);
      case "failed-usage":
        return streamFrames([...created, failedFrame(respId, "usage_limit_reached", "The usage limit has been reached", { plan_type: "plus", resets_at: resetsAt })], rec, req.signal, "close", 0, h);
      case "failed-rate":
        return streamFrames([...created, failedFrame(respId, "rate_limit_exceeded", "Rate limit reached for gpt-5.5. Please try again in 1.5s.")], rec, req.signal, "close", 0, h);
      case "failed-context":
        return streamFrames([...created, failedFrame(respId, "context_length_exceeded", "Your input exceeds the context window of this model. Please adjust your input and try again.")], rec, req.signal, "close", 0, h);
      case "error-event":
        return streamFrames([...created, frame({ type: "error", sequence_number: 2, code: "server_error", message: "An error occurred while processing your request.", param: null })], rec, req.signal, "close", 0, h);
      case "failed-mid-stream":
        return streamFrames([...mid, failedFrame(respId, "usage_limit_reached", "The usage limit has been reached", { plan_type: "plus", resets_at: resetsAt })], rec, req.signal, "close", delay, h);
    }
    return streamFrames(turn.frames, rec, req.signal, "close", delay, h);
  }

  async function handleToken(req: Request): Promise<Response> {
    stats.tokenCalls++;
    const type = req.headers.get("content-type") ?? "";
    const text = await req.text();
    let body: Record<string, any> = {};
    try {
      body = type.includes("json") ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
    } catch {
      return json(400, { error: "invalid_request", error_description: "unreadable body" });
    }
    record({ at: Date.now(), method: "POST", path: "/oauth/token", headers: Object.fromEntries(req.headers as any), body: { ...body, refresh_token: body.refresh_token ? "[redacted]" : undefined }, aborted: false });
    if (o.tokenDelayMs) await Bun.sleep(o.tokenDelayMs);
    if (o.onToken) await o.onToken(body);
    if (body.client_id !== CLIENT_ID) return json(400, { error: "invalid_client", error_description: "Unknown client" });
    if (body.grant_type === "refresh_token") {
      stats.refreshCalls++;
      if (!type.includes("json")) return json(400, { error: "invalid_request", error_description: "expected a JSON body" });
      const rt = String(body.refresh_token ?? "");
      if (!rt || rt.startsWith("rt-invalid") || rt.startsWith("bad")) return json(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
      if (rt.startsWith("rt-expired")) return json(401, { error: { message: "Your refresh token has expired. Please try signing in again.", type: "invalid_request_error", param: null, code: "refresh_token_expired" } });
      if (rt.startsWith("rt-500")) return json(500, { error: { message: "internal error", type: "server_error" } });
      if (usedRefresh.has(rt)) {
        return json(401, { error: { message: "Your refresh token has already been used to generate a new access token. Please try signing in again.", type: "invalid_request_error", param: null, code: "refresh_token_reused" } });
      }
      usedRefresh.add(rt);
      const m = /^rt-([a-z0-9-]+):([^.]+)/.exec(rt);
      const t = issueTokens({ scenario: m?.[1] ?? "ok", id: m?.[2] ?? createHash("sha256").update(rt).digest("hex").slice(0, 8) });
      return json(200, { id_token: t.idToken, access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "Bearer", expires_in: o.accessTtlSeconds });
    }
    if (body.grant_type === "authorization_code") {
      const c = codes.get(String(body.code ?? ""));
      if (!c) return json(400, { error: "invalid_grant", error_description: "Unknown or used authorization code" });
      codes.delete(String(body.code));
      if (c.challenge) {
        const expect = createHash("sha256").update(String(body.code_verifier ?? "")).digest("base64url");
        if (expect !== c.challenge) return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
      }
      const t = issueTokens({ scenario: c.scenario, id: c.id });
      return json(200, { id_token: t.idToken, access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "Bearer", expires_in: o.accessTtlSeconds });
    }
    if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") return json(200, { access_token: `sk-mock-${randomBytes(8).toString("hex")}` });
    return json(400, { error: "unsupported_grant_type" });
  }

  function handleAuthorize(url: URL): Response {
    const p = url.searchParams;
    if (p.get("client_id") !== CLIENT_ID || p.get("response_type") !== "code" || p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) {
      return json(400, { error: "invalid_request", error_description: "missing PKCE or wrong client" });
    }
    const redirect = p.get("redirect_uri");
    if (!redirect) return json(400, { error: "invalid_request", error_description: "missing redirect_uri" });
    const code = `code-${randomBytes(8).toString("hex")}`;
    codes.set(code, { challenge: p.get("code_challenge")!, scenario: p.get("mock_scenario") ?? "ok", id: p.get("mock_id") ?? `login${++counter}` });
    const to = new URL(redirect);
    to.searchParams.set("code", code);
    to.searchParams.set("state", p.get("state") ?? "");
    return new Response(null, { status: 302, headers: { location: to.toString() } });
  }

  async function handleDevice(req: Request, path: string): Promise<Response> {
    const body = (await req.json().catch(() => ({}))) as Record<string, any>;
    if (path.endsWith("/usercode")) {
      if (body.client_id !== CLIENT_ID) return json(400, { error: "invalid_client" });
      const id = `dev-${randomBytes(6).toString("hex")}`;
      const verifier = randomBytes(32).toString("base64url");
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const code = `code-${randomBytes(8).toString("hex")}`;
      codes.set(code, { challenge, scenario: "ok", id: `device${++counter}` });
      devices.set(id, { polls: 0, code, verifier, challenge });
      return json(200, { device_auth_id: id, user_code: "MOCK-1234", interval: "1" });
    }
    const d = devices.get(String(body.device_auth_id ?? ""));
    if (!d || body.user_code !== "MOCK-1234") return json(404, { error: "not_found" });
    if (d.polls++ < o.devicePendingPolls) return json(403, { error: "authorization_pending" });
    devices.delete(String(body.device_auth_id));
    return json(200, { authorization_code: d.code, code_challenge: d.challenge, code_verifier: d.verifier });
  }

  function handleModels(req: Request, url: URL): Response {
    stats.models++;
    record({ at: Date.now(), method: "GET", path: url.pathname + url.search, headers: Object.fromEntries(req.headers as any), body: undefined, aborted: false });
    const auth = req.headers.get("authorization") ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const s = token ? scenarioOfToken(token) : {};
    if (!token || s.expired || s.scenario === "401") return json(401, { detail: "Unauthorized" });
    const levels = (xs: string[]) => xs.map((effort) => ({ effort, description: `${effort} effort` }));
    const model = (slug: string, priority: number, visibility: string, def: string, efforts: string[]) => ({
      slug,
      display_name: slug,
      description: `${slug} (mock)`,
      visibility,
      supported_in_api: true,
      priority,
      default_reasoning_level: def,
      supported_reasoning_levels: levels(efforts),
      shell_type: "shell_command",
      supports_reasoning_summaries: true,
      default_reasoning_summary: "none",
      support_verbosity: true,
      default_verbosity: "low",
      apply_patch_tool_type: "freeform",
      supports_parallel_tool_calls: true,
      context_window: 272000,
      effective_context_window_percent: 95,
      input_modalities: ["text", "image"],
      truncation_policy: { mode: "tokens", limit: 10000 },
    });
    return json(
      200,
      {
        models: [
          model("gpt-5.5", 0, "list", "medium", ["low", "medium", "high", "xhigh"]),
          model("gpt-5.4", 1, "list", "xhigh", ["low", "medium", "high", "xhigh"]),
          model("gpt-5.4-mini", 2, "list", "medium", ["low", "medium", "high", "xhigh"]),
          model("gpt-5.2", 3, "list", "medium", ["low", "medium", "high", "xhigh"]),
        ],
      },
      { etag: 'W/"mock-1"' },
    );
  }

  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: opts.hostname ?? "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname;
      if (req.method === "POST" && (path.endsWith("/responses") || path.endsWith("/responses/compact"))) return handleResponses(req, path);
      if (req.method === "GET" && path.endsWith("/models")) return handleModels(req, url);
      if (req.method === "POST" && path === "/oauth/token") return handleToken(req);
      if (req.method === "GET" && path === "/oauth/authorize") return handleAuthorize(url);
      if (req.method === "POST" && path.startsWith("/api/accounts/deviceauth/")) return handleDevice(req, path);
      if (path === "/healthz") return new Response("ok");
      return json(404, { detail: "Not Found" });
    },
  });

  const url = `http://${server.hostname}:${server.port}`;
  return {
    url,
    baseUrl: `${url}/backend-api/codex`,
    authUrl: url,
    port: server.port!,
    requests,
    stats,
    options: o,
    setUsage(accountId, primary, secondary = 0) {
      usage.set(accountId, { primary, secondary });
    },
    issueTokens,
    responsesRequests: () => requests.filter((r) => r.path.endsWith("/responses") || r.path.endsWith("/responses/compact")),
    reset() {
      requests.length = 0;
      Object.assign(stats, { responses: 0, byScenario: {}, tokenCalls: 0, refreshCalls: 0, aborted: 0, models: 0 });
    },
    async close() {
      await server.stop(true);
    },
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  const profile = get("profile") ?? "fast";
  const realistic = profile === "realistic";
  const mock = await startMockUpstream({
    port: Number(get("port") ?? 8900),
    hostname: get("host") ?? "127.0.0.1",
    deltas: Number(get("deltas") ?? (realistic ? 50 : 50)),
    deltaDelayMs: Number(get("delay-ms") ?? (realistic ? 20 : 0)),
    record: args.includes("--record"),
  });
  process.stdout.write(`${JSON.stringify({ url: mock.url, base_url: mock.baseUrl, auth_url: mock.authUrl, profile, deltas: mock.options.deltas, delta_delay_ms: mock.options.deltaDelayMs })}\n`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
