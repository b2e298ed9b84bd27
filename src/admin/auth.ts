import { sha256Bytes, constantTimeEqual } from "../util/hash.ts";
import { GatewayError, notFound } from "../errors.ts";
import { authGuard, getFacts, hostAllowed, isForwarded, isLoopback } from "../http/request-context.ts";
import type { AdminAuthConfig } from "./types.ts";

/**
 * True when the request comes from this machine. A request that carries forwarding headers is
 * treated as remote even from 127.0.0.1: a reverse proxy on the same host would otherwise turn
 * every internet client into "loopback" (and with trust_proxy the first X-Forwarded-For hop is
 * client-controlled).
 */
export function isLocalRequest(request: Request): boolean {
  if (!isLoopback(getFacts(request).ip)) return false;
  return !isForwarded(request.headers);
}

function bearer(request: Request): string | undefined {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return m?.[1];
}

/** SHA-256 of the presented token compared in constant time with the configured digest. */
export function tokenMatches(presented: string | undefined, tokenSha256: string | undefined): boolean {
  if (!presented || !tokenSha256 || !/^[0-9a-f]{64}$/i.test(tokenSha256)) return false;
  const got = sha256Bytes(presented);
  return constantTimeEqual(got, Buffer.from(tokenSha256, "hex"));
}

const unauthorized = (message: string, code: string) =>
  new GatewayError({ status: 401, type: "authentication_error", code, message, headers: { "www-authenticate": 'Bearer realm="codex-gateway admin"' } });

/**
 * Admin API gate. Order: off (404, indistinguishable from an unknown route) → not loopback and
 * allow_remote off (403, before looking at the token, so a remote client learns nothing about it)
 * → missing / wrong token (401).
 */
export function requireAdmin(request: Request, cfg: AdminAuthConfig): void {
  if (!cfg.tokenSha256) throw notFound(`Unknown route: ${request.method} ${new URL(request.url).pathname}`);
  if (!cfg.allowRemote && !isLocalRequest(request)) {
    throw new GatewayError({ status: 403, type: "permission_error", code: "admin_remote_forbidden", message: "The admin API answers only from loopback; set admin.allow_remote to open it" });
  }
  // DNS rebinding: a web page whose name resolves to 127.0.0.1 still sends its own name as Host.
  if (!hostAllowed(request, cfg.allowedHosts)) {
    throw new GatewayError({ status: 403, type: "permission_error", code: "admin_host_forbidden", message: "The admin API answers only to localhost, 127.0.0.1, [::1] or a name in admin.allowed_hosts" });
  }
  checkToken(request, cfg.tokenSha256, "Missing admin token: send Authorization: Bearer <admin token>");
}

/** The bearer token against the digest; wrong ones count toward the source's backoff (429 while it lasts). */
function checkToken(request: Request, tokenSha256: string, missing: string): void {
  const guard = authGuard(request);
  guard.check();
  const token = bearer(request);
  if (!token) throw unauthorized(missing, "missing_admin_token");
  if (!tokenMatches(token, tokenSha256)) {
    guard.failed("admin_token");
    throw unauthorized("Invalid admin token", "invalid_admin_token");
  }
  getFacts(request).authenticated = true;
}

/**
 * /metrics gate: open to loopback scrapes addressed to a loopback name (or one in
 * admin.allowed_hosts: a page that rebinds its own name to 127.0.0.1 is not a local scrape);
 * anything else needs the admin token, and without a configured admin token it is refused.
 */
export function requireMetricsAccess(request: Request, cfg: AdminAuthConfig): void {
  if (isLocalRequest(request) && hostAllowed(request, cfg.allowedHosts)) return;
  if (!cfg.tokenSha256) {
    throw new GatewayError({ status: 403, type: "permission_error", code: "metrics_remote_forbidden", message: "/metrics answers only from loopback unless an admin token is configured" });
  }
  checkToken(request, cfg.tokenSha256, "Missing token: remote /metrics scrapes need Authorization: Bearer <admin token>");
}
