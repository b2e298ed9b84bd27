/**
 * Client strings quoted in error messages are cut to a short prefix: a 400 must say what was
 * wrong, never echo megabytes back (fuzzing found a 2.5 MB string in a message; docs/helpers.md:
 * "never echoed at length").
 */
export const CLIP = 64;

export function clip(value: unknown, max = CLIP): string {
  const s = typeof value === "string" ? value : String(value);
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}
