/** A plain JSON object (not null, not an array): what a client body's objects are checked with. */
export function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
