/**
 * `GET /v1/models` (+ `/models`, `/codex/v1/models`, `/backend-api/codex/models`) and
 * `GET /v1/models/{id}`: the live upstream catalog merged with the built-in one, the alias names
 * and the effort-suffixed names, in the OpenAI list format. A Codex CLI logged in with ChatGPT and
 * pointed at the gateway asks with `?client_version=` (or on the backend's own path,
 * `/backend-api/codex/models`) and gets the Codex `{models:[…]}` shape, with an `ETag` (also sent
 * as `x-models-etag`) that `If-None-Match` turns into a 304.
 * A valid client key is required; the list honours the key's model allow/deny globs.
 */
import type { KeyConfig } from "../config/types.ts";
import { GatewayError } from "../errors.ts";
import { jsonResponse } from "../http/envelope.ts";
import { decodePath } from "../http/path.ts";
import { CodexModels, etagMatches } from "../models/codex-models.ts";
import { ModelDirectory } from "../models/directory.ts";
import { keyModelFilter, openAIModelList } from "../models/list.ts";
import type { Runtime } from "../runtime.ts";
import { clientKey, route } from "./handler.ts";
import { anthropicModel, anthropicModelList, isAnthropicModels } from "./models-anthropic.ts";
import type { AnyApp, RouteModule } from "./module.ts";

export const MODELS_PATHS = ["/v1/models", "/models", "/codex/v1/models", "/backend-api/codex/models"] as const;

export interface ModelsRouteDeps {
  /** GET {base}/models?client_version=… through a healthy account (src/upstream/models.ts). */
  fetchUpstreamModels?: () => Promise<unknown>;
  /** Share one directory with the model resolver (createModelResolver(models, directory.lookup)). */
  directory?: ModelDirectory;
  /** The Codex list with its ETag (shared with x-models-etag on Responses answers). */
  codex?: CodexModels;
  /** Google SDKs list models at GET /v1/models with x-goog-api-key: answer those in Google's shape. */
  google?: { list(request: Request): Promise<Response>; get(request: Request): Promise<Response>; is(request: Request): boolean };
}

export function modelsRoutes(rt: Runtime, deps: ModelsRouteDeps = {}): RouteModule {
  const directory =
    deps.directory ??
    new ModelDirectory({ fetchUpstreamModels: deps.fetchUpstreamModels, refreshMs: () => rt.snapshot().config.upstream.modelsRefreshMs, now: () => rt.now(), log: rt.log });

  const codex =
    deps.codex ??
    new CodexModels({
      directory,
      current: () => {
        const s = rt.snapshot();
        return { generation: s.generation, aliases: s.config.models.aliases, resolve: s.resolveModel, keys: s.config.keys };
      },
    });

  async function answer(request: Request, key: KeyConfig, id?: string): Promise<Response> {
    const url = new URL(request.url);
    const snap = rt.snapshot();
    await directory.ensureFresh();
    const input = { aliases: snap.config.models.aliases, resolve: snap.resolveModel, filter: keyModelFilter(key.allow, key.deny) };
    if (id === undefined && (url.searchParams.has("client_version") || url.pathname.startsWith("/backend-api/"))) return codexAnswer(request, key);
    const list = openAIModelList({ ...input, models: directory.models() });
    // Anthropic callers (anthropic-version header) get Anthropic's shapes (models-anthropic.ts).
    const anthropic = isAnthropicModels(request);
    if (id === undefined) return jsonResponse(anthropic ? anthropicModelList(list, url) : { object: "list", data: list });
    const hit = list.find((m) => m.id === id) ?? resolvedEntry(id);
    if (!hit) {
      throw new GatewayError({ status: 404, type: "invalid_request_error", code: "model_not_found", param: "model", message: `The model '${id}' does not exist or is not available to this key` });
    }
    return jsonResponse(anthropic ? anthropicModel(hit) : hit);

    /** A name that is no list entry but resolves to a known model (alias glob, suffix on an alias). */
    function resolvedEntry(name: string) {
      const r = snap.resolveModel(name, undefined);
      const m = directory.lookup(r.upstream);
      if (!m || (input.filter && !input.filter(name, r.upstream))) return undefined;
      return { id: name, object: "model" as const, created: m.created, owned_by: r.upstream === name ? "openai" : "codex-gateway" };
    }
  }
  /** The Codex list: 304 when the client has it already (docs/protocol.md P8.1). */
  function codexAnswer(request: Request, key: KeyConfig): Response {
    const { text, etag } = codex.answer(key);
    const headers = { etag, "x-models-etag": etag, "cache-control": "private, no-cache" };
    if (etagMatches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
    return new Response(text, { status: 200, headers: { ...headers, "content-type": "application/json" } });
  }

  // Google SDKs list models here too (x-goog-api-key): they get Google's shape and envelope.
  const anthropicList = route(rt, "anthropic", (request) => answer(request, clientKey(rt, request)));
  const anthropicGet = route(rt, "anthropic", (request) => answer(request, clientKey(rt, request), modelIdOf(request)));
  const list = route(rt, "openai", (request) => (deps.google?.is(request) ? deps.google.list(request) : isAnthropicModels(request) ? anthropicList(request) : answer(request, clientKey(rt, request))));
  const get = route(rt, "openai", (request) => (deps.google?.is(request) ? deps.google.get(request) : isAnthropicModels(request) ? anthropicGet(request) : answer(request, clientKey(rt, request), modelIdOf(request))));

  return (app: AnyApp) => {
    for (const path of MODELS_PATHS) {
      app = app.get(path, ({ request }: { request: Request }) => list(request));
      app = app.get(`${path}/*`, ({ request }: { request: Request }) => get(request));
    }
    return app;
  };
}

function modelIdOf(request: Request): string {
  const pathname = new URL(request.url).pathname;
  return decodePath(pathname.slice(pathname.indexOf("/models/") + "/models/".length));
}
