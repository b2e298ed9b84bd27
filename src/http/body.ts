import type * as Zlib from "node:zlib";
import { GatewayError, badRequest } from "../errors.ts";
import { getFacts } from "./request-context.ts";

// Loaded with the first compressed body: node:zlib and the stream polyfills it pulls in cost
// ~3 ms of every start (docs/engineering.md B10), and most gateways never see one.
let zlib: typeof Zlib | undefined;
const zlibOf = (): typeof Zlib => (zlib ??= require("node:zlib") as typeof Zlib);

function tooLarge(limit: number): GatewayError {
  return new GatewayError({ status: 413, type: "request_too_large", code: "request_too_large", message: `Request body is larger than the limit of ${limit} bytes` });
}

function tooSlow(ms: number): GatewayError {
  return new GatewayError({ status: 408, type: "timeout_error", code: "body_timeout", message: `The request body did not arrive within ${Math.round(ms / 1000)} s` });
}

/**
 * Reads a request body with a hard size limit (checked while reading, and while decompressing),
 * decoding `Content-Encoding: gzip | deflate | zstd`. The whole body must have arrived by the
 * request's deadline (server.body_timeout after it started, set by the server wrapper): a client
 * that announces a body and sends it a byte at a time, or never, gets a 408.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const facts = getFacts(request);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) {
    facts.bodyRead = true;
    return new Uint8Array(0);
  }
  const timeoutMs = facts.bodyTimeoutMs;
  const deadline = timeoutMs ? facts.startedAt + timeoutMs : undefined;
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = deadline === undefined ? await reader.read() : await beforeDeadline(reader.read(), deadline);
    } catch (e) {
      if (e === TIMED_OUT) {
        reader.cancel().catch(() => {});
        throw tooSlow(timeoutMs!);
      }
      // The connection closed mid-upload: the client left (a 499 in the records), not our failure.
      throw new GatewayError({ status: 499, type: "api_error", code: "client_closed", message: "The client closed the connection while sending the request body" });
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  facts.bodyRead = true;
  const bytes = parts.length === 1 ? parts[0] : concat(parts, size);
  return decode(bytes, request.headers.get("content-encoding"), limit);
}

const TIMED_OUT = Symbol("body deadline");

function beforeDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  // Past the deadline, data already buffered still wins the race (it resolves before a 0 ms timer).
  const left = Math.max(0, deadline - Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMED_OUT), left)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * Decompression is capped at `limit` output bytes while it runs: a few KB of gzip can expand to
 * gigabytes, so checking the size afterwards would be too late (the process would be out of memory).
 */
function decode(bytes: Uint8Array, encoding: string | null, limit: number): Uint8Array {
  const enc = encoding?.trim().toLowerCase();
  if (!enc || enc === "identity" || bytes.byteLength === 0) return bytes;
  const capped = { maxOutputLength: Math.max(1, limit) };
  const { gunzipSync, inflateRawSync, inflateSync, zstdDecompressSync } = zlibOf();
  try {
    if (enc === "gzip" || enc === "x-gzip") return gunzipSync(bytes, capped);
    if (enc === "deflate") {
      // RFC 9110 deflate is zlib-wrapped; some clients send raw deflate, so accept both.
      try {
        return inflateSync(bytes, capped);
      } catch (e) {
        if (outputTooLarge(e)) throw e;
        return inflateRawSync(bytes, capped);
      }
    }
    if (enc === "zstd") return zstdDecompressSync(bytes, capped);
  } catch (e) {
    if (outputTooLarge(e)) throw tooLarge(limit);
    throw badRequest(`Request body could not be decoded as ${enc}`, undefined, "invalid_content_encoding");
  }
  throw new GatewayError({ status: 415, type: "invalid_request_error", code: "unsupported_content_encoding", message: `Unsupported Content-Encoding: ${enc}` });
}

function outputTooLarge(e: unknown): boolean {
  return (e as { code?: unknown })?.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON object body; anything else is a 400 in the caller's envelope. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw badRequest("Request body is not valid UTF-8", undefined, "invalid_json");
  }
  if (!text.trim()) throw badRequest("Request body is empty; expected a JSON object", undefined, "invalid_json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`Request body is not valid JSON: ${(e as Error).message}`, undefined, "invalid_json");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badRequest("Request body must be a JSON object", undefined, "invalid_json");
  if (deeperThan(value, MAX_DEPTH)) throw badRequest(`Request body is nested more than ${MAX_DEPTH} levels deep`, undefined, "invalid_json");
  return value as Record<string, unknown>;
}

/**
 * No API the gateway speaks needs more (Google's own parsers stop at 100). The translators walk
 * bodies recursively, so a 10k-deep value would otherwise end in a stack overflow (a 500).
 */
export const MAX_DEPTH = 128;

/** Iterative, so the check itself cannot overflow the stack. */
function deeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (c !== null && typeof c === "object") stack.push([c, depth + 1]);
  }
  return false;
}
