/** Text, refusal and reasoning deltas of the Chat stream. */
import { content, push, stopAnswer, type ChatStreamState } from "./stream-state.ts";

export function text(s: ChatStreamState, key: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  closeThink(s, out);
  let t = d;
  if (!s.textItems.has(key)) {
    // Several message items (commentary, final answer) read as paragraphs, same as non-stream.
    if (s.messagesWithText > 0) t = `\n\n${t}`;
    s.textItems.add(key);
    s.messagesWithText++;
  }
  if (s.limiter) return limited(s, s.limiter.push(t), out);
  content(s, t, out);
}

/** The end of a text run: text held back for a possible stop sequence goes out. */
export function textDone(s: ChatStreamState, out: string[]): void {
  if (s.limiter && !s.terminal) limited(s, s.limiter.flush(), out);
}

function limited(s: ChatStreamState, t: string, out: string[]): void {
  if (t !== "") content(s, t, out);
  if (s.limiter!.stopped) stopAnswer(s, out);
}

export function refusal(s: ChatStreamState, key: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  closeThink(s, out);
  s.refusalItems.add(key);
  push(s, `{"refusal":${JSON.stringify(d)}}`, out);
}

export function reasoning(s: ChatStreamState, key: string, part: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  const pk = `${key}:${part}`;
  s.reasoningItems.add(key);
  s.reasoningParts.add(pk);
  const first = s.lastReasoningPart === undefined;
  const t = !first && s.lastReasoningPart !== pk ? `\n\n${d}` : d;
  s.lastReasoningPart = pk;
  switch (s.reasoningOutput) {
    case "hide":
      return;
    case "think_tags":
      if (!s.thinkOpen) {
        s.thinkOpen = true;
        content(s, `<think>\n${d}`, out);
      } else content(s, t, out);
      return;
    default:
      push(s, `{"reasoning_content":${JSON.stringify(t)}}`, out);
  }
}

export function reasoningDone(s: ChatStreamState, key: string, part: string, full: unknown, out: string[]): void {
  if (!s.reasoningParts.has(`${key}:${part}`)) reasoning(s, key, part, full, out);
}

export function closeThink(s: ChatStreamState, out: string[]): void {
  if (!s.thinkOpen) return;
  s.thinkOpen = false;
  content(s, "\n</think>\n\n", out);
}
