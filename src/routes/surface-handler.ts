import { isGatewayError, internalError } from "../errors.ts";
import { errorResponse } from "../http/envelope.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import { getFacts } from "../http/request-context.ts";
import { runPipeline } from "../pipeline/run.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";

export interface SurfaceHandlerOptions {
  path?: "/responses" | "/responses/compact";
  /** Whether X-Codex-Mode: raw / X-Codex-Raw-Passthrough may switch this route to byte passthrough. */
  allowRaw?: boolean;
  /** Route parameters derived from the URL (e.g. Gemini model and method). */
  params?: (request: Request) => Record<string, string>;
}

export function isRawPassthrough(headers: Headers): boolean {
  return headers.get("x-codex-mode")?.trim().toLowerCase() === "raw" || headers.get("x-codex-raw-passthrough")?.trim().toLowerCase() === "true";
}

/** A route handler that reads the bounded body and runs the pipeline for one surface. */
export function surfaceHandler(rt: Runtime, surface: Surface, opts: SurfaceHandlerOptions = {}) {
  return async function handleSurface(request: Request): Promise<Response> {
    const facts = getFacts(request);
    facts.pipeline = true;
    // Non-stream answers wait for the whole upstream turn; never let the idle timer cut them.
    facts.keepOpen();
    try {
      const bytes = await readBody(request, rt.snapshot().config.server.bodyLimitBytes);
      const body = parseJsonObject(bytes);
      const raw = opts.allowRaw === true && isRawPassthrough(request.headers);
      return await runPipeline(rt, {
        surface,
        request,
        body,
        rawBody: raw ? bytes : undefined,
        raw,
        params: opts.params?.(request),
        requestId: facts.id,
        path: opts.path,
        keepOpen: facts.keepOpen,
      });
    } catch (e) {
      const err = isGatewayError(e) ? e : internalError();
      if (!isGatewayError(e)) rt.log.error("unexpected error reading request", { error: String(e) });
      rt.observer.finished({ at: facts.startedAt, key: "", account: "", model: "", surface: surface.name, status: err.status, latencyMs: rt.now() - facts.startedAt, errorCode: err.code, stream: false, requestId: facts.id });
      return errorResponse(err, surface.dialect, { "x-request-id": facts.id });
    }
  };
}
