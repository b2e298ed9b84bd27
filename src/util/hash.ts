import { createHash } from "node:crypto";

/** Hex SHA-256 of a string (UTF-8). Deterministic, so the pure translation layer may use it too. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
