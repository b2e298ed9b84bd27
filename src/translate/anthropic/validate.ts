/**
 * Structural validation of a Messages body, shared by inspectMessages (before limits are charged)
 * and anthropicToCodex / count_tokens (so a malformed body is a 400 naming the field, never a
 * TypeError and a 500). Deliberately lenient about what the backend can do without: unknown
 * fields and unknown block types are dropped later, not refused — every 400 costs a Claude Code
 * user six upstream attempts (docs/clients.md C6.11).
 */
import { badRequest } from "../../errors.ts";
import { isRecord, nonEmptyString } from "./util.ts";

const ROLES = new Set(["user", "assistant", "system"]);
const CHOICES = new Set(["auto", "any", "tool", "none"]);

export function validateMessagesBody(body: unknown): asserts body is Record<string, any> {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object");
  if (!nonEmptyString(body.model) || body.model.trim() === "") throw badRequest("model: field required (a non-empty string)", "model");
  if (body.messages === undefined) throw badRequest("messages: field required", "messages");
  if (!Array.isArray(body.messages)) throw badRequest("messages: must be an array", "messages");
  if (body.messages.length === 0) throw badRequest("messages: at least one message is required", "messages");
  body.messages.forEach((m: unknown, i: number) => validateMessage(m, `messages.${i}`));

  if (body.max_tokens != null && !(typeof body.max_tokens === "number" && Number.isInteger(body.max_tokens) && body.max_tokens > 0)) {
    throw badRequest("max_tokens: must be a positive integer", "max_tokens");
  }
  if (body.stream != null && typeof body.stream !== "boolean") throw badRequest("stream: must be a boolean", "stream");
  if (body.system != null && typeof body.system !== "string") {
    if (!Array.isArray(body.system)) throw badRequest("system: must be a string or an array of text blocks", "system");
    body.system.forEach((b: unknown, i: number) => {
      if (!isRecord(b) || typeof b.text !== "string") throw badRequest(`system.${i}: must be a text block with a string \`text\``, `system.${i}`);
    });
  }
  if (body.metadata != null && !isRecord(body.metadata)) throw badRequest("metadata: must be an object", "metadata");
  if (body.tools != null) {
    if (!Array.isArray(body.tools)) throw badRequest("tools: must be an array", "tools");
    body.tools.forEach((t: unknown, i: number) => {
      if (!isRecord(t) || !nonEmptyString(t.name)) throw badRequest(`tools.${i}.name: field required`, `tools.${i}.name`);
      if (t.input_schema != null && !isRecord(t.input_schema)) throw badRequest(`tools.${i}.input_schema: must be an object`, `tools.${i}.input_schema`);
    });
  }
  if (body.tool_choice != null) {
    const tc = body.tool_choice;
    if (!isRecord(tc) || !CHOICES.has(tc.type)) throw badRequest("tool_choice.type: must be one of auto, any, tool, none", "tool_choice.type");
    if (tc.type === "tool" && !nonEmptyString(tc.name)) throw badRequest("tool_choice.name: field required when type is \"tool\"", "tool_choice.name");
  }
  if (body.thinking != null) {
    const t = body.thinking;
    if (!isRecord(t) || typeof t.type !== "string") throw badRequest("thinking.type: field required", "thinking.type");
    if (t.budget_tokens != null && !(typeof t.budget_tokens === "number" && Number.isInteger(t.budget_tokens))) {
      throw badRequest("thinking.budget_tokens: must be an integer", "thinking.budget_tokens");
    }
  }
  if (body.output_config != null && !isRecord(body.output_config)) throw badRequest("output_config: must be an object", "output_config");
}

function validateMessage(m: unknown, at: string): void {
  if (!isRecord(m)) throw badRequest(`${at}: must be an object`, at);
  if (!ROLES.has(m.role)) throw badRequest(`${at}.role: must be "user" or "assistant"`, `${at}.role`);
  if (typeof m.content === "string") return;
  if (!Array.isArray(m.content)) throw badRequest(`${at}.content: must be a string or an array of content blocks`, `${at}.content`);
  m.content.forEach((b: unknown, j: number) => {
    if (!isRecord(b) || typeof b.type !== "string") throw badRequest(`${at}.content.${j}.type: field required`, `${at}.content.${j}.type`);
  });
}
