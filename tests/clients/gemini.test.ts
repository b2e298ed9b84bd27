/**
 * The real Gemini CLI (`@google/gemini-cli`) against the gateway (issue 12; docs/clients.md C9.7, C16):
 * GOOGLE_GEMINI_BASE_URL at the gateway root, settings with `selectedType: gemini-api-key`,
 * usage statistics, telemetry and auto-update off, a trusted workspace, and `gemini -p`. It runs
 * `run_shell_command` once, gets the answer, prints it exactly once, and makes no hidden retries
 * (a stream without finishReason would make it retry and print the answer again).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, MOCK_TEXT, upstreamCalls } from "../e2e/helpers.ts";
import { BIN, cliWorks, describeRun, recordingProxy, runClient, type RunResult, tempDir, TOOL_COMMAND, TOOL_OUTPUT, toolPrompt } from "./helpers.ts";

let gw: TestGateway;
let proxy: ReturnType<typeof recordingProxy>;
let work: ReturnType<typeof tempDir>;
const works = await cliWorks("gemini");

/** docs/clients.md C9.7, plus everything that would phone home turned off. */
export const GEMINI_SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  model: { compressionThreshold: 0.2 },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
};

beforeAll(async () => {
  gw = await startTestGateway();
  proxy = recordingProxy(gw.url);
  work = tempDir("cg-gemini-");
});
afterAll(async () => {
  proxy?.stop();
  await gw?.stop();
  work?.remove();
});

let runs = 0;
async function gemini(args: string[]): Promise<{ r: RunResult; why: string }> {
  const home = join(work.dir, `run${++runs}`);
  mkdirSync(join(home, ".gemini"), { recursive: true });
  writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify(GEMINI_SETTINGS, null, 2));
  const env = {
    HOME: home,
    GOOGLE_GEMINI_BASE_URL: proxy.url, // the server root, without /v1beta
    GEMINI_API_KEY: gw.key, // sent as x-goog-api-key
    GEMINI_CLI_TRUST_WORKSPACE: "true",
    GEMINI_TELEMETRY_ENABLED: "false",
  };
  const r = await runClient([join(BIN, "gemini"), ...args], { env, cwd: home, timeoutMs: 90_000 });
  return { r, why: describeRun(`gemini ${args.join(" ")}`, r, gw.logs()) };
}

test.skipIf(!works.ok)(
  "gemini -p: a turn with a tool call, the answer printed once",
  async () => {
    const seen = proxy.seen.length;
    const before = upstreamCalls(gw.mock).length;
    const { r, why } = await gemini(["-m", "gemini-2.5-pro", "--yolo", "-p", toolPrompt("run_shell_command", { command: TOOL_COMMAND, description: "Print a word" })]);
    expect(r.timedOut, why).toBe(false);
    expect(r.code, why).toBe(0);
    expect(r.stdout.trim(), why).toBe(MOCK_TEXT);
    expect(r.stdout.split(MOCK_TEXT).length - 1, why).toBe(1);

    // The SDK inside the CLI spoke Gemini to the gateway, with the key in x-goog-api-key.
    const sent = proxy.seen.slice(seen).filter((s) => s.method === "POST");
    expect(sent.length, why).toBe(2);
    for (const s of sent) {
      expect(s.path, why).toMatch(/^\/v1(beta|alpha)?\/models\/gemini-2\.5-pro:streamGenerateContent\?alt=sse$/);
      expect(s.headers["x-goog-api-key"], why).toBe(gw.key);
    }

    // One upstream request per turn: the call, then the answer to its result. No retries.
    const calls = upstreamCalls(gw.mock).slice(before);
    expect(calls.length, why).toBe(2);
    const second = calls[1]!;
    const call = inputItems(second, "function_call")[0];
    expect(call?.name, why).toBe("run_shell_command");
    expect(JSON.parse(call.arguments).command).toBe(TOOL_COMMAND);
    const out = inputItems(second, "function_call_output")[0];
    expect(out?.call_id, why).toBe(call.call_id);
    expect(JSON.stringify(out.output), why).toContain(TOOL_OUTPUT);
    // The cdx signature of the first turn comes back as the reasoning item.
    expect(inputItems(second, "reasoning")[0]?.encrypted_content, why).toMatch(/^gAAAA/);
  },
  120_000,
);

test.skipIf(!works.ok)(
  "gemini -p: a plain turn with a Codex model name",
  async () => {
    const before = upstreamCalls(gw.mock).length;
    const { r, why } = await gemini(["-m", "gpt-5.5", "-p", "Reply with a greeting."]);
    expect(r.code, why).toBe(0);
    expect(r.stdout.trim(), why).toBe(MOCK_TEXT);
    const calls = upstreamCalls(gw.mock).slice(before);
    expect(calls.length, why).toBe(1);
    expect(calls[0]!.body.model).toBe("gpt-5.5");
  },
  120_000,
);

test("the Gemini CLI is installed and runs", () => {
  expect(works.ok ? "ok" : works.reason).toBe("ok");
});
