/**
 * Wire encoding of Gemini stream frames (docs/clients.md C9.5). Every SSE frame is exactly
 * `data: <single-line JSON>\n\n`: Gemini CLI's SDK (1.30) anchors a regex on `data: ` with one
 * space and stops `.` at U+2028/U+2029, so those are escaped; no comments, no `event:` lines.
 */
export type GeminiFraming = "sse" | "json-array";

/** JSON.stringify, with the line separators that break JS regexes and Python splitlines escaped. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function sseData(value: unknown): string {
  return `data: ${safeJson(value)}\n\n`;
}

/** One element of the JSON-array stream: `[` before the first element, `,\r\n` before the others. */
export function arrayElement(value: unknown, first: boolean): string {
  return `${first ? "[" : ",\r\n"}${safeJson(value)}`;
}
