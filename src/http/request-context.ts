import { type AuthGuard, NO_GUARD } from "./auth-backoff.ts";
import type { SocketData } from "./websocket.ts";

/** Per-request facts set by the server wrapper and read by routes (no globals, no header trust). */
export interface RequestFacts {
  id: string;
  /** Peer address as the socket saw it (or X-Forwarded-For's first hop when trust_proxy is on). */
  ip: string;
  startedAt: number;
  /**
   * Turns the server's idle timer off for this request (long streams). Only for requests that
   * authenticated: an anonymous connection never gets it.
   */
  keepOpen: () => void;
  /** Set by pipeline routes: their log line is written when the answer ends, with usage. */
  pipeline?: boolean;
  /** The calling key's name, once a keyed route authenticated it (for records of later failures). */
  keyName?: string;
  /** Set once a client key or the admin token was accepted: only then is an unread body waited for long. */
  authenticated?: boolean;
  /** The per-source backoff on failed authentication, for this request's source. */
  auth?: AuthGuard;
  /** The body must have arrived by startedAt + this (server.body_timeout). */
  bodyTimeoutMs?: number;
  /** Set once the body was read to its end (an unread body means the connection cannot be reused). */
  bodyRead?: boolean;
  /** Upgrades this request to a WebSocket (only behind the server wrapper); true when it did. */
  upgrade?: (data: SocketData, headers: Record<string, string>) => boolean;
  /** The request became a WebSocket: the server sends no HTTP answer of its own. */
  upgraded?: boolean;
}

const facts = new WeakMap<Request, RequestFacts>();

export function setFacts(req: Request, f: RequestFacts): void {
  facts.set(req, f);
}

export function getFacts(req: Request): RequestFacts {
  let f = facts.get(req);
  if (!f) facts.set(req, (f = { id: "", ip: "", startedAt: Date.now(), keepOpen: () => {} }));
  return f;
}

/** The request's guard against guessing credentials (a no-op outside the server wrapper). */
export function authGuard(req: Request): AuthGuard {
  return getFacts(req).auth ?? NO_GUARD;
}

export function isLoopback(ip: string): boolean {
  return ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.") || ip === "localhost";
}

/**
 * Headers a reverse proxy or CDN adds with the client's address. Their presence means the peer
 * address is the proxy's, not the client's — so a same-host proxy must set one of them.
 */
export const FORWARDING_HEADERS = [
  "x-forwarded-for",
  "forwarded",
  "x-real-ip",
  "cf-connecting-ip",
  "true-client-ip",
  "x-client-ip",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-server",
  "x-original-forwarded-for",
  "fastly-client-ip",
  "x-cluster-client-ip",
  "x-proxyuser-ip",
  "via",
] as const;

export function isForwarded(headers: Headers): boolean {
  return FORWARDING_HEADERS.some((h) => headers.has(h));
}

/** Host names that always mean "this machine" (DNS rebinding cannot produce them). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Whether the request is addressed to this machine by a loopback name, or to one of `allowed`
 * (admin.allowed_hosts). The name comes from the request URL, which Bun builds from the Host
 * header; a page that rebinds its own name to 127.0.0.1 still sends its own name.
 */
export function hostAllowed(request: Request, allowed: readonly string[] = []): boolean {
  let name: string;
  try {
    name = new URL(request.url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (!name) return false;
  return LOOPBACK_HOSTS.has(name) || allowed.includes(name) || allowed.includes(name.replace(/^\[|\]$/g, ""));
}
