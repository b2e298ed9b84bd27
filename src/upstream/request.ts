import { digestOf } from "../util/hash.ts";
import { SESSION_HEADERS, TURN_HEADERS } from "../codex/headers.ts";
import type { Config } from "../config/types.ts";

/**
 * Client headers that carry the session/turn identity and go upstream unchanged
 * (docs/protocol.md P2.1, docs/clients.md C4.6). Everything else the client sent stays here — in
 * particular its own credentials (authorization, x-api-key, x-goog-api-key, cookie) are never
 * forwarded.
 */
export const PASSTHROUGH_HEADERS = [
  ...SESSION_HEADERS,
  "x-client-request-id",
  // The Lite flag among them is made to match the body by the pipeline (translate/lite.ts liteHeaders).
  ...TURN_HEADERS,
] as const;


export interface UpstreamAuth {
  accessToken: string;
  accountId?: string;
  fedramp?: boolean;
}

/** Headers for a request to the Codex backend, as the Codex CLI sends them. */
export function buildUpstreamHeaders(auth: UpstreamAuth, upstream: Config["upstream"], client: Headers | undefined, opts: { sessionKey?: string; accept?: string } = {}): Headers {
  const h = new Headers();
  if (client) {
    for (const name of PASSTHROUGH_HEADERS) {
      const v = client.get(name);
      if (v !== null && v !== "") h.set(name, v);
    }
  }
  // The upstream keys its session routing on the session headers; give it the prompt cache key when the client sent none.
  if (opts.sessionKey && !h.has("session_id") && !h.has("session-id")) h.set("session_id", headerSafe(opts.sessionKey));
  h.set("authorization", `Bearer ${auth.accessToken}`);
  if (auth.accountId) h.set("chatgpt-account-id", auth.accountId);
  if (auth.fedramp) h.set("x-openai-fedramp", "true");
  h.set("originator", upstream.originator);
  h.set("user-agent", upstream.userAgent);
  h.set("version", upstream.clientVersion);
  h.set("accept", opts.accept ?? "text/event-stream");
  h.set("content-type", "application/json");
  // Bun would otherwise ask for gzip/br and decompress on the fly; SSE must arrive as written.
  h.set("accept-encoding", "identity");
  return h;
}

/**
 * The session key comes from the request body (prompt_cache_key, metadata): printable ASCII goes
 * as is; anything else (newlines, control or non-ASCII characters, which a header cannot carry and
 * `Headers.set` throws on) goes as its hash, which is just as stable for routing.
 */
function headerSafe(v: string): string {
  return /^[\x21-\x7e](?:[\x20-\x7e]{0,510}[\x21-\x7e])?$/.test(v) ? v : digestOf(v, "hex").slice(0, 32);
}

export function upstreamUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`;
}

/** fetch options every upstream call shares: the account's proxy, and no Bun socket idle timer (we run our own). */
export function fetchOptions(init: RequestInit, proxy: string | undefined): RequestInit {
  return { ...init, redirect: "manual", timeout: false, ...(proxy ? { proxy } : {}) } as RequestInit;
}
