/**
 * Codex events / the accumulated Response → OpenAI Images API answers (docs/clients.md C19):
 * `{created, data:[{b64_json, revised_prompt}], …, usage}` in one JSON body, or SSE events
 * `image_generation.partial_image` / `image_generation.completed` (`image_edit.*` for edits), as
 * the OpenAI API streams them. Pure.
 */
import { GatewayError } from "../../errors.ts";
import { errorBody } from "../../http/envelope.ts";
import { readUsage } from "../../codex/usage.ts";
import type { CodexEvent } from "../../codex/types.ts";
import { codexFailureToError } from "../errors.ts";
import { imageBase64 } from "../image-results.ts";
import { clip } from "../clip.ts";
import type { StreamEnd, StreamReducer } from "../types.ts";
import type { ImagesContext, ImagesRequestInfo } from "./request.ts";

/** Responses usage → the Images API's usage object. */
export function imagesUsage(u: unknown): Record<string, unknown> {
  const c = readUsage(u) ?? { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  return { input_tokens: c.inputTokens, output_tokens: c.outputTokens, total_tokens: c.inputTokens + c.outputTokens, input_tokens_details: { text_tokens: c.inputTokens, image_tokens: 0 } };
}

/** The fields every answer echoes: the item's own values, else what the client asked for. */
function echoed(info: ImagesRequestInfo | undefined, item: Record<string, any> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pick = (k: string, v: unknown) => {
    if (typeof v === "string" && v !== "") out[k] = v;
  };
  pick("background", item?.background ?? info?.background);
  pick("output_format", item?.output_format ?? info?.outputFormat);
  pick("quality", item?.quality ?? info?.quality);
  pick("size", item?.size ?? info?.size);
  return out;
}

/** No image came back: the model answered in words (a refusal, usually). */
function noImage(text: string): GatewayError {
  const why = text.trim() ? `: ${clip(text.trim(), 300)}` : "";
  return new GatewayError({ status: 400, type: "invalid_request_error", code: "image_generation_failed", message: `The model did not produce an image${why}` });
}

function messageText(output: unknown[]): string {
  let t = "";
  for (const item of output as any[]) if (item?.type === "message") for (const p of item.content ?? []) t += p?.text ?? p?.refusal ?? "";
  return t;
}

export function imagesFromResponse(final: any, ctx: ImagesContext): Record<string, unknown> {
  const r = final ?? {};
  if (r.status === "failed") throw codexFailureToError(r.error ?? { code: "upstream_error" });
  const output: any[] = Array.isArray(r.output) ? r.output : [];
  const images = output.filter((item) => imageBase64(item));
  if (images.length === 0) throw noImage(messageText(output));
  return {
    created: typeof r.created_at === "number" ? r.created_at : ctx.now,
    data: images.map((item) => ({ b64_json: item.result, ...(typeof item.revised_prompt === "string" ? { revised_prompt: item.revised_prompt } : {}) })),
    ...echoed(ctx.images, images[0]),
    usage: imagesUsage(r.usage),
  };
}

// ---------------------------------------------------------------- stream

export interface ImagesStreamState {
  info?: ImagesRequestInfo;
  prefix: string;
  now: number;
  item?: Record<string, any>;
  text: string;
  finished: boolean;
}

function event(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

function failFrame(s: ImagesStreamState, err: GatewayError): string {
  s.finished = true;
  return event("error", errorBody(err, "openai"));
}

export const imagesStream: StreamReducer<ImagesStreamState, ImagesContext> = {
  init(ctx) {
    const info = ctx.images;
    return { info, prefix: info?.operation === "edit" ? "image_edit" : "image_generation", now: ctx.now, text: "", finished: false };
  },

  step(s, ev: CodexEvent) {
    if (s.finished) return [];
    switch (ev.type) {
      case "response.image_generation_call.partial_image":
        if (typeof ev.partial_image_b64 !== "string") return [];
        return [event(`${s.prefix}.partial_image`, { b64_json: ev.partial_image_b64, created_at: s.now, partial_image_index: ev.partial_image_index ?? 0, ...echoed(s.info, ev) })];
      case "response.output_item.done":
        if (imageBase64(ev.item)) s.item = ev.item;
        else if (ev.item?.type === "message") s.text += messageText([ev.item]);
        return [];
      case "response.completed":
      case "response.incomplete": {
        const item = s.item ?? (Array.isArray(ev.response?.output) ? ev.response.output.find((x: unknown) => imageBase64(x)) : undefined);
        if (!item) return [failFrame(s, noImage(s.text))];
        s.finished = true;
        return [event(`${s.prefix}.completed`, { b64_json: item.result, created_at: s.now, ...echoed(s.info, item), usage: imagesUsage(ev.response?.usage) })];
      }
      case "response.failed":
        return [failFrame(s, codexFailureToError(ev.response?.error))];
      case "error":
        return [failFrame(s, codexFailureToError({ code: ev.code ?? ev.error?.code, message: ev.message ?? ev.error?.message }))];
    }
    return [];
  },

  end(s, end: StreamEnd) {
    if (s.finished) return [];
    const err = end.kind === "error" ? new GatewayError({ status: end.status, type: "upstream_error", code: end.code, message: end.message }) : codexFailureToError({ code: "stream_incomplete", message: "stream closed before response.completed" });
    return [failFrame(s, err)];
  },

  keepalive() {
    return ": keepalive\n\n";
  },
};
