/** A strict-enough parser of Prometheus text format 0.0.4, to read our own output back in tests. */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf("=", i);
    const name = s.slice(i, eq);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad label name ${name}`);
    if (s[eq + 1] !== '"') throw new Error(`label value not quoted at ${eq}`);
    let j = eq + 2;
    let v = "";
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error("unterminated label value");
      if (c === "\\") {
        const n = s[j + 1];
        if (n === "n") v += "\n";
        else if (n === "\\") v += "\\";
        else if (n === '"') v += '"';
        else throw new Error(`bad escape \\${n}`);
        j += 2;
      } else if (c === '"') {
        j++;
        break;
      } else {
        if (c === "\n") throw new Error("raw newline in label value");
        v += c;
        j++;
      }
    }
    if (name in out) throw new Error(`duplicate label ${name}`);
    out[name] = v;
    if (s[j] === ",") j++;
    else if (j !== s.length) throw new Error(`unexpected ${s[j]} after label value`);
    i = j;
  }
  return out;
}

function parseValue(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`bad value ${s}`);
  return v;
}

/** Throws on anything malformed: a sample before its TYPE, a family declared twice, bad escapes. */
export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) {
      const [, name, ...rest] = line.slice(2).split(" ");
      if (families.has(name)) throw new Error(`family ${name} declared twice`);
      current = { name, help: rest.join(" "), type: "", samples: [] };
      families.set(name, current);
    } else if (line.startsWith("# TYPE ")) {
      const [, name, type] = line.slice(2).split(" ");
      if (!current || current.name !== name) throw new Error(`TYPE ${name} without HELP just before`);
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type)) throw new Error(`bad type ${type}`);
      current.type = type;
    } else if (line.startsWith("#") || line === "") {
      throw new Error(`unexpected line ${JSON.stringify(line)}`);
    } else {
      const m = SAMPLE.exec(line);
      if (!m) throw new Error(`bad sample line ${JSON.stringify(line)}`);
      const [, name, , labels, value] = m;
      if (!current || !current.type) throw new Error(`sample ${name} before its TYPE`);
      const base = current.type === "histogram" ? name.replace(/_(bucket|sum|count)$/, "") : name;
      if (base !== current.name) throw new Error(`sample ${name} inside family ${current.name}`);
      current.samples.push({ name, labels: labels ? parseLabels(labels) : {}, value: parseValue(value) });
    }
  }
  return families;
}

export function sampleValue(f: ParsedFamily | undefined, labels: Record<string, string>, name = f?.name): number | undefined {
  return f?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}
