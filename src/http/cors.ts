/**
 * CORS for the client API only. The admin API, /metrics, /readyz, /healthz and the pages never
 * carry Access-Control-* headers, and their preflights are refused: with `cors_origins: ["*"]`,
 * any web page could otherwise read a loopback /metrics (key names, usage) or drive the admin API.
 */

/** Paths of the client API (what SDKs in a browser may call), after URL normalization. */
const CLIENT_API = /^\/+(v1|v1beta|v1alpha|codex|backend-api|responses|chat|messages|models|usage|images)(\/|$)/i;

export function isClientApiPath(pathname: string): boolean {
  let p = pathname;
  try {
    p = decodeURIComponent(pathname);
  } catch {
    /* a malformed escape: judged as written */
  }
  return CLIENT_API.test(p);
}

/** Exact origins only; "*" is honoured without credentials (never both). */
export function corsAllowed(origin: string, allowed: string[]): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

export function corsHeaders(origin: string, preflight: boolean, allowed: string[]): Record<string, string> {
  // A configured "*" answers "*" literally; credentials are never allowed, so no wildcard with credentials.
  const h: Record<string, string> = { "access-control-allow-origin": allowed.includes(origin) ? origin : "*", vary: "Origin", "access-control-expose-headers": "x-request-id, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-codex-gateway-token-count" };
  if (preflight) {
    h["access-control-allow-methods"] = "GET, POST, OPTIONS";
    h["access-control-allow-headers"] = "authorization, content-type, x-api-key, x-goog-api-key, anthropic-version, anthropic-beta, x-request-id, x-codex-mode, x-codex-raw-passthrough, openai-beta, session_id, session-id";
    h["access-control-max-age"] = "600";
  }
  return h;
}
