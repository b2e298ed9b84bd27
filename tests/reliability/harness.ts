/**
 * Shared helpers for the reliability, security and fuzz tests: one request per surface, checks
 * for each dialect's error envelope and terminal stream error, admin/metrics reads, and a small
 * fault proxy in front of the mock upstream (silent streams, extra upstream headers).
 */
import { ADMIN_TOKEN, type TestGateway } from "../helpers/gateway.ts";

export type Dialect = "openai" | "anthropic" | "google";
export type SurfaceCase = "responses" | "chat" | "messages" | "gemini-sse" | "gemini-array" | "gemini-json";

export interface SurfaceRequest {
  path: string;
  body: Record<string, unknown>;
  dialect: Dialect;
  stream: boolean;
}

/** Every client surface the drop/timeout tests cover. Gemini's stream flag is in the path. */
export const STREAM_CASES: SurfaceCase[] = ["responses", "chat", "messages", "gemini-sse", "gemini-array"];
export const UNARY_CASES: SurfaceCase[] = ["responses", "chat", "messages", "gemini-json"];

/** A minimal valid request on a surface, with `prompt` as the user text (`[[mock:…]]` picks the mock scenario). */
export function surfaceRequest(c: SurfaceCase, prompt: string, stream = true): SurfaceRequest {
  const contents = [{ role: "user", parts: [{ text: prompt }] }];
  switch (c) {
    case "responses":
      return { path: "/v1/responses", dialect: "openai", stream, body: { model: "gpt-5.5", input: prompt, stream } };
    case "chat":
      return { path: "/v1/chat/completions", dialect: "openai", stream, body: { model: "gpt-5.5", messages: [{ role: "user", content: prompt }], stream } };
    case "messages":
      return { path: "/v1/messages", dialect: "anthropic", stream, body: { model: "claude-sonnet-4-5", max_tokens: 256, messages: [{ role: "user", content: prompt }], stream } };
    case "gemini-sse":
      return { path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", dialect: "google", stream: true, body: { contents } };
    case "gemini-array":
      return { path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent", dialect: "google", stream: true, body: { contents } };
    case "gemini-json":
      return { path: "/v1beta/models/gemini-2.5-pro:generateContent", dialect: "google", stream: false, body: { contents } };
  }
}

export function post(gw: { url: string; key: string }, r: { path: string; body: unknown }, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(gw.url + r.path, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", ...init.headers },
    body: typeof r.body === "string" ? r.body : JSON.stringify(r.body),
    signal: init.signal ?? AbortSignal.timeout(10_000),
  });
}

/** True when `body` is the error envelope of `dialect` (what the SDKs of that API parse). */
export function isEnvelope(dialect: Dialect, body: any): boolean {
  if (!body || typeof body !== "object") return false;
  switch (dialect) {
    case "openai":
      return typeof body.error === "object" && typeof body.error.message === "string" && typeof body.error.type === "string" && "code" in body.error;
    case "anthropic":
      return body.type === "error" && typeof body.error === "object" && typeof body.error.type === "string" && typeof body.error.message === "string";
    case "google":
      return typeof body.error === "object" && typeof body.error.code === "number" && typeof body.error.message === "string" && typeof body.error.status === "string";
  }
}

/** The `data:` payloads of an SSE body, with their event names. */
export function sseEvents(text: string): { event?: string; data: string }[] {
  const out: { event?: string; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) out.push({ event, data: data.join("\n") });
  }
  return out;
}

/**
 * The terminal error a streamed answer ended with, in the surface's own format, or undefined when
 * the stream ended without one (a silent end). Returns the error object and its code or status.
 */
export function terminalStreamError(c: SurfaceCase, text: string): { code: string; message: string } | undefined {
  if (c === "gemini-array") {
    let arr: any[];
    try {
      arr = JSON.parse(text);
    } catch {
      return undefined;
    }
    const last = arr[arr.length - 1];
    return isEnvelope("google", last) ? { code: String(last.error.status), message: last.error.message } : undefined;
  }
  const events = sseEvents(text).filter((e) => e.data !== "[DONE]");
  const last = events[events.length - 1];
  if (!last) return undefined;
  let data: any;
  try {
    data = JSON.parse(last.data);
  } catch {
    return undefined;
  }
  switch (c) {
    case "responses":
      return data.type === "response.failed" && data.response?.error ? { code: String(data.response.error.code), message: String(data.response.error.message) } : undefined;
    case "chat":
      return isEnvelope("openai", data) ? { code: String(data.error.code), message: data.error.message } : undefined;
    case "messages":
      return last.event === "error" && isEnvelope("anthropic", data) ? { code: data.error.type, message: data.error.message } : undefined;
    case "gemini-sse":
      return isEnvelope("google", data) ? { code: String(data.error.status), message: data.error.message } : undefined;
    default:
      return undefined;
  }
}

