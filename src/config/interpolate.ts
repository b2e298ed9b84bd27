/**
 * `${VAR}` and `${VAR:-default}` in a config's scalar values, on the `yaml` library's document so
 * that a problem names its line, and an unquoted reference is typed as if written in place.
 */
import { parse as parseYaml, isScalar, isMap, isSeq, Scalar, type Document, type LineCounter } from "yaml";
import { type ConfigProblem, dotted } from "./problem.ts";

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*?))?\}/g;

/** `${VAR}` and `${VAR:-default}` in scalar values (never in keys, so YAML structure cannot be injected). */
export function interpolate(doc: Document, node: unknown, path: string[], env: Record<string, string | undefined>, lines: LineCounter, problems: ConfigProblem[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      interpolate(doc, pair.value, [...path, key], env, lines, problems);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => interpolate(doc, item, [...path, String(i)], env, lines, problems));
  } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("${")) {
    const text = node.value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      const pos = node.range ? lines.linePos(node.range[0]) : undefined;
      const why = v === "" ? "is empty" : "is not set";
      problems.push({ path: dotted(path), line: pos?.line, column: pos?.col, message: `environment variable ${name} ${why} (use \${${name}:-default} for a fallback)` });
      return "";
    });
    // An unquoted `rpm: ${RPM:-60}` means the number 60, as if it had been written in place;
    // a quoted scalar stays a string whatever it holds.
    node.value = node.type === Scalar.PLAIN ? retype(text) : text;
  }
}

/** Numbers and booleans typed the way YAML would have read them; everything else stays text. */
function retype(text: string): string | number | boolean {
  if (!/^[-+.\w]+$/.test(text)) return text;
  try {
    const v = parseYaml(text) as unknown;
    return typeof v === "number" || typeof v === "boolean" ? v : text;
  } catch {
    return text;
  }
}
