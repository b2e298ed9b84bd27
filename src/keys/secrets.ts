import { randomBytes } from "../util/random.ts";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `length` base62 characters from the CSPRNG. Rejection sampling keeps every character equally
 * likely (a plain `byte % 62` would favour the first 8).
 */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** A client key: `sk-` + 48 base62 characters (≈ 285 bits). */
export function newClientKey(): string {
  return `sk-${randomBase62(48)}`;
}

/** An admin token: `cgw-admin-` + 40 base62 characters (≈ 238 bits). */
export function newAdminToken(): string {
  return `cgw-admin-${randomBase62(40)}`;
}

