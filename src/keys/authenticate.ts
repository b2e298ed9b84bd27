import { sha256Bytes, constantTimeEqual } from "../util/hash.ts";
import type { KeyConfig } from "../config/types.ts";
import { GatewayError } from "../errors.ts";

/**
 * Client keys are stored as SHA-256 only. Lookup hashes the presented key, then confirms with a
 * constant-time compare so timing says nothing about how much of a hash matched.
 */
export class KeyIndex {
  private byHash = new Map<string, { key: KeyConfig; digest: Buffer }>();

  constructor(keys: KeyConfig[]) {
    for (const key of keys) if (key.sha256) this.byHash.set(key.sha256, { key, digest: Buffer.from(key.sha256, "hex") });
  }

  get size(): number {
    return this.byHash.size;
  }

  find(rawKey: string): KeyConfig | undefined {
    const digest = sha256Bytes(rawKey);
    const hex = digest.toString("hex");
    const hit = this.byHash.get(hex);
    // Compare anyway against a same-length buffer on a miss, so hits and misses cost the same.
    const against = hit?.digest ?? MISS;
    return constantTimeEqual(digest, against) && hit ? hit.key : undefined;
  }
}

const MISS = Buffer.alloc(32);

/** Where a key may come from on a route: Google's `?key=` only on the Gemini routes. */
export interface KeySources {
  /** Accept `?key=` (Google's format; a key in a URL lands in proxy logs and browser history). */
  queryKey?: boolean;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * The key a client sent: `Authorization: Bearer` (OpenAI, and Anthropic with an auth token),
 * `x-api-key` (Anthropic), `x-goog-api-key` (Gemini), or `?key=` where the route allows it.
 * An Authorization header that is not `Bearer <key>` is refused rather than guessed at.
 */
export function extractApiKey(headers: Headers, url: URL, sources: KeySources = {}): string | undefined {
  const auth = headers.get("authorization");
  if (auth?.trim()) {
    const m = BEARER.exec(auth);
    if (!m) throw new GatewayError({ status: 401, type: "authentication_error", code: "invalid_api_key", message: "Invalid Authorization header: send Authorization: Bearer <key>" });
    return m[1];
  }
  const xApiKey = headers.get("x-api-key") ?? headers.get("x-goog-api-key");
  if (xApiKey?.trim()) return xApiKey.trim();
  if (!sources.queryKey) return undefined;
  return url.searchParams.get("key")?.trim() || undefined;
}

/** 401 missing/invalid/expired or 403 disabled, in the seed's order (status before expiry). */
export function authenticate(rawKey: string | undefined, index: KeyIndex, now: number): KeyConfig {
  if (!rawKey) throw new GatewayError({ status: 401, type: "authentication_error", code: "missing_api_key", message: "Missing API key: send Authorization: Bearer sk-…" });
  const key = index.find(rawKey);
  if (!key) throw new GatewayError({ status: 401, type: "authentication_error", code: "invalid_api_key", message: "Invalid API key" });
  if (!key.enabled) throw new GatewayError({ status: 403, type: "permission_error", code: "api_key_disabled", message: "This API key is disabled" });
  if (key.expiresAt !== undefined && now >= key.expiresAt) {
    throw new GatewayError({ status: 401, type: "authentication_error", code: "api_key_expired", message: `This API key expired at ${new Date(key.expiresAt).toISOString()}` });
  }
  return key;
}

/** The source's guard against guessing (http/auth-backoff.ts); absent outside the server. */
export interface GuessGuard {
  check(): void;
  failed(what: "api_key"): void;
}

/**
 * The key of a request, authenticated from its headers alone (the body is not needed, so a
 * client without a key is refused before it sends one): throws 401/403, or 429 while its source
 * is backing off after too many wrong keys. A wrong key counts as a failure; a missing one does not.
 */
export function authenticateRequest(headers: Headers, url: URL, index: KeyIndex, now: number, sources: KeySources = {}, guard?: GuessGuard): KeyConfig {
  guard?.check();
  try {
    return authenticate(extractApiKey(headers, url, sources), index, now);
  } catch (e) {
    if ((e as GatewayError).code === "invalid_api_key") guard?.failed("api_key");
    throw e;
  }
}
