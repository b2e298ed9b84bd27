/**
 * The Codex CLI and Claude Code in a multi-turn session through a three-account pool (issue 16):
 * in the middle of the second turn's tool loop, the account serving the session is forced into a
 * usage limit. The session continues on another account — the reasoning the limited account minted
 * is left out, since no other account can read it — and the client shows no error.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { verifiesFor } from "../../scripts/mock-upstream/binding.ts";
import type { RecordedRequest } from "../../scripts/mock-upstream.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_TEXT, upstreamCalls } from "../e2e/helpers.ts";
import { BIN, claudeEnv, cliWorks, describeRun, runClient, tempDir, TOOL_COMMAND, TOOL_OUTPUT, toolPrompt } from "./helpers.ts";

const codexWorks = await cliWorks("codex");
const claudeWorks = await cliWorks("claude");

let gw: TestGateway;
let work: ReturnType<typeof tempDir>;
beforeAll(async () => {
  gw = await startTestGateway({ accounts: ["ok", "ok", "ok"], config: { routing: { strategy: "round_robin" } } });
  work = tempDir("cg-continuity-");
});
afterAll(async () => {
  await gw?.stop();
  work?.remove();
});

const accountOf = (r: RecordedRequest) => r.headers["chatgpt-account-id"];
const reasoningOf = (r: RecordedRequest): string[] => (Array.isArray(r.body?.input) ? r.body.input : []).filter((i: any) => i?.type === "reasoning" && typeof i.encrypted_content === "string").map((i: any) => i.encrypted_content);

/**
 * Before the second turn: the account that served the first answers its next request (the tool
 * call) normally, then refuses everything with a usage limit.
 */
function limitMidLoop(first: RecordedRequest[]): string {
  const account = accountOf(first.filter((r) => r.status === 200).at(-1)!);
  gw.mock.script(account, "ok");
  gw.mock.setAccountScenario(account, "429-usage");
  return account;
}

/** The second turn moved off the limited account, replayed only what its new account can read, and was never refused for it. */
function expectMoved(second: RecordedRequest[], limited: string, why: string): void {
  expect(second.some((r) => accountOf(r) === limited && r.status === 429), why).toBe(true);
  const served = second.filter((r) => r.status === 200);
  expect(served.length, why).toBeGreaterThanOrEqual(2);
  const last = served.at(-1)!;
  expect(accountOf(last), why).not.toBe(limited);
  for (const v of reasoningOf(last)) expect(verifiesFor(v, accountOf(last)), why).toBe(true);
  expect(second.filter((r) => r.status === 400).length, why).toBe(0);
}

describe("Codex CLI", () => {
  function codex(args: string[], home: string) {
    const provider = `{name="codex-gateway",base_url="${gw.url}/v1",wire_api="responses",env_key="CODEX_GATEWAY_KEY",request_max_retries=0,stream_max_retries=0,stream_idle_timeout_ms=30000}`;
    const config = ["-c", "model_provider=gateway", "-c", `model_providers.gateway=${provider}`, "-c", "check_for_update_on_startup=false", "-c", "analytics.enabled=false"];
    return runClient([join(BIN, "codex"), "exec", ...args.slice(0, args.length - 1), "--skip-git-repo-check", "--json", "--dangerously-bypass-approvals-and-sandbox", "-m", "gpt-5.5", ...config, args.at(-1)!], {
      env: { HOME: home, CODEX_HOME: join(home, ".codex"), CODEX_GATEWAY_KEY: gw.key, RUST_LOG: "error" },
      cwd: home,
      timeoutMs: 90_000,
    });
  }
  const events = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

  test.skipIf(!codexWorks.ok)(
    "codex exec, then exec resume: the serving account hits its usage limit mid tool loop, the session carries on",
    async () => {
      const home = join(work.dir, "codex");
      mkdirSync(join(home, ".codex"), { recursive: true });
      gw.mock.reset();
      const r1 = await codex([toolPrompt("exec_command", { cmd: TOOL_COMMAND })], home);
      const why1 = describeRun("codex exec", r1, gw.logs());
      expect(r1.code, why1).toBe(0);
      const first = upstreamCalls(gw.mock).slice();
      expect(new Set(first.map(accountOf)).size, why1).toBe(1);

      const limited = limitMidLoop(first);
      const n = upstreamCalls(gw.mock).length;
      const r2 = await codex(["resume", "--last", toolPrompt("exec_command", { cmd: TOOL_COMMAND })], home);
      const why2 = describeRun("codex exec resume", r2, gw.logs());
      expect(r2.code, why2).toBe(0);
      const evs = events(r2.stdout);
      expect(evs.some((e) => e.type === "turn.failed" || e.type === "error"), why2).toBe(false);
      expect(evs.find((e) => e.type === "item.completed" && e.item?.type === "command_execution")?.item.aggregated_output, why2).toContain(TOOL_OUTPUT);
      expect(evs.filter((e) => e.item?.type === "agent_message").map((e) => e.item.text), why2).toEqual([MOCK_TEXT]);
      const second = upstreamCalls(gw.mock).slice(n);
      expectMoved(second, limited, why2);
      // The same session on both turns: resume sent the thread it continues.
      expect(second[0].body.prompt_cache_key, why2).toBe(first[0].body.prompt_cache_key);
    },
    240_000,
  );
});

describe("Claude Code", () => {
  async function claude(args: string[], home: string) {
    mkdirSync(join(home, ".claude"), { recursive: true });
    const env = { ...claudeEnv(home, gw.url), ANTHROPIC_API_KEY: gw.key };
    const r = await runClient([join(BIN, "claude"), "-p", "--output-format", "json", "--model", "sonnet", "--allowedTools", "Bash", ...args], { env, cwd: home, timeoutMs: 90_000 });
    let result: any;
    try {
      result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "");
    } catch {
      result = undefined;
    }
    return { r, result };
  }
  const bash = () => toolPrompt("Bash", { command: TOOL_COMMAND, description: "Print a word" });
  const main = (calls: RecordedRequest[]) => calls.filter((c) => c.body?.tools?.some((t: any) => t.name === "Bash"));

  test.skipIf(!claudeWorks.ok)(
    "claude -p, then --resume: the serving account hits its usage limit mid tool loop, the session carries on",
    async () => {
      const home = join(work.dir, "claude");
      gw.mock.reset();
      const t1 = await claude(["--", bash()], home);
      const why1 = describeRun("claude -p", t1.r, gw.logs());
      expect(t1.r.code, why1).toBe(0);
      expect(t1.result?.is_error, why1).toBe(false);
      const sessionId = t1.result?.session_id;
      expect(typeof sessionId, why1).toBe("string");
      const first = main(upstreamCalls(gw.mock).slice());
      expect(new Set(first.map(accountOf)).size, why1).toBe(1);

      const limited = limitMidLoop(first);
      const n = upstreamCalls(gw.mock).length;
      const t2 = await claude(["--resume", sessionId, "--", bash()], home);
      const why2 = describeRun("claude -p --resume", t2.r, gw.logs());
      expect(t2.r.code, why2).toBe(0);
      expect(t2.result?.is_error, why2).toBe(false);
      expect(t2.result?.result, why2).toBe(MOCK_TEXT);
      const second = main(upstreamCalls(gw.mock).slice(n));
      expectMoved(second, limited, why2);
      expect(JSON.stringify(second.at(-1)!.body.input), why2).toContain(TOOL_OUTPUT);
    },
    240_000,
  );
});
