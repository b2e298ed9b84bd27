/**
 * The real Claude Code (`@anthropic-ai/claude-code`, `claude -p`) against the gateway (issue 6,
 * issue 8; docs/clients.md C6.10–6.11): ANTHROPIC_BASE_URL at the gateway, telemetry, error
 * reporting and updates off, an isolated CLAUDE_CONFIG_DIR. A plain turn with `--model sonnet` and
 * `--model haiku`, and a turn where it runs Bash and finishes, each with ANTHROPIC_API_KEY
 * (x-api-key) and with ANTHROPIC_AUTH_TOKEN (Bearer). A recording proxy checks which header it sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, MOCK_TEXT, upstreamCalls } from "../e2e/helpers.ts";
import { BIN, claudeEnv, cliWorks, describeRun, recordingProxy, runClient, type RunResult, tempDir, TOOL_COMMAND, TOOL_OUTPUT, toolPrompt } from "./helpers.ts";

let gw: TestGateway;
let proxy: ReturnType<typeof recordingProxy>;
let work: ReturnType<typeof tempDir>;
const works = await cliWorks("claude");

beforeAll(async () => {
  gw = await startTestGateway();
  proxy = recordingProxy(gw.url);
  work = tempDir("cg-claude-");
});
afterAll(async () => {
  proxy?.stop();
  await gw?.stop();
  work?.remove();
});

type Auth = "x-api-key" | "bearer";

let runs = 0;
/** `claude -p` with a fresh config dir, pointed at the proxy in front of the gateway. */
async function claude(auth: Auth, args: string[]): Promise<{ r: RunResult; result: any; why: string }> {
  const home = join(work.dir, `run${++runs}`);
  mkdirSync(join(home, ".claude"), { recursive: true });
  const env = claudeEnv(home, proxy.url);
  if (auth === "x-api-key") env.ANTHROPIC_API_KEY = gw.key;
  else env.ANTHROPIC_AUTH_TOKEN = gw.key;
  const r = await runClient([join(BIN, "claude"), "-p", "--output-format", "json", ...args], { env, cwd: home, timeoutMs: 90_000 });
  const why = describeRun(`claude ${args.join(" ")}`, r, gw.logs());
  let result: any;
  try {
    result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "");
  } catch {
    result = undefined;
  }
  return { r, result, why };
}

/** Every request Claude Code sent since `from` carried the key the way `auth` says, and only that way. */
function expectCarrier(auth: Auth, from: number, why: string) {
  const sent = proxy.seen.slice(from).filter((s) => s.path.startsWith("/v1/messages"));
  expect(sent.length, why).toBeGreaterThan(0);
  for (const s of sent) {
    if (auth === "x-api-key") {
      expect(s.headers["x-api-key"], why).toBe(gw.key);
      expect(s.headers.authorization, why).toBeUndefined();
    } else {
      expect(s.headers.authorization, why).toBe(`Bearer ${gw.key}`);
      expect(s.headers["x-api-key"], why).toBeUndefined();
    }
  }
}

for (const auth of ["x-api-key", "bearer"] as const) {
  describe(`claude -p (${auth})`, () => {
    for (const [alias, upstream] of [
      ["sonnet", "gpt-5.5"],
      ["haiku", "gpt-5.4-mini"],
    ] as const) {
      test.skipIf(!works.ok)(
        `a plain turn with --model ${alias}`,
        async () => {
          const seen = proxy.seen.length;
          const before = upstreamCalls(gw.mock).length;
          const { r, result, why } = await claude(auth, ["--model", alias, "Reply with a greeting."]);
          expect(r.timedOut, why).toBe(false);
          expect(r.code, why).toBe(0);
          expect(result?.is_error, why).toBe(false);
          expect(result?.result, why).toBe(MOCK_TEXT);
          expectCarrier(auth, seen, why);
          const calls = upstreamCalls(gw.mock).slice(before);
          expect(calls.length, why).toBeGreaterThan(0);
          // The main turn (the one with tools) went to the model the claude-* alias names.
          const main = calls.find((c) => Array.isArray(c.body.tools) && c.body.tools.length > 0) ?? calls[0]!;
          expect(main.body.model, why).toBe(upstream);
        },
        120_000,
      );
    }

    test.skipIf(!works.ok)(
      "a turn that runs Bash and finishes",
      async () => {
        const seen = proxy.seen.length;
        const before = upstreamCalls(gw.mock).length;
        const { r, result, why } = await claude(auth, ["--model", "sonnet", "--allowedTools", "Bash", "--", toolPrompt("Bash", { command: TOOL_COMMAND, description: "Print a word" })]);
        expect(r.timedOut, why).toBe(false);
        expect(r.code, why).toBe(0);
        expect(result?.is_error, why).toBe(false);
        expect(result?.result, why).toBe(MOCK_TEXT);
        expect(result?.num_turns, why).toBe(2);
        expectCarrier(auth, seen, why);

        const calls = upstreamCalls(gw.mock).slice(before).filter((c) => c.body.tools?.some((t: any) => t.name === "Bash"));
        expect(calls.length, why).toBe(2);
        const second = calls[1]!;
        const call = inputItems(second, "function_call")[0];
        expect(call?.name, why).toBe("Bash");
        expect(JSON.parse(call.arguments).command).toBe(TOOL_COMMAND);
        const out = inputItems(second, "function_call_output")[0];
        expect(out?.call_id, why).toBe(call.call_id);
        expect(JSON.stringify(out.output), why).toContain(TOOL_OUTPUT);
        // The thinking signature Claude Code got back travels as the reasoning item again.
        expect(inputItems(second, "reasoning")[0]?.encrypted_content, why).toMatch(/^gAAAA/);
      },
      120_000,
    );
  });
}

test("Claude Code is installed and runs", () => {
  expect(works.ok ? "ok" : works.reason).toBe("ok");
});
