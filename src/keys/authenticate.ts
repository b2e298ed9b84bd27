import { createHash, timingSafeEqual } from "node:crypto";
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
    const digest = createHash("sha256").update(rawKey).digest();
    const hex = digest.toString("hex");
    const hit = this.byHash.get(hex);
    // Compare anyway against a same-length buffer on a miss, so hits and misses cost the same.
    const against = hit?.digest ?? MISS;
    return timingSafeEqual(digest, against) && hit ? hit.key : undefined;
  }
}

const MISS = Buffer.alloc(32);

/** The key a client sent, in any of the usual headers (or Gemini's ?key=). */
export function extractApiKey(headers: Headers, url: URL): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    const v = m ? m[1] : auth.trim();
    if (v) return v;
  }
  const xApiKey = headers.get("x-api-key") ?? headers.get("x-goog-api-key");
  if (xApiKey?.trim()) return xApiKey.trim();
  const q = url.searchParams.get("key");
  return q?.trim() || undefined;
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

/** The key of a request (its headers, or Gemini's ?key=), authenticated: throws 401/403. */
export function authenticateRequest(headers: Headers, url: URL, index: KeyIndex, now: number): KeyConfig {
  return authenticate(extractApiKey(headers, url), index, now);
}
