import type { GatewayError } from "../errors.ts";
import type { ErrorDialect } from "../http/envelope.ts";
import type { CodexRequest, StreamReducer, TranslateContext } from "../translate/types.ts";

export type SurfaceName = "responses" | "chat" | "messages" | "gemini";

/** What the pipeline needs to know about a request before it is translated. */
export interface RequestInfo {
  /** The model name as the client sent it. */
  model: string;
  stream: boolean;
  /** The larger of the body's output-token caps (checked against the key's cap, never sent upstream). */
  maxOutputTokens?: number;
  /** The reasoning effort the client asked for, in Codex terms (low/medium/high/…). */
  effort?: string;
  /** Session identity for sticky routing and prompt_cache_key. */
  sessionKey?: string;
}

export interface SurfaceInput {
  headers: Headers;
  url: URL;
  /** Route parameters, e.g. the Gemini model and method from the path. */
  params: Record<string, string>;
}

/**
 * One client-facing wire format. Everything here except `context` is pure translation; the
 * pipeline (run.ts) does the I/O around it.
 */
export interface Surface {
  name: SurfaceName;
  dialect: ErrorDialect;
  inspect(body: unknown, input: SurfaceInput): RequestInfo;
  toCodex(body: any, ctx: TranslateContext): CodexRequest;
  stream: StreamReducer<any>;
  /** The non-stream answer built from the accumulated final Response object. */
  fromResponse(final: Record<string, any>, ctx: TranslateContext): unknown;
  /** How an upstream failure (response.failed error, `error` event, EOF) reads in this surface; default codexFailureToError. */
  failure?(error: { code?: string | null; message?: string | null } | undefined, ctx: TranslateContext): GatewayError;
  /** Extra TranslateContext fields for this request (framing, tool maps, state lookups). */
  context?(body: any, info: RequestInfo, input: SurfaceInput): Record<string, unknown>;
  /** Content type of the streamed answer (default text/event-stream). */
  streamContentType?(ctx: TranslateContext): string;
  /** Top-level request fields this surface knows; others are tolerated, forwarded where possible, and counted. */
  knownFields?: ReadonlySet<string>;
  /** Called once after a stream or non-stream answer completes successfully (state hooks). */
  onComplete?(ctx: TranslateContext, codexBody: CodexRequest, final: { output: unknown[]; id?: string; streamState?: unknown }): void;
}
