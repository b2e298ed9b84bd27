/**
 * `POST /v1/images/generations` and `/v1/images/edits` (also bare and under /codex/v1): the
 * OpenAI Images API on the Codex image_generation tool, through the normal pipeline (key checks,
 * limits, usage). Edits come as multipart form data (the openai SDK's `images.edit`) or as JSON
 * with `images: [{image_url}]`; files become data URLs here, so the surface reads one JSON shape.
 */
import { badRequest } from "../errors.ts";
import { parseJsonObject } from "../http/body.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { PREFIXES } from "./chat.ts";
import type { AnyApp, RouteModule } from "./module.ts";
import { surfaceHandler } from "./surface-handler.ts";

/** Form fields that are numbers or booleans in the JSON API. */
const NUMBERS = new Set(["n", "output_compression", "partial_images"]);

async function fileDataUrl(file: File): Promise<string> {
  const bytes = Buffer.from(await file.arrayBuffer());
  const type = file.type && file.type !== "application/octet-stream" ? file.type : "image/png";
  return `data:${type};base64,${bytes.toString("base64")}`;
}

/** A multipart edit → the JSON shape (`image`: data URLs, `mask`: a data URL); a JSON body as it is. */
export async function parseImagesBody(bytes: Uint8Array, request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(type)) return parseJsonObject(bytes);
  let form: FormData;
  try {
    form = await new Response(bytes as BodyInit, { headers: { "content-type": type } }).formData();
  } catch {
    throw badRequest("Request body is not valid multipart form data", undefined, "invalid_form");
  }
  const body: Record<string, unknown> = {};
  const images: string[] = [];
  for (const [name, value] of form.entries()) {
    const key = name.replace(/\[\]$/, "");
    if (typeof value !== "string") {
      const url = await fileDataUrl(value as File);
      if (key === "image") images.push(url);
      else if (key === "mask") body.mask = url;
      continue;
    }
    if (NUMBERS.has(key) && value.trim() !== "" && Number.isFinite(Number(value))) body[key] = Number(value);
    else if (key === "stream") body.stream = value === "true";
    else body[key] = value;
  }
  if (images.length) body.image = images;
  return body;
}

export function imagesRoutes(rt: Runtime, surface: Surface): RouteModule {
  const generate = surfaceHandler(rt, surface, { params: () => ({ op: "generate" }) });
  const edit = surfaceHandler(rt, surface, { params: () => ({ op: "edit" }), parseBody: parseImagesBody });
  return (app: AnyApp) => {
    for (const prefix of PREFIXES) {
      app = app.post(`${prefix}/images/generations`, ({ request }: { request: Request }) => generate(request), { parse: "none" });
      app = app.post(`${prefix}/images/edits`, ({ request }: { request: Request }) => edit(request), { parse: "none" });
    }
    return app;
  };
}
