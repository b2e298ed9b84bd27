import { parseJsonObject, readBody } from "../http/body.ts";
import { runPipeline } from "../pipeline/run.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { wantsRaw } from "../translate/responses/inspect.ts";
import { clientKey, route, type RouteHandler } from "./handler.ts";

export interface SurfaceHandlerOptions {
  path?: "/responses" | "/responses/compact";
  /** Whether X-Codex-Mode: raw / X-Codex-Raw-Passthrough may switch this route to byte passthrough. */
  allowRaw?: boolean;
  /** Route parameters derived from the URL (e.g. Gemini model and method). */
  params?: (request: Request) => Record<string, string>;
  /** The body as the surface reads it; default: a JSON object (the Images API's edits may be multipart). */
  parseBody?: (bytes: Uint8Array, request: Request) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/**
 * A route handler for one surface: the key is checked from the headers first (no key, no body
 * read, no long-stream exemption), then the bounded body is read within server.body_timeout and
 * the pipeline runs. The pipeline answers (and records) everything from there on; a refused key
 * or a body that cannot be read or parsed is recorded here.
 */
export function surfaceHandler(rt: Runtime, surface: Surface, opts: SurfaceHandlerOptions = {}): RouteHandler {
  return route(
    rt,
    surface.dialect,
    async (request, facts) => {
      facts.pipeline = true;
      const key = clientKey(rt, request, surface.dialect);
      facts.keyName = key.name;
      // Authenticated: non-stream answers wait for the whole upstream turn; never let the idle timer cut them.
      facts.keepOpen();
      const bytes = await readBody(request, rt.snapshot().config.server.bodyLimitBytes);
      const body = opts.parseBody ? await opts.parseBody(bytes, request) : parseJsonObject(bytes);
      const raw = opts.allowRaw === true && wantsRaw(request.headers);
      return runPipeline(rt, {
        surface,
        request,
        key,
        body,
        rawBody: raw ? bytes : undefined,
        raw,
        params: opts.params?.(request),
        requestId: facts.id,
        path: opts.path,
        keepOpen: facts.keepOpen,
      });
    },
    {
      failed: (err, facts) =>
        rt.observer.finished({ at: facts.startedAt, key: facts.keyName ?? "", account: "", model: "", surface: surface.name, status: err.status, latencyMs: rt.now() - facts.startedAt, errorCode: err.code, errorMessage: err.message, stream: false, requestId: facts.id }),
    },
  );
}
