/**
 * Answers that use the backend's hosted tools, as the live backend streams them (docs/protocol.md
 * P2.3, P2.4): an `image_generation_call` (partial images, then the result) when the request
 * forces the image_generation tool or the prompt says `[[mock-image]]`, and a `web_search_call`
 * followed by a message with a `url_citation` when web_search is offered and the prompt says
 * `[[mock-search]]` (or tool_choice forces it).
 */
import { rid } from "./util.ts";

/** A 1×1 PNG (red), the result of every mock image. */
export const MOCK_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
export const MOCK_SEARCH_URL = "https://example.com/mock-search-result";

type Emit = (e: Record<string, unknown>) => string;

export interface Hosted {
  frames: string[];
  /** Index in `frames` of the first content event (mid-stream scenarios count from there). */
  firstDelta: number;
  outputTokens: number;
}

const toolOf = (body: any, type: string): Record<string, any> | undefined => (Array.isArray(body?.tools) ? body.tools.find((t: any) => t?.type === type) : undefined);
const forced = (body: any, type: string) => body?.tool_choice?.type === type;

export function hostedToolFrames(body: any, ev: Emit, out: number, prompt: string): Hosted | undefined {
  const image = toolOf(body, "image_generation");
  if (image && (forced(body, "image_generation") || prompt.includes("[[mock-image]]"))) return imageFrames(image, ev, out, prompt);
  if (toolOf(body, "web_search") && (forced(body, "web_search") || prompt.includes("[[mock-search]]"))) return searchFrames(ev, out, prompt);
  return undefined;
}

function imageFrames(tool: Record<string, any>, ev: Emit, out: number, prompt: string): Hosted {
  const id = rid("ig");
  const format = typeof tool.output_format === "string" ? tool.output_format : "png";
  const size = typeof tool.size === "string" && tool.size !== "auto" ? tool.size : "1024x1024";
  const quality = typeof tool.quality === "string" && tool.quality !== "auto" ? tool.quality : "medium";
  const background = typeof tool.background === "string" && tool.background !== "auto" ? tool.background : "opaque";
  const frames = [
    ev({ type: "response.output_item.added", output_index: out, item: { id, type: "image_generation_call", status: "in_progress" } }),
    ev({ type: "response.image_generation_call.in_progress", item_id: id, output_index: out }),
    ev({ type: "response.image_generation_call.generating", item_id: id, output_index: out }),
  ];
  const firstDelta = frames.length;
  const partials = Math.min(3, Math.max(0, Number(tool.partial_images ?? 0)));
  for (let i = 0; i < partials; i++) {
    frames.push(ev({ type: "response.image_generation_call.partial_image", item_id: id, output_index: out, partial_image_index: i, partial_image_b64: MOCK_PNG, output_format: format, size, quality, background }));
  }
  frames.push(ev({ type: "response.image_generation_call.completed", item_id: id, output_index: out }));
  const revised = prompt.replace("[[mock-image]]", "").trim().slice(0, 200);
  frames.push(ev({ type: "response.output_item.done", output_index: out, item: { id, type: "image_generation_call", status: "completed", background, output_format: format, quality, size, result: MOCK_PNG, revised_prompt: revised } }));
  return { frames, firstDelta, outputTokens: 272 };
}

function searchFrames(ev: Emit, out: number, prompt: string): Hosted {
  const ws = rid("ws");
  const msg = rid("msg");
  const query = prompt.replace("[[mock-search]]", "").trim().slice(0, 100) || "mock search";
  const frames = [
    ev({ type: "response.output_item.added", output_index: out, item: { id: ws, type: "web_search_call", status: "in_progress", action: { type: "search" } } }),
    ev({ type: "response.web_search_call.in_progress", item_id: ws, output_index: out }),
    ev({ type: "response.web_search_call.searching", item_id: ws, output_index: out }),
    ev({ type: "response.web_search_call.completed", item_id: ws, output_index: out }),
    ev({ type: "response.output_item.done", output_index: out, item: { id: ws, type: "web_search_call", status: "completed", action: { type: "search", query, sources: [{ type: "url", url: MOCK_SEARCH_URL }] } } }),
  ];
  const firstDelta = frames.length;
  const lead = "According to the mock search, ";
  const cited = "the answer is 42";
  const text = `${lead}${cited}.`;
  const annotation = { type: "url_citation", start_index: lead.length, end_index: lead.length + cited.length, url: MOCK_SEARCH_URL, title: "Mock search result" };
  const m = out + 1;
  frames.push(
    ev({ type: "response.output_item.added", output_index: m, item: { id: msg, type: "message", status: "in_progress", content: [], role: "assistant" } }),
    ev({ type: "response.content_part.added", item_id: msg, output_index: m, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } }),
    ev({ type: "response.output_text.delta", item_id: msg, output_index: m, content_index: 0, delta: lead, logprobs: [] }),
    ev({ type: "response.output_text.delta", item_id: msg, output_index: m, content_index: 0, delta: `${cited}.`, logprobs: [] }),
    ev({ type: "response.output_text.annotation.added", item_id: msg, output_index: m, content_index: 0, annotation_index: 0, annotation }),
    ev({ type: "response.output_text.done", item_id: msg, output_index: m, content_index: 0, text, logprobs: [] }),
    ev({ type: "response.content_part.done", item_id: msg, output_index: m, content_index: 0, part: { type: "output_text", annotations: [annotation], logprobs: [], text } }),
    ev({ type: "response.output_item.done", output_index: m, item: { id: msg, type: "message", status: "completed", content: [{ type: "output_text", annotations: [annotation], logprobs: [], text }], role: "assistant" } }),
  );
  return { frames, firstDelta, outputTokens: 12 };
}
