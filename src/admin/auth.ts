import { createHash, timingSafeEqual } from "node:crypto";
import { GatewayError, notFound } from "../errors.ts";
import { getFacts, isLoopback } from "../http/request-context.ts";
import type { AdminAuthConfig } from "./types.ts";

/** Headers a reverse proxy adds. Their presence means the peer address is the proxy's, not the client's. */
const FORWARD_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

/**
 * True when the request comes from this machine. A request that carries forwarding headers is
 * treated as remote even from 127.0.0.1: a reverse proxy on the same host would otherwise turn
 * every internet client into "loopback" (and with trust_proxy the first X-Forwarded-For hop is
 * client-controlled).
 */
export function isLocalRequest(request: Request): boolean {
  if (!isLoopback(getFacts(request).ip)) return false;
  return !FORWARD_HEADERS.some((h) => request.headers.has(h));
}

function bearer(request: Request): string | undefined {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return m?.[1];
}

/** SHA-256 of the presented token compared in constant time with the configured digest. */
export function tokenMatches(presented: string | undefined, tokenSha256: string | undefined): boolean {
  if (!presented || !tokenSha256 || !/^[0-9a-f]{64}$/i.test(tokenSha256)) return false;
  const got = createHash("sha256").update(presented).digest();
  return timingSafeEqual(got, Buffer.from(tokenSha256, "hex"));
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
  const token = bearer(request);
  if (!token) throw unauthorized("Missing admin token: send Authorization: Bearer <admin token>", "missing_admin_token");
  if (!tokenMatches(token, cfg.tokenSha256)) throw unauthorized("Invalid admin token", "invalid_admin_token");
}

/**
 * /metrics gate: open on loopback (a local Prometheus or node exporter scrape); from anywhere else
 * the admin token is required, and without a configured admin token remote scrapes are refused.
 */
export function requireMetricsAccess(request: Request, cfg: AdminAuthConfig): void {
  if (isLocalRequest(request)) return;
  if (!cfg.tokenSha256) {
    throw new GatewayError({ status: 403, type: "permission_error", code: "metrics_remote_forbidden", message: "/metrics answers only from loopback unless an admin token is configured" });
  }
  const token = bearer(request);
  if (!token) throw unauthorized("Missing token: remote /metrics scrapes need Authorization: Bearer <admin token>", "missing_admin_token");
  if (!tokenMatches(token, cfg.tokenSha256)) throw unauthorized("Invalid admin token", "invalid_admin_token");
}
