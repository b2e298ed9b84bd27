/**
 * POST …/responses: scenarios, validation like the backend, and the streamed turn (a v2
 * compaction when the last input item is a compaction_trigger). …/responses/compact is 404, as on
 * the backend since 2026-08 (docs/protocol.md P9.1). WebSocket turns (websocket.ts) come through
 * here too, with `via` saying so.
 */
import { randomBytes } from "node:crypto";
import { benchDirective, benchResponse } from "../bench/mock-profile.ts";
import { foreignEncrypted, invalidEncryptedBody, storeLookup } from "./binding.ts";
import { afterCompaction, compactionFrames, TRIGGER_NOT_LAST, triggerPlacement } from "./compaction.ts";
import { liteRefusal, liteView } from "./lite.ts";
import type { MockState } from "./state.ts";
import type { RecordedRequest } from "./types.ts";
import { streamFrames } from "./stream.ts";
import { buildTurn, failedFrame } from "./turn.ts";
import { b64url, frame, json, rid, scenarioOfToken } from "./util.ts";

const UNSUPPORTED = ["max_output_tokens", "max_tokens", "temperature", "top_p", "truncation"];

export async function handleResponses(s: MockState, req: Request, path: string, via?: Pick<RecordedRequest, "transport" | "previousResponseId">): Promise<Response> {
  if (path.endsWith("/responses/compact")) {
    s.record({ at: Date.now(), method: req.method, path, headers: {}, body: undefined, aborted: false, status: 404 });
    return json(404, { detail: "Not Found" });
  }
  const text = await req.text();
  // Benchmark path (scripts/bench/mock-profile.ts): `[[bench:50x0]]` in the body skips
  // validation, recording and scenarios, so the mock stays cheap next to the gateway.
  const bench = path.endsWith("/responses") ? benchDirective(text) : undefined;
  if (bench) return benchResponse(bench, req.signal);
  const headers: Record<string, string> = {};
  if (s.o.record) req.headers.forEach((v, k) => (headers[k] = v));
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
  // The account the request runs on: what encrypted content is bound to, and what scripts follow.
  const accountId = req.headers.get("chatgpt-account-id") ?? fromToken.accountId ?? token.slice(0, 24);
  const scripted = s.scripts.get(accountId)?.shift() ?? s.accountScenario.get(accountId);
  const scenario = req.headers.get("x-mock-scenario") ?? scripted ?? (fromToken.scenario && fromToken.scenario !== "ok" ? fromToken.scenario : undefined) ?? directive ?? "ok";
  const rec = s.record({ at: Date.now(), method: req.method, path, headers, body, scenario, aborted: false, transport: via?.transport ?? "http", ...(via?.previousResponseId ? { previousResponseId: via.previousResponseId } : {}) });
  s.stats.responses++;
  s.stats.byScenario[scenario] = (s.stats.byScenario[scenario] ?? 0) + 1;
  const reply = (status: number, b: unknown, h: Record<string, string> = {}) => {
    rec.status = status;
    return json(status, b, h);
  };

  if (!token || fromToken.expired || scenario === "401") {
    return reply(401, { detail: "Unauthorized" }, { "x-openai-authorization-error": "token_expired", "x-error-json": b64url(JSON.stringify({ error: { code: "token_expired" } })) });
  }
  if (scenario === "slow-first-byte") {
    const delay = Number(req.headers.get("x-mock-first-byte-ms") ?? s.o.firstByteMs);
    const aborted = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), delay);
      req.signal.addEventListener("abort", () => (clearTimeout(t), resolve(true)), { once: true });
    });
    if (aborted) {
      rec.aborted = true;
      s.stats.aborted++;
      return new Response(null, { status: 499 });
    }
  }
  const resetsAt = Math.floor(Date.now() / 1000) + s.o.resetsInSeconds;
  const usageBody = { error: { type: "usage_limit_reached", message: "The usage limit has been reached", plan_type: "plus", resets_at: resetsAt, eligible_promo: null, resets_in_seconds: s.o.resetsInSeconds } };
  switch (scenario) {
    case "403":
      return reply(403, { detail: "This account is not allowed to use Codex." });
    case "403-html":
      rec.status = 403;
      return new Response("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>", { status: 403, headers: { "content-type": "text/html" } });
    case "404-usage":
      return reply(404, usageBody, s.rateHeaders(accountId, true));
    case "429-usage":
      return reply(429, usageBody, { ...s.rateHeaders(accountId, true), "x-codex-active-limit": "codex" });
    case "429-usage-model":
      return reply(429, usageBody, { ...s.rateHeaders(accountId, true), "x-codex-active-limit": "codex_bengalfox", "x-codex-bengalfox-limit-name": String(body?.model ?? "gpt-5.5"), "x-codex-bengalfox-primary-used-percent": "100" });
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
  if (s.o.validate && path.endsWith("/responses")) {
    if (!body || typeof body !== "object") return reply(400, { detail: "Invalid JSON body" });
    if (body.stream !== true) return reply(400, { detail: "Stream must be set to true" });
    if (body.store === true) return reply(400, { detail: "Store must be set to false" });
    if (body.input !== undefined && !Array.isArray(body.input)) return reply(400, { detail: "Input must be a list" });
    for (const p of UNSUPPORTED) if (p in body) return reply(400, { detail: `Unsupported parameter: ${p}` });
    if (triggerPlacement(body) === "misplaced") return reply(400, { error: { type: "invalid_request_error", code: "invalid_value", message: TRIGGER_NOT_LAST, param: "input" } });
    const lite = liteRefusal(req.headers, body);
    if (lite) return reply(400, lite);
  }
  // What store:false cannot resolve, and encrypted content another account minted (binding.ts).
  const lookup = storeLookup(body?.input);
  if (lookup) return reply(404, lookup);
  const foreign = foreignEncrypted(body?.input, accountId);
  if (foreign !== undefined) return reply(400, invalidEncryptedBody(foreign));
  const h = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-request-id": rid("req"),
    // The model comes from the client (fuzz tests send anything): a header cannot carry every string.
    "openai-model": typeof body?.model === "string" && /^[\x20-\x7e]{1,200}$/.test(body.model) ? body.model : "gpt-5.5",
    "x-models-etag": 'W/"mock-1"',
    // Sticky routing for the rest of the turn (docs/protocol.md P10.3): echoed, or a new one.
    "x-codex-turn-state": req.headers.get("x-codex-turn-state") ?? `ts-${b64url(accountId)}-${randomBytes(6).toString("hex")}`,
    ...s.rateHeaders(accountId, false),
  };
  rec.status = 200;

  if (triggerPlacement(body) === "last") return streamFrames(s, compactionFrames(s, body, text.length, accountId), rec, req.signal, "close", 0, h);

  const turn = buildTurn(s, afterCompaction(liteView(body)), scenario, text.length, accountId);
  const respId = rid("resp");
  const created = turn.frames.slice(0, 2);
  const mid = turn.frames.slice(0, turn.firstDelta + s.o.midStreamAfter);
  const delay = Number(req.headers.get("x-mock-delay-ms") ?? s.o.deltaDelayMs);
  switch (scenario) {
    case "drop-before-content":
      return streamFrames(s, created, rec, req.signal, "drop", delay, h);
    case "drop-mid-stream":
      return streamFrames(s, mid, rec, req.signal, "drop", delay, h);
    case "idle-before-content":
      return streamFrames(s, created, rec, req.signal, "idle", delay, h);
    case "idle-mid-stream":
      return streamFrames(s, mid, rec, req.signal, "idle", delay, h);
    case "failed-at-once":
      return streamFrames(s, [...created, failedFrame(respId, "server_is_overloaded", "Selected model is at capacity. Please try a different model.")], rec, req.signal, "close", 0, h);
    case "failed-server":
      return streamFrames(s, [...created, failedFrame(respId, "server_error", "An error occurred while processing your request. You can retry your request.")], rec, req.signal, "close", 0, h);
    case "failed-encrypted":
      return streamFrames(s, [...created, failedFrame(respId, "invalid_encrypted_content", "The encrypted content could not be verified.")], rec, req.signal, "close", 0, h);
    case "failed-usage":
      return streamFrames(s, [...created, failedFrame(respId, "usage_limit_reached", "The usage limit has been reached", { plan_type: "plus", resets_at: resetsAt })], rec, req.signal, "close", 0, h);
    case "failed-rate":
      return streamFrames(s, [...created, failedFrame(respId, "rate_limit_exceeded", "Rate limit reached for gpt-5.5. Please try again in 1.5s.")], rec, req.signal, "close", 0, h);
    case "failed-context":
      return streamFrames(s, [...created, failedFrame(respId, "context_length_exceeded", "Your input exceeds the context window of this model. Please adjust your input and try again.")], rec, req.signal, "close", 0, h);
    case "error-event":
      return streamFrames(s, [...created, frame({ type: "error", sequence_number: 2, code: "server_error", message: "An error occurred while processing your request.", param: null })], rec, req.signal, "close", 0, h);
    case "failed-mid-stream":
      return streamFrames(s, [...mid, failedFrame(respId, "usage_limit_reached", "The usage limit has been reached", { plan_type: "plus", resets_at: resetsAt })], rec, req.signal, "close", delay, h);
  }
  return streamFrames(s, turn.frames, rec, req.signal, "close", delay, h);
}
