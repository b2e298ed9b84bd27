/**
 * The one glob dialect of the config (model aliases, rules, key allow/deny, prices, account
 * models): `*` matches any run of characters (also none) — line terminators included, so a deny
 * on "gpt-5.5*" cannot be dodged by sending "gpt-5.5\n-high" — everything else is literal.
 * Case-insensitive, so a deny on "gpt-5*" cannot be dodged by sending "GPT-5" either. Compiled
 * patterns are cached; configs hold a handful.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("(.*?)");
    re = new RegExp(`^${body}$`, "is");
    if (cache.size < 1000) cache.set(glob, re);
  }
  return re;
}

export function matchGlob(glob: string, name: string): boolean {
  return glob.includes("*") ? globToRegExp(glob).test(name) : glob.toLowerCase() === name.toLowerCase();
}

/** The text the first `*` matched, when the glob matches (alias targets like `openai/*` → `*`). */
export function globCapture(glob: string, name: string): string | undefined {
  const m = globToRegExp(glob).exec(name);
  return m ? (m[1] ?? "") : undefined;
}

/** Whether any glob matches any of the (non-empty) values. */
export function anyMatch(globs: readonly string[] | undefined, ...values: string[]): boolean {
  if (!globs) return false;
  return globs.some((g) => values.some((v) => v !== "" && matchGlob(g, v)));
}
