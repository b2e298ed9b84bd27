/**
 * The minimal edit of a raw passthrough body (src/pipeline/raw-model.ts): only the value of the
 * top-level `model` and of `reasoning.effort` change; keys named the same deeper down, escapes,
 * whitespace and key order stay as sent; what cannot be edited safely is refused.
 */
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { applyResolvedModel } from "../../src/pipeline/raw-model.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function edit(text: string, upstream: string, effort?: string): string {
  return dec.decode(applyResolvedModel(enc.encode(text), JSON.parse(text), { requested: "", upstream, effort }));
}

describe("applyResolvedModel", () => {
  test.each([
    ["nothing to change: the same bytes", '{"model":"gpt-5.5","reasoning":{"effort":"high"}}', "gpt-5.5", "high", '{"model":"gpt-5.5","reasoning":{"effort":"high"}}'],
    ["model only", '{ "input":[{"model":"x"}], "model" : "gpt-5.5-high" ,"reasoning":{"effort":"high"}}', "gpt-5.5", "high", '{ "input":[{"model":"x"}], "model" : "gpt-5.5" ,"reasoning":{"effort":"high"}}'],
    ["an escaped key", '{"mod\\u0065l":"a","x":"\\"model\\":\\"b\\""}', "gpt-5.5", undefined, '{"mod\\u0065l":"gpt-5.5","x":"\\"model\\":\\"b\\""}'],
    ["effort replaced, summary kept", '{"model":"m","reasoning":{"summary":"auto","effort":"xhigh"}}', "m", "medium", '{"model":"m","reasoning":{"summary":"auto","effort":"medium"}}'],
    ["effort added to an empty reasoning", '{"model":"m","reasoning":{ }}', "m", "low", '{"model":"m","reasoning":{"effort":"low" }}'],
    ["effort added to a reasoning object", '{"model":"m","reasoning":{"summary":"auto"}}', "m", "low", '{"model":"m","reasoning":{"effort":"low","summary":"auto"}}'],
    ["reasoning added", '{"model":"m","input":"hi"}', "m", "low", '{"reasoning":{"effort":"low"},"model":"m","input":"hi"}'],
    ["reasoning null", '{"model":"m","reasoning":null}', "m", "low", '{"model":"m","reasoning":{"effort":"low"}}'],
    ["a non-string effort", '{"model":"m","reasoning":{"effort":5}}', "m", "low", '{"model":"m","reasoning":{"effort":"low"}}'],
    ["unicode and nesting elsewhere", '{"a":[1,{"b":[true,null,-1.5e3]}],"t":"ü😀\\\\","model":"x"}', "y", undefined, '{"a":[1,{"b":[true,null,-1.5e3]}],"t":"ü😀\\\\","model":"y"}'],
  ])("%s", (_name, text, upstream, effort, want) => {
    const out = edit(text, upstream, effort);
    expect(out).toBe(want);
    expect(() => JSON.parse(out)).not.toThrow();
  });

  test.each([
    ["model twice", '{"model":"a","model":"b"}', "c", undefined],
    ["reasoning twice", '{"model":"m","reasoning":{},"reasoning":{}}', "m", "low"],
    ["effort twice", '{"model":"m","reasoning":{"effort":"a","effort":"b"}}', "m", "low"],
    ["reasoning a string", '{"model":"m","reasoning":"high"}', "m", "low"],
    ["reasoning an array", '{"model":"m","reasoning":["high"]}', "m", "low"],
    ["the rules drop the effort", '{"model":"m","reasoning":{"effort":"high"}}', "m", undefined],
  ])("refused: %s", (_name, text, upstream, effort) => {
    let err: unknown;
    try {
      edit(text, upstream, effort);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    expect((err as GatewayError).code).toBe("raw_passthrough_unsupported");
  });
});
