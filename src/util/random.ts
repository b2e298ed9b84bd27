/** Random ids and bytes from the global Web Crypto (not node:crypto: see util/hash.ts). */

/** `n` cryptographically random bytes (n ≤ 65,536). */
export function randomBytes(n: number): Buffer {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(n)));
}

/** A random RFC 4122 version 4 UUID. */
export function randomUUID(): string {
  return crypto.randomUUID();
}
