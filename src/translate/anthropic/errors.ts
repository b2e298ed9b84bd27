/**
 * Upstream failures in Anthropic terms (docs/clients.md C6.6, C7). The status/type decision is the
 * shared one (codex/failure.ts, codex/http-failure.ts); this file adds the Anthropic wording and framing.
 */
import { GatewayError } from "../../errors.ts";
import { anthropicType } from "../../http/envelope.ts";
import { classifyCodexFailure } from "../../codex/failure.ts";
import type { CodexEvent } from "../../codex/types.ts";
import { openaiFailureError } from "../errors.ts";
import { sseFrame, type StreamEnd } from "../types.ts";

const TOO_LONG = /prompt is too long/i;

/**
 * The message an Anthropic client sees for an upstream error code. Context overflow must contain
 * "prompt is too long": Claude Code's detector is a substring test, and it compacts instead of
 * retrying the same oversized request forever (docs/clients.md C6.6, E24). Use it for pre-stream errors too.
 */
export function anthropicErrorMessage(code: string | undefined | null, message: string | undefined | null): string {
  const msg = typeof message === "string" && message.trim() !== "" ? message.trim() : defaultMessage(code);
  if (code === "context_length_exceeded" && !TOO_LONG.test(msg)) return `prompt is too long: ${msg}`;
  return msg;
}

function defaultMessage(code: string | undefined | null): string {
  if (code === "context_length_exceeded") return "the conversation exceeds the model's context window";
  if (code === "cyber_policy" || code === "bio_policy") return `This request was blocked by the upstream safety policy (${code}).`;
  return "The upstream model failed to answer";
}

/**
 * A Codex failure (`response.failed`.response.error, an `error` event, or a stream end) as a
 * GatewayError: the gateway-wide status (translate/errors.ts) with the Anthropic wording. An
 * unknown code answers with the transport status it came with, when there is one.
 */
export function anthropicFailure(code: string | undefined | null, message: string | undefined | null, status?: number): GatewayError {
  const c = code ?? undefined;
  const f = classifyCodexFailure({ code: c, message: anthropicErrorMessage(c, message) });
  const err = openaiFailureError(f);
  if (f.kind === "unknown" && typeof status === "number" && status >= 400) {
    return new GatewayError({ status, type: err.type, code: err.code, message: err.message });
  }
  return err;
}

export function failureOfEvent(ev: CodexEvent): GatewayError {
  if (ev.type === "response.failed") {
    const e = ev.response?.error;
    return anthropicFailure(e?.code ?? e?.type, e?.message);
  }
  const e = ev.error && typeof ev.error === "object" ? ev.error : ev;
  return anthropicFailure(e.code ?? e.type, e.message, typeof e.status === "number" ? e.status : undefined);
}

export function failureOfEnd(end: StreamEnd): GatewayError {
  if (end.kind === "error") return anthropicFailure(end.code, end.message, end.status);
  return anthropicFailure("stream_incomplete", "stream closed before response.completed");
}

/** `{type:"error",error:{type,message}}`: the in-stream error body Anthropic SDKs turn into an APIError. */
export function anthropicErrorBody(err: GatewayError): { type: "error"; error: { type: string; message: string } } {
  return { type: "error", error: { type: anthropicType(err), message: err.message } };
}

export function errorFrame(err: GatewayError): string {
  return sseFrame(JSON.stringify(anthropicErrorBody(err)), "error");
}
