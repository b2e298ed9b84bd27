import { notFound } from "../errors.ts";
import { jsonResponse } from "../http/envelope.ts";
import { decodePath } from "../http/path.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { geminiModel, geminiModelsList, type GeminiModelInfo } from "../translate/gemini/index.ts";
import { countTokensRoute } from "./count-tokens.ts";
import { keyedRoute, route } from "./handler.ts";
import type { AnyApp, RouteModule } from "./module.ts";
import { surfaceHandler } from "./surface-handler.ts";

const VERSIONS = ["/v1beta", "/v1alpha", "/v1"];

/** `models/gemini-2.5-pro:streamGenerateContent` → model and method (`:` may arrive as %3A). */
export function splitModelMethod(pathname: string): { model: string; method: string } | undefined {
  const decoded = decodePath(pathname).replace(/^(\/v1(beta|alpha)?)+\//, "/");
  // `s`: a model name with a line break still splits here, and is refused by the model-name check (400).
  const m = /^\/models\/(.+):([A-Za-z]+)$/s.exec(decoded);
  return m ? { model: m[1], method: m[2] } : undefined;
}

/** Google-style auth: x-goog-api-key or ?key=, and no Authorization header (how the genai SDKs call). */
export function isGoogleAuth(request: Request): boolean {
  return !request.headers.has("authorization") && (request.headers.has("x-goog-api-key") || new URL(request.url).searchParams.has("key"));
}

/** GET models list / one model in Google's shape; also used for GET /v1/models from Google SDKs. */
export function geminiModelHandlers(rt: Runtime, models: () => Promise<GeminiModelInfo[]>) {
  const list = keyedRoute(rt, "google", async (request) => {
    const q = new URL(request.url).searchParams;
    return jsonResponse(geminiModelsList(await models(), q.get("pageSize"), q.get("pageToken")));
  });
  const get = keyedRoute(rt, "google", async (request) => {
    const name = decodePath(new URL(request.url).pathname).replace(/^(\/v1(beta|alpha)?)+\/models\//, "");
    return jsonResponse(geminiModel(await models(), name));
  });
  return { list, get };
}

export function geminiRoutes(rt: Runtime, models: () => Promise<GeminiModelInfo[]>, surface: Surface): RouteModule {
  const { list, get } = geminiModelHandlers(rt, models);
  const generate = surfaceHandler(rt, surface, {
    params: (request) => splitModelMethod(new URL(request.url).pathname) ?? { model: "", method: "" },
  });

  // countTokens may wrap the request: {generateContentRequest: {...}}.
  const count = countTokensRoute(rt, "google", "gemini", (body) => (body.generateContentRequest as Record<string, unknown> | undefined) ?? body);

  // A malformed escape in the path is still answered in Google's envelope (this route serves /v1/models/* too).
  const post = route(rt, "google", (request) => {
    const target = splitModelMethod(new URL(request.url).pathname);
    if (target?.method === "generateContent" || target?.method === "streamGenerateContent") return generate(request);
    if (target?.method === "countTokens") return count(request);
    throw notFound(`Method not found: ${target?.method ?? new URL(request.url).pathname}`);
  });
  const tunedModels = route(rt, "google", () => jsonResponse({}));

  return (app: AnyApp) => {
    for (const v of VERSIONS) {
      app = app.post(`${v}/models/*`, ({ request }: { request: Request }) => post(request), { parse: "none" });
      if (v !== "/v1") {
        // /v1/models is the OpenAI list; Google's v1 list is only reachable under v1beta/v1alpha.
        app = app.get(`${v}/models`, ({ request }: { request: Request }) => list(request));
        app = app.get(`${v}/models/*`, ({ request }: { request: Request }) => get(request));
        app = app.get(`${v}/tunedModels`, ({ request }: { request: Request }) => tunedModels(request));
      }
    }
    return app;
  };
}
