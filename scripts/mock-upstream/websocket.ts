/**
 * The Responses WebSocket of the mock backend (docs/protocol.md P4): `GET …/responses` upgrades
 * with the same auth as HTTP (a bad token is refused before the upgrade); every `response.create`
 * frame runs through the same handler as an HTTP turn (handleResponses: scenarios, validation,
 * account binding, recording), and its answer comes back as one event per text frame:
 *
 * - errors as `{"type":"error","status":…,"error":{…},"headers":{…}}`; the socket stays open;
 * - `codex.rate_limits` first (the WebSocket carries rate limits as events, not headers), the turn
 *   state in a `response.metadata` event (the 101 answer has none, P4.3);
 * - `generate:false` (prewarm) is refused as the backend refuses the parameter;
 * - `previous_response_id` continues the connection's last response only (the cache is per
 *   connection, P4.4); anything else is `previous_response_not_found`;
 * - connections are capped at `websocketMaxAgeMs` (60 minutes) with
 *   `websocket_connection_limit_reached`, then closed;
 * - a broken upstream turn (drop scenarios) breaks the socket; the client closing aborts the turn.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { handleResponses } from "./responses.ts";
import type { MockState } from "./state.ts";
import { json, scenarioOfToken } from "./util.ts";

export interface MockSocket {
  url: string;
  path: string;
  headers: Headers;
  openedAt: number;
  /** The connection's last completed response: what previous_response_id may continue. */
  last?: { id: string; items: unknown[] };
  inflight?: AbortController;
  closed: boolean;
  queue: Promise<void>;
}

const LIMIT_MESSAGE = "Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.";
const LITE_KEY = "ws_request_header_x_openai_internal_codex_responses_lite";

/** GET …/responses with `Upgrade: websocket`: authenticate like HTTP, then upgrade (undefined) or refuse. */
export function upgradeResponses(s: MockState, req: Request, server: Server<MockSocket>, path: string): Response | undefined {
  const refuse = (status: number, body: unknown, headers: Record<string, string> = {}) => (s.stats.websocketsRefused++, json(status, body, headers));
  if (!s.o.websocket) return refuse(426, { detail: "Upgrade Required" });
  const auth = req.headers.get("authorization") ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
  const who = token ? scenarioOfToken(token) : {};
  if (!token || who.expired || who.scenario === "401") return refuse(401, { detail: "Unauthorized" }, { "x-openai-authorization-error": "token_expired" });
  const data: MockSocket = { url: req.url, path, headers: new Headers(req.headers), openedAt: Date.now(), closed: false, queue: Promise.resolve() };
  if (!server.upgrade(req, { data, headers: { "x-models-etag": 'W/"mock-1"', "x-reasoning-included": "true" } })) return refuse(400, { detail: "WebSocket upgrade failed" });
  s.stats.websockets++;
  return undefined;
}

export function mockWebsocketHandlers(s: MockState): WebSocketHandler<MockSocket> {
  return {
    perMessageDeflate: true,
    idleTimeout: 0,
    message(ws, msg) {
      ws.data.queue = ws.data.queue.then(() => onFrame(s, ws, msg)).catch(() => ws.close(1011, "mock error"));
    },
    close(ws) {
      ws.data.closed = true;
      ws.data.inflight?.abort(new DOMException("client closed the WebSocket", "AbortError"));
    },
  };
}

function send(ws: ServerWebSocket<MockSocket>, ev: unknown): void {
  if (!ws.data.closed) ws.send(typeof ev === "string" ? ev : JSON.stringify(ev));
}

