/**
 * Results of the Codex `image_generation` tool (`image_generation_call` items, docs/protocol.md
 * P2.3), shared by the surfaces that show them: Chat (OpenRouter's `images`), Gemini (`inlineData`)
 * and the OpenAI Images API (src/translate/images/).
 */

const MIME: Record<string, string> = { png: "image/png", jpeg: "image/jpeg", jpg: "image/jpeg", webp: "image/webp" };

/** The image's media type, from the item's `output_format` (default png, as the tool's). */
export function imageMime(item: { output_format?: unknown }): string {
  return MIME[String(item.output_format ?? "png").toLowerCase()] ?? "image/png";
}

/** The finished image as base64, or undefined while there is none (failed or still running). */
export function imageBase64(item: unknown): string | undefined {
  const it = item as Record<string, unknown> | undefined;
  return it?.type === "image_generation_call" && typeof it.result === "string" && it.result !== "" ? it.result : undefined;
}

/** `data:<mime>;base64,<result>` for a finished image_generation_call. */
export function imageDataUrl(item: unknown): string | undefined {
  const b64 = imageBase64(item);
  return b64 ? `data:${imageMime(item as Record<string, unknown>)};base64,${b64}` : undefined;
}
