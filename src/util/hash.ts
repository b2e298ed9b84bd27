/**
 * Hashes and the constant-time compare, on Bun's native hasher and the global Web Crypto rather
 * than node:crypto: importing node:crypto loads Node's stream polyfills, 2.5 ms of every start on
 * one core (docs/engineering.md B10), and `Bun.CryptoHasher.hash` is also 2-3x quicker per call.
 */

type Encoding = "hex" | "base64" | "base64url";

/** Hex SHA-256 of a string (UTF-8). Deterministic, so the pure translation layer may use it too. */
export function sha256Hex(text: string): string {
  return Bun.CryptoHasher.hash("sha256", text, "hex");
}

/** SHA-256 (or SHA-1, for Redis script ids) of a string in the given encoding. */
export function digestOf(text: string, encoding: Encoding, algorithm: "sha256" | "sha1" = "sha256"): string {
  return Bun.CryptoHasher.hash(algorithm, text, encoding);
}

/** The 32 raw bytes of a string's SHA-256. */
export function sha256Bytes(text: string): Buffer {
  return Bun.CryptoHasher.hash("sha256", text) as Buffer;
}

/** True when two byte strings of the same length are equal, in time independent of where they differ. Throws on different lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return (crypto as unknown as { timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean }).timingSafeEqual(a, b);
}
