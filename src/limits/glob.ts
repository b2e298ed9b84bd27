/**
 * Model-name globs for key permissions and prices: `*` matches any run of characters, everything
 * else is literal. Case-insensitive, so a deny on "gpt-5*" cannot be dodged by sending "GPT-5".
 */
export function globMatch(glob: string, value: string): boolean {
  const g = glob.toLowerCase();
  const v = value.toLowerCase();
  if (!g.includes("*")) return g === v;
  const parts = g.split("*");
  if (!v.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const idx = v.indexOf(parts[i], at);
    if (idx === -1) return false;
    at = idx + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return v.length - at >= last.length && v.endsWith(last);
}

export function anyMatch(globs: readonly string[] | undefined, ...values: string[]): boolean {
  if (!globs) return false;
  return globs.some((g) => values.some((v) => v !== "" && globMatch(g, v)));
}
