import { createHash } from "node:crypto";

/** Hex sha256; deterministic, so it is allowed in the pure translation layer. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
