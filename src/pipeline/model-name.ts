import { badRequest } from "../errors.ts";

/** Longer than any real model name (the longest slugs are ~30 characters, aliases a little more). */
export const MAX_MODEL_NAME = 200;

/**
 * Control and format characters, lone surrogates, and the Unicode line and paragraph separators:
 * a model name with one of them could dodge a glob written on one line, split a log line, or
 * smuggle a header line. Plain spaces are left to the upstream to refuse.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * The model name the client sent, checked before anything else looks at it (globs, prices,
 * headers, logs, SQLite): at most MAX_MODEL_NAME characters, printable. The 400 never repeats it.
 */
export function checkModelName(name: string): void {
  if (name.length > MAX_MODEL_NAME) throw badRequest(`The model name is longer than ${MAX_MODEL_NAME} characters`, "model", "invalid_model");
  if (UNPRINTABLE.test(name)) throw badRequest("The model name holds control, format or line-separator characters", "model", "invalid_model");
}

/** A reasoning effort is a short word (`low`, `xhigh`, or one the gateway does not know yet). */
const EFFORT_WORD = /^[a-z0-9][a-z0-9_.-]{0,31}$/i;

/**
 * The reasoning effort the client sent, checked like the model name: unknown words still go to the
 * upstream (it decides), but the effort is also answered in a header
 * (`x-codex-gateway-reasoning-effort`) and logged, so anything but a short word is a 400 that
 * never repeats it.
 */
export function checkEffort(effort: string | undefined): void {
  const word = effort?.trim();
  // Empty means "none given", as it always did.
  if (!word) return;
  if (!EFFORT_WORD.test(word)) throw badRequest("The reasoning effort is not a word such as low, medium or high", "reasoning_effort", "invalid_reasoning_effort");
}