export async function adminGet(gw: { url: string }, path: string): Promise<any> {
  const r = await fetch(gw.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(5000) });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The recent-request entry (admin ring) of one request id. */
export async function recentEntry(gw: { url: string }, requestId: string): Promise<any> {
  const j = await adminGet(gw, `/admin/requests?search=${encodeURIComponent(requestId)}&limit=5`);
  return j.requests.find((r: any) => r.request_id === requestId);
}

/** Sum of a metric family's samples in /metrics (optionally only samples whose labels contain `match`). */
export async function metricValue(gw: { url: string }, name: string, match = ""): Promise<number> {
  const text = await (await fetch(gw.url + "/metrics", { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-z_:]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? "").includes(match)) sum += Number(m[3]);
  }
  return sum;
}

/** Concurrency slots the key holds, as GET /v1/usage reports them (the key must have a concurrency limit). */
export async function inUse(gw: { url: string; key: string }): Promise<number> {
  const r = await fetch(gw.url + "/v1/usage", { headers: { authorization: `Bearer ${gw.key}` }, signal: AbortSignal.timeout(5000) });
  const j: any = await r.json();
  return j.remaining.concurrency.in_use;
}

export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 3000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

export interface FaultProxy {
  /** For upstream.base_url. */
  baseUrl: string;
  /** Where forwarded requests go (the mock's root URL); settable after the gateway started its mock. */
  target: string;
  /** Silent streams currently held open (headers sent, no body byte). */
  silentOpen(): number;
  silentServed(): number;
  close(): Promise<void>;
}

/**
 * A proxy in front of the mock upstream. An account whose access token starts with `tok-silent`
 * gets 200 + SSE headers and then nothing, until the gateway gives up (the "headers then
 * nothing" fault the mock cannot script). Everything else is forwarded to the mock, with
 * `extraHeaders` added to every answer (cookies, auth-ish headers the client must never see).
 */
export function startFaultProxy(extraHeaders: Record<string, string> = {}, mockUrl = ""): FaultProxy {
  let open = 0;
  let served = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const auth = req.headers.get("authorization") ?? "";
      if (auth.startsWith("Bearer tok-silent") && url.pathname.endsWith("/responses")) {
        served++;
        open++;
        let done = false;
        const finish = () => {
          if (!done) (done = true), open--;
        };
        req.signal.addEventListener("abort", finish, { once: true });
        const body = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}), cancel: finish }, { highWaterMark: 0 });
        return new Response(body, { status: 200, headers: { "content-type": "text/event-stream", ...extraHeaders } });
      }
      const headers = new Headers(req.headers);
      headers.delete("host");
      const up = await fetch(proxy.target + url.pathname + url.search, {
        method: req.method,
        headers,
        body: req.method === "GET" ? undefined : await req.arrayBuffer(),
        signal: req.signal,
        redirect: "manual",
      });
      const h = new Headers();
      up.headers.forEach((v, k) => {
        if (k !== "content-length" && k !== "transfer-encoding" && k !== "content-encoding") h.set(k, v);
      });
      for (const [k, v] of Object.entries(extraHeaders)) h.append(k, v);
      return new Response(up.body, { status: up.status, headers: h });
    },
  });
  const proxy: FaultProxy = {
    baseUrl: `http://127.0.0.1:${server.port}/backend-api/codex`,
    target: mockUrl,
    silentOpen: () => open,
    silentServed: () => served,
    close: async () => void (await server.stop(true)),
  };
  return proxy;
}

/** A gateway's log lines (in-process variant), parsed. */
export function logLines(gw: TestGateway): Record<string, any>[] {
  return gw
    .logs()
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { raw: l };
      }
    });
}
