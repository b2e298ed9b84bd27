/**
 * Model-name globs as the config documents them: `*` matches any run of characters (also none),
 * everything else is literal. Compiled patterns are cached; configs hold a handful.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("(.*?)");
    re = new RegExp(`^${body}$`);
    if (cache.size < 1000) cache.set(glob, re);
  }
  return re;
}

export function matchGlob(glob: string, name: string): boolean {
  return glob.includes("*") ? globToRegExp(glob).test(name) : glob === name;
}

/** The text the first `*` matched, when the glob matches (used for alias targets like `openai/*` → `*`). */
export function globCapture(glob: string, name: string): string | undefined {
  const m = globToRegExp(glob).exec(name);
  return m ? (m[1] ?? "") : undefined;
}