function errorFrame(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Record<string, unknown> {
  return { type: "error", status, error, headers };
}

async function onFrame(s: MockState, ws: ServerWebSocket<MockSocket>, msg: string | Buffer): Promise<void> {
  const d = ws.data;
  s.stats.websocketFrames++;
  let frame: any;
  try {
    frame = JSON.parse(typeof msg === "string" ? msg : "");
  } catch {
    return send(ws, errorFrame(400, { type: "invalid_request_error", message: "Expected a JSON text frame" }));
  }
  if (frame?.type === "response.processed") return;
  if (frame?.type !== "response.create") return send(ws, errorFrame(400, { type: "invalid_request_error", message: `Unsupported message type '${String(frame?.type).slice(0, 40)}'` }));
  if (Date.now() - d.openedAt >= s.o.websocketMaxAgeMs) {
    send(ws, errorFrame(400, { type: "invalid_request_error", code: "websocket_connection_limit_reached", message: LIMIT_MESSAGE }));
    ws.close(1000, "connection limit reached");
    return;
  }
  // The backend does not take `generate` (a prewarm is the gateway's to answer, P4.2).
  if ("generate" in frame) return send(ws, errorFrame(400, { type: "invalid_request_error", code: "unsupported_parameter", message: "Unsupported parameter: generate", param: "generate" }));
  const { type: _t, previous_response_id: previous, ...body } = frame;
  const input = Array.isArray(body.input) ? body.input : [];
  if (previous !== undefined) {
    if (!d.last || d.last.id !== previous) {
      return send(ws, errorFrame(400, { type: "invalid_request_error", code: "previous_response_not_found", message: `Previous response with id '${String(previous).slice(0, 80)}' not found.`, param: "previous_response_id" }));
    }
    body.input = [...d.last.items, ...input];
  } else body.input = input;
  d.last = undefined;

  const headers = new Headers(d.headers);
  for (const h of ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "content-length"]) headers.delete(h);
  headers.set("content-type", "application/json");
  const meta = body.client_metadata && typeof body.client_metadata === "object" ? body.client_metadata : {};
  if (typeof meta["x-codex-turn-state"] === "string") headers.set("x-codex-turn-state", meta["x-codex-turn-state"]);
  if (meta[LITE_KEY] === "true") headers.set("x-openai-internal-codex-responses-lite", "true");

  const ctl = new AbortController();
  d.inflight = ctl;
  const res = await handleResponses(s, new Request(d.url.replace(/^ws/, "http"), { method: "POST", headers, body: JSON.stringify(body), signal: ctl.signal }), d.path, {
    transport: "websocket",
    previousResponseId: typeof previous === "string" ? previous : undefined,
  });
  if (res.status < 200 || res.status >= 300) return send(ws, await errorOf(res));
  await relayTurn(ws, res, body.input);
  d.inflight = undefined;
}

async function errorOf(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = parsed?.error && typeof parsed.error === "object" ? parsed.error : { type: "invalid_request_error", message: typeof parsed?.detail === "string" ? parsed.detail : text.slice(0, 200) };
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k.startsWith("x-codex-") || k === "retry-after") headers[k] = v;
  });
  return errorFrame(res.status, error, headers);
}

/** The codex.rate_limits event the backend sends over WebSocket instead of x-codex-* headers. */
function rateLimitsEvent(h: Headers): Record<string, unknown> {
  const win = (p: string) => {
    const used = h.get(`x-codex-${p}-used-percent`);
    if (used === null) return null;
    return { used_percent: Number(used), window_minutes: Number(h.get(`x-codex-${p}-window-minutes`) ?? 0), reset_at: Number(h.get(`x-codex-${p}-reset-at`) ?? 0) };
  };
  const bool = (v: string | null) => v?.toLowerCase() === "true";
  return {
    type: "codex.rate_limits",
    plan_type: h.get("x-codex-plan-type") ?? "plus",
    rate_limits: { allowed: true, limit_reached: false, primary: win("primary"), secondary: win("secondary") },
    credits: { has_credits: bool(h.get("x-codex-credits-has-credits")), unlimited: bool(h.get("x-codex-credits-unlimited")), balance: h.get("x-codex-credits-balance") ?? "0" },
  };
}

/** The turn's SSE answer as frames; a broken body breaks the socket (the client sees a close mid-turn). */
async function relayTurn(ws: ServerWebSocket<MockSocket>, res: Response, input: unknown[]): Promise<void> {
  const d = ws.data;
  const turnState = res.headers.get("x-codex-turn-state");
  const outputs: { index: number; item: unknown }[] = [];
  send(ws, rateLimitsEvent(res.headers));
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      if (d.closed) {
        await reader.cancel().catch(() => {});
        return;
      }
      const { done, value } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf("\n\n")) !== -1) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (!data) continue;
        send(ws, data);
        const ev = JSON.parse(data);
        if (ev.type === "response.created" && turnState) send(ws, { type: "response.metadata", headers: { "x-codex-turn-state": turnState } });
        if (ev.type === "response.output_item.done") outputs.push({ index: Number(ev.output_index ?? outputs.length), item: ev.item });
        if (ev.type === "response.completed" && typeof ev.response?.id === "string") {
          d.last = { id: ev.response.id, items: [...input, ...outputs.sort((a, b) => a.index - b.index).map((o) => o.item)] };
        }
      }
    }
  } catch {
    // The upstream turn broke (drop scenarios): so does the socket, as a connection reset would.
    if (!d.closed) ws.terminate();
  }
}
