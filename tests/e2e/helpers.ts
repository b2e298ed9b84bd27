/**
 * What the mock upstream answers, so e2e tests can assert exact content and usage numbers rather
 * than "something came back".
 */
import type { MockUpstream, RecordedRequest } from "../../scripts/mock-upstream.ts";

/** The mock's default answer: 5 text deltas. */
export const MOCK_TEXT = "Hello from the mock upstream.";
export const MOCK_TEXT_DELTAS = 5;
/** Output tokens the mock reports for a text answer, a tool call, and a reasoning item. */
export const MOCK_TEXT_TOKENS = 5;
export const MOCK_CALL_TOKENS = 12;
export const MOCK_REASONING_TOKENS = 16;
/** The arguments the mock makes up from a schema: required strings are "mock". */
export const MOCK_ARG = "mock";

/** A function tool with one required string parameter, in JSON Schema. */
export const WEATHER_SCHEMA: { type: "object"; properties: Record<string, any>; required: string[]; additionalProperties: false } = {
  type: "object",
  properties: { city: { type: "string", description: "City name" } },
  required: ["city"],
  additionalProperties: false,
};

/** Requests that reached the mock's /responses endpoint, oldest first. */
export function upstreamCalls(mock: MockUpstream): RecordedRequest[] {
  return mock.responsesRequests();
}

export function lastUpstream(mock: MockUpstream): RecordedRequest {
  const all = upstreamCalls(mock);
  const last = all[all.length - 1];
  if (!last) throw new Error("no request reached the mock upstream");
  return last;
}

/**
 * The usage the mock reported for a recorded request: input = ceil(body chars / 4) (the gateway
 * writes compact JSON, so re-serializing gives the same length for ASCII bodies), cached = 80 %
 * rounded down to 64 when the same prompt_cache_key was seen before; output = the answer's tokens
 * plus 16 reasoning tokens when the request asked for reasoning (the mock then adds a reasoning item).
 */
export function mockUsage(mock: MockUpstream, rec: RecordedRequest, answer: "text" | "call"): { input: number; cached: number; output: number; reasoning: number; total: number } {
  const input = Math.max(1, Math.ceil(JSON.stringify(rec.body).length / 4));
  const key = rec.body?.prompt_cache_key;
  const all = upstreamCalls(mock);
  const seen = typeof key === "string" && all.slice(0, all.indexOf(rec)).some((r) => r.body?.prompt_cache_key === key && r.status === 200);
  const cached = seen ? Math.floor((input * 0.8) / 64) * 64 : 0;
  const reasoning = rec.body?.reasoning || rec.scenario === "reasoning" ? MOCK_REASONING_TOKENS : 0;
  const output = (answer === "text" ? MOCK_TEXT_TOKENS : MOCK_CALL_TOKENS) + reasoning;
  return { input, cached, output, reasoning, total: input + output };
}

/** Items of a given type in the upstream request's input. */
export function inputItems(rec: RecordedRequest, type: string): any[] {
  return (Array.isArray(rec.body?.input) ? rec.body.input : []).filter((i: any) => (i?.type ?? "message") === type);
}
