/** One problem of a config file, where it is, and how a path is written in messages. */
export interface ConfigProblem {
  /** Dotted YAML path, e.g. `keys[0].limits.rpm` ("" for the document). */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A JSON-pointer path as the config is written: `keys[2].name`. */
export function dotted(segments: string[]): string {
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}
