/**
 * The Responses surface as a WebSocket answers it: the same reducer (model names, output repairs,
 * id fixes, unknown-event policy), each event written as one JSON line instead of an SSE frame, so
 * the socket turns lines into frames without parsing SSE. Keepalive comments have no line: the
 * WebSocket keeps itself alive with pings.
 */
import type { Surface } from "../pipeline/surface.ts";

/** One SSE frame of the reducer (`event: …\ndata: {…}\n\n`, JSON on one line) as a JSON line; "" for a comment. */
export function frameToLine(frame: string): string {
  const at = frame.indexOf("data: ");
  if (frame.startsWith(":") || at === -1) return "";
  return `${frame.slice(at + 6, frame.endsWith("\n\n") ? -2 : undefined)}\n`;
}

const lines = (frames: string[]) => frames.map(frameToLine).filter((l) => l !== "");

export function jsonLinesSurface(surface: Surface): Surface {
  const r = surface.stream;
  return {
    ...surface,
    stream: { ...r, step: (s, ev) => lines(r.step(s, ev)), end: (s, e) => lines(r.end(s, e)), keepalive: () => "" },
    streamContentType: () => "application/x-ndjson",
  };
}
