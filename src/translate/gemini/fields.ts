/**
 * Proto-JSON servers accept both the JSON name (`thinkingConfig`) and the proto name
 * (`thinking_config`) of every field (docs/clients.md C9.4). Known fields are read as camel ?? snake at
 * their known position; free-form maps (args, response, schema properties) are never rewritten.
 */

const snakeCache = new Map<string, string>();

export function snake(camel: string): string {
  let s = snakeCache.get(camel);
  if (s === undefined) {
    s = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeCache.set(camel, s);
  }
  return s;
}

/** `o.camel ?? o.snake_case`, or undefined when `o` is not an object. */
export function field(o: unknown, camel: string): any {
  if (!isObject(o)) return undefined;
  const v = o[camel];
  return v !== undefined ? v : o[snake(camel)];
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
