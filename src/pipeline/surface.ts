import type { CodexRequest } from "../codex/types.ts";
import type { GatewayError } from "../errors.ts";
import type { ErrorDialect } from "../http/envelope.ts";
import type { RequestInfo, StreamReducer, SurfaceInput, TranslateContext } from "../translate/types.ts";
import type { SurfaceName } from "../usage/types.ts";

export type { RequestInfo, SurfaceInput } from "../translate/types.ts";
export type { SurfaceName } from "../usage/types.ts";

/**
 * One client-facing wire format (built in src/surfaces/, wired in src/compose.ts). Everything here
 * except `context` and `onComplete` is pure translation; the pipeline does the I/O around it.
 *
 * `C` is the surface's own context: the pipeline builds the base TranslateContext, `context` extends
 * it for this request, and every other member receives that extended context.
 */
export interface Surface<C extends TranslateContext = TranslateContext> {
  name: SurfaceName;
  dialect: ErrorDialect;
  inspect(body: unknown, input: SurfaceInput): RequestInfo;
  /** The full context for this request: `base` plus this surface's fields (framing, tool maps, state lookups). Without it, `base` is used. */
  context?(base: TranslateContext, body: any, info: RequestInfo, input: SurfaceInput): C;
  toCodex(body: any, ctx: C): CodexRequest;
  stream: StreamReducer<any, C>;
  /** The non-stream answer built from the accumulated final Response object. */
  fromResponse(final: Record<string, any>, ctx: C): unknown;
  /** How an upstream failure (response.failed error, `error` event, EOF) reads in this surface; default codexFailureToError. */
  failure?(error: { code?: string | null; message?: string | null } | undefined, ctx: C): GatewayError;
  /** Content type of the streamed answer (default text/event-stream). */
  streamContentType?(ctx: C): string;
  /** Top-level request fields this surface knows; others are tolerated, forwarded where possible, and counted. */
  knownFields?: ReadonlySet<string>;
  /**
   * Replayed encrypted items were left out of the request (another account minted them, or the
   * upstream refused them): state that would put them back on the next turn forgets them.
   */
  onReplayDropped?(ctx: C, encrypted: readonly string[]): void;
  /** Called once after a stream or non-stream answer completes successfully (state hooks). */
  onComplete?(ctx: C, codexBody: CodexRequest, final: { output: unknown[]; id?: string; streamState?: unknown }): void;
}
