/**
 * The Responses WebSocket's frames (docs/protocol.md P4), as pure helpers: what a client frame
 * asks for, the headers one `response.create` carries through the pipeline, and the gateway's own
 * frames (errors in the backend's shape, the answer to a prewarm, the connection limit).
 */
import { SESSION_HEADERS, TURN_HEADERS } from "../codex/headers.ts";
import { GatewayError } from "../errors.ts";

export type ClientFrame =
  | { kind: "create"; body: Record<string, unknown>; prewarm: boolean }
  | { kind: "ignore" }
  | { kind: "error"; error: GatewayError };

const bad = (message: string, code = "invalid_request") => ({ kind: "error" as const, error: new GatewayError({ status: 400, type: "invalid_request_error", code, message }) });

/** One client frame: a `response.create` (its body without the WebSocket-only fields), or why not. */
export function parseClientFrame(data: string | Buffer, limitBytes: number): ClientFrame {
  if (typeof data !== "string") return bad("Send JSON text frames, not binary ones");
  if (Buffer.byteLength(data) > limitBytes) {
    return { kind: "error", error: new GatewayError({ status: 413, type: "invalid_request_error", code: "request_too_large", message: `The frame is larger than this gateway accepts (${Math.round(limitBytes / 1048576)} MB)` }) };
  }
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return bad("The frame is not valid JSON", "invalid_json");
  }
  if (!frame || typeof frame !== "object" || Array.isArray(frame)) return bad("A frame must be a JSON object");
  const { type, generate, ...body } = frame as Record<string, unknown>;
  // Newer CLIs acknowledge a processed response; nothing to do with it here.
  if (type === "response.processed") return { kind: "ignore" };
  if (type !== "response.create") return bad(`Unsupported frame type '${String(type).slice(0, 40)}'; send {"type":"response.create", …}`);
  // A WebSocket turn is always a stream of events.
  body.stream = true;
  return { kind: "create", body, prewarm: generate === false };
}

/**
 * Per-request headers that may travel in client_metadata (P4.2, P4.3), by the key they use there:
 * the per-turn headers, which go upstream from an HTTP client too (upstream/request.ts PASSTHROUGH_HEADERS).
 */
const METADATA_HEADERS = new Set<string>(TURN_HEADERS);
/** Handshake headers that describe the upgrade, not a request. */
const UPGRADE_ONLY = ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "content-length", "transfer-encoding"];
const HEADER_VALUE = /^[\x20-\x7e]{1,8192}$/;

/**
 * The headers one `response.create` runs with: the handshake's (auth, session, originator), plus
 * the per-request ones the client put in client_metadata — the turn state, `ws_request_header_*`
 * (the Lite flag) — so an SSE upstream gets them as headers, as from an HTTP client. A socket whose
 * client names no session is one (`socketSession`): its turns stay on one account.
 */
export function frameHeaders(handshake: Headers, body: Record<string, unknown>, socketSession?: string): Headers {
  const h = new Headers(handshake);
  for (const name of UPGRADE_ONLY) h.delete(name);
  h.set("content-type", "application/json");
  if (socketSession && !SESSION_HEADERS.some((n) => h.has(n))) h.set("session-id", socketSession);
  const meta = body.client_metadata;
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) return h;
  for (const [k, v] of Object.entries(meta as Record<string, unknown>)) {
    if (typeof v !== "string" || !HEADER_VALUE.test(v)) continue;
    const name = k.startsWith("ws_request_header_") ? k.slice("ws_request_header_".length).replace(/_/g, "-").toLowerCase() : k.toLowerCase();
    if (METADATA_HEADERS.has(name)) h.set(name, v);
  }
  return h;
}

/** The backend's error frame (P4.5): the status, the error object, and the answer's headers. */
export function errorFrame(status: number, error: unknown, headers: Record<string, string> = {}): string {
  return JSON.stringify({ type: "error", status, error, headers });
}

/** A pipeline error answer (the gateway's JSON envelope) as an error frame. */
export async function errorFrameOf(res: Response): Promise<string> {
  let error: unknown;
  try {
    error = ((await res.json()) as { error?: unknown })?.error;
  } catch {
    error = undefined;
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k === "retry-after" || k.startsWith("x-ratelimit-") || k.startsWith("x-codex-") || k === "x-request-id") headers[k] = v;
  });
  return errorFrame(res.status, error ?? { type: "api_error", message: `The request failed (${res.status})` }, headers);
}

export function gatewayErrorFrame(e: GatewayError): string {
  return errorFrame(e.status, { ...e.extra, type: e.type, code: e.code, message: e.message, param: e.param }, e.headers);
}

export const LIMIT_MESSAGE = "Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.";

/** What the backend sends when a connection reached its age limit (P4.6); the CLI reconnects. */
export function connectionLimitFrame(): string {
  return errorFrame(400, { type: "invalid_request_error", code: "websocket_connection_limit_reached", message: LIMIT_MESSAGE, param: null });
}

/**
 * The answer to a prewarm (`generate:false`, P4.2): a complete, empty response. The backend does not
 * take the parameter, and a forwarded prewarm would be a billed turn.
 */
export function prewarmFrames(id: string, model: string, createdAt: number): string[] {
  const base = { id, object: "response", created_at: createdAt, status: "in_progress", model, output: [], error: null, incomplete_details: null, usage: null };
  return [
    JSON.stringify({ type: "response.created", sequence_number: 0, response: base }),
    JSON.stringify({ type: "response.completed", sequence_number: 1, response: { ...base, status: "completed" } }),
  ];
}

/** The turn state an SSE upstream gave in a header, as the event a WebSocket client reads it from (P4.3). */
export function turnStateFrame(state: string): string {
  return JSON.stringify({ type: "response.metadata", headers: { "x-codex-turn-state": state } });
}
