import type { Surface, SurfaceInput } from "../pipeline/surface.ts";
import { IMAGES_FIELDS } from "./known-fields.ts";
import { imagesFromResponse, imagesRequestInfo, imagesStream, imagesToCodex, inspectImages, type ImagesContext, type ImagesOperation } from "../translate/images/index.ts";

const operationOf = (input: SurfaceInput): ImagesOperation => (input.params.op === "edit" ? "edit" : "generate");

/**
 * The OpenAI Images API (`/v1/images/generations`, `/v1/images/edits`) on the Codex
 * `image_generation` tool (docs/clients.md C19). `chatModel` is config `images.model`: the model
 * that runs the tool when the client names an image model (`gpt-image-1`) or none.
 */
export function createImagesSurface(chatModel: () => string): Surface<ImagesContext> {
  return {
    name: "images",
    knownFields: IMAGES_FIELDS,
    dialect: "openai",
    inspect: (body, input) => inspectImages(body, operationOf(input), chatModel()),
    context: (base, body, _info, input) => ({ ...base, images: imagesRequestInfo(body, operationOf(input)) }),
    toCodex: imagesToCodex,
    stream: imagesStream,
    fromResponse: imagesFromResponse,
  };
}
