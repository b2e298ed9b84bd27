import type { AnyApp, RouteModule } from "../app.ts";
import { GatewayError, isGatewayError, internalError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../http/envelope.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import { decodePath } from "../http/path.ts";
import { getFacts } from "../http/request-context.ts";
import { authenticate, extractApiKey } from "../keys/authenticate.ts";
import type { Runtime } from "../runtime.ts";
import { geminiSurface } from "../surfaces/gemini.ts";
import { geminiCountTokens, geminiModel, geminiModelsList, type GeminiModelInfo } from "../translate/gemini/index.ts";
import { countTokens } from "../tokens/count.ts";
import { surfaceHandler } from "./surface-handler.ts";

const VERSIONS = ["/v1beta", "/v1alpha", "/v1"];

/** `models/gemini-2.5-pro:streamGenerateContent` → model and method (`:` may arrive as %3A). */
export function splitModelMethod(pathname: string): { model: string; method: string } | undefined {
  const decoded = decodePath(pathname).replace(/^(\/v1(beta|alpha)?)+\//, "/");
  const m = /^\/models\/(.+):([A-Za-z]+)$/.exec(decoded);
  return m ? { model: m[1], method: m[2] } : undefined;
}

function notFound(what: string): GatewayError {
  return new GatewayError({ status: 404, type: "not_found_error", code: "not_found", message: what });
}

/** Google-style auth: x-goog-api-key or ?key=, and no Authorization header (how the genai SDKs call). */
export function isGoogleAuth(request: Request): boolean {
  return !request.headers.has("authorization") && (request.headers.has("x-goog-api-key") || new URL(request.url).searchParams.has("key"));
}

/** GET models list / one model in Google's shape; also used for GET /v1/models from Google SDKs. */
export function geminiModelHandlers(rt: Runtime, models: () => Promise<GeminiModelInfo[]>) {
  async function list(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      authenticate(extractApiKey(request.headers, url), rt.snapshot().keys, rt.now());
      return jsonResponse(geminiModelsList(await models(), url.searchParams.get("pageSize"), url.searchParams.get("pageToken")));
    } catch (e) {
      return errorResponse(isGatewayError(e) ? e : internalError(), "google");
    }
  }

  async function get(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      authenticate(extractApiKey(request.headers, url), rt.snapshot().keys, rt.now());
      const name = decodePath(url.pathname).replace(/^(\/v1(beta|alpha)?)+\/models\//, "");
      return jsonResponse(geminiModel(await models(), name));
    } catch (e) {
      return errorResponse(isGatewayError(e) ? e : internalError(), "google");
    }
  }
  return { list, get };
}

export function geminiRoutes(rt: Runtime, models: () => Promise<GeminiModelInfo[]>): RouteModule {
  const { list, get } = geminiModelHandlers(rt, models);
  const generate = surfaceHandler(rt, geminiSurface, {
    params: (request) => splitModelMethod(new URL(request.url).pathname) ?? { model: "", method: "" },
  });

  async function post(request: Request): Promise<Response> {
    let target: ReturnType<typeof splitModelMethod>;
    try {
      target = splitModelMethod(new URL(request.url).pathname);
    } catch (e) {
      // A malformed escape in the path: still Google's envelope (this route serves /v1/models/* too).
      return errorResponse(isGatewayError(e) ? e : internalError(), "google", { "x-request-id": getFacts(request).id });
    }
    if (target?.method === "generateContent" || target?.method === "streamGenerateContent") return generate(request);
    if (target?.method === "countTokens") return count(request);
    return errorResponse(notFound(`Method not found: ${target?.method ?? new URL(request.url).pathname}`), "google", { "x-request-id": getFacts(request).id });
  }

  async function count(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      authenticate(extractApiKey(request.headers, url), rt.snapshot().keys, rt.now());
      const body = parseJsonObject(await readBody(request, rt.snapshot().config.server.bodyLimitBytes));
      // countTokens may wrap the request: {generateContentRequest: {...}}.
      const inner = (body.generateContentRequest as Record<string, unknown> | undefined) ?? body;
      return jsonResponse(geminiCountTokens(inner, countTokens));
    } catch (e) {
      return errorResponse(isGatewayError(e) ? e : internalError(), "google");
    }
  }

  return (app: AnyApp) => {
    for (const v of VERSIONS) {
      app = app.post(`${v}/models/*`, ({ request }: { request: Request }) => post(request), { parse: "none" });
      if (v !== "/v1") {
        // /v1/models is the OpenAI list; Google's v1 list is only reachable under v1beta/v1alpha.
        app = app.get(`${v}/models`, ({ request }: { request: Request }) => list(request));
        app = app.get(`${v}/models/*`, ({ request }: { request: Request }) => get(request));
        app = app.get(`${v}/tunedModels`, () => jsonResponse({}));
      }
    }
    return app;
  };
}
