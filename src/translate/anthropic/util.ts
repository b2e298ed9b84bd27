/** Small shared helpers for the Anthropic translators. */

export { isRecord } from "../../util/record.ts";

export function nonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}
