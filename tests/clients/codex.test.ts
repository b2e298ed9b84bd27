/**
 * The real Codex CLI (`@openai/codex`) against the gateway (issue 8; docs/clients.md C4.6): `codex exec`
 * with a custom provider (wire_api "responses", env_key) runs a tool loop — the mock asks for
 * `exec_command` with a harmless command, the CLI runs it and sends the output back, the mock
 * answers with text — and the CLI exits 0 with that text as its last message.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, MOCK_TEXT, upstreamCalls } from "../e2e/helpers.ts";
import { BIN, cliWorks, describeRun, runClient, type RunResult, tempDir, TOOL_COMMAND, TOOL_OUTPUT, toolPrompt } from "./helpers.ts";

let gw: TestGateway;
let work: ReturnType<typeof tempDir>;
const works = await cliWorks("codex");

beforeAll(async () => {
  gw = await startTestGateway();
  work = tempDir("cg-codex-");
  mkdirSync(join(work.dir, ".codex"));
});
afterAll(async () => {
  await gw?.stop();
  work?.remove();
});

/** `codex exec` against the gateway: isolated CODEX_HOME, no update check, no analytics, no retries. */
function codexExec(prompt: string, extra: string[] = []): Promise<RunResult> {
  const provider = `{name="codex-gateway",base_url="${gw.url}/v1",wire_api="responses",env_key="CODEX_GATEWAY_KEY",request_max_retries=0,stream_max_retries=0,stream_idle_timeout_ms=30000}`;
  return runClient(
    [
      join(BIN, "codex"),
      "exec",
      "--skip-git-repo-check",
      "--ephemeral",
      "--json",
      // The command is harmless; the sandbox (bubblewrap, user namespaces) is not available on
      // every CI machine, and this test is about the gateway, not Codex's sandbox.
      "--dangerously-bypass-approvals-and-sandbox",
      "-m",
      "gpt-5.5",
      "-c",
      "model_provider=gateway",
      "-c",
      `model_providers.gateway=${provider}`,
      "-c",
      "check_for_update_on_startup=false",
      "-c",
      "analytics.enabled=false",
      "-C",
      work.dir,
      ...extra,
      prompt,
    ],
    { env: { HOME: work.dir, CODEX_HOME: join(work.dir, ".codex"), CODEX_GATEWAY_KEY: gw.key, RUST_LOG: "error" }, cwd: work.dir, timeoutMs: 90_000 },
  );
}

function events(stdout: string): any[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

test.skipIf(!works.ok)(
  "codex exec: a tool loop through the gateway (exec_command, then the final message)",
  async () => {
    const lastMessage = join(work.dir, "last-message.txt");
    const before = upstreamCalls(gw.mock).length;
    const r = await codexExec(toolPrompt("exec_command", { cmd: TOOL_COMMAND }), ["--output-last-message", lastMessage]);
    const why = describeRun("codex exec", r, gw.logs());
    expect(r.timedOut, why).toBe(false);
    expect(r.code, why).toBe(0);

    const evs = events(r.stdout);
    const cmd = evs.find((e) => e.type === "item.completed" && e.item?.type === "command_execution")?.item;
    expect(cmd?.exit_code, why).toBe(0);
    expect(cmd?.aggregated_output, why).toContain(TOOL_OUTPUT);
    const messages = evs.filter((e) => e.type === "item.completed" && e.item?.type === "agent_message").map((e) => e.item.text);
    expect(messages, why).toEqual([MOCK_TEXT]);
    const done = evs.find((e) => e.type === "turn.completed");
    expect(done?.usage?.input_tokens, why).toBeGreaterThan(0);
    expect(done?.usage?.output_tokens, why).toBeGreaterThan(0);
    expect(evs.some((e) => e.type === "turn.failed" || e.type === "error"), why).toBe(false);
    expect(readFileSync(lastMessage, "utf8").trim()).toBe(MOCK_TEXT);

    // Exactly two upstream turns: the call, then the answer to its output.
    const calls = upstreamCalls(gw.mock).slice(before);
    expect(calls.length, why).toBe(2);
    const [first, second] = calls;
    expect(first!.body.tools.map((t: any) => t.name)).toContain("exec_command");
    const call = inputItems(second!, "function_call")[0];
    expect(call?.name).toBe("exec_command");
    expect(JSON.parse(call.arguments)).toEqual({ cmd: TOOL_COMMAND });
    const out = inputItems(second!, "function_call_output")[0];
    expect(out?.call_id).toBe(call.call_id);
    expect(JSON.stringify(out.output)).toContain(TOOL_OUTPUT);
    // The reasoning item of the first turn comes back with its encrypted content.
    expect(inputItems(second!, "reasoning")[0]?.encrypted_content).toMatch(/^gAAAA/);
  },
  120_000,
);

test.skipIf(!works.ok)(
  "codex exec: a plain turn",
  async () => {
    const r = await codexExec("Reply with a greeting.");
    const why = describeRun("codex exec", r, gw.logs());
    expect(r.code, why).toBe(0);
    expect(events(r.stdout).filter((e) => e.item?.type === "agent_message").map((e) => e.item.text), why).toEqual([MOCK_TEXT]);
  },
  120_000,
);

test("the Codex CLI is installed and runs", () => {
  expect(works.ok ? "ok" : works.reason).toBe("ok");
});
