/**
 * The real opencode (`opencode-ai`) against the gateway's Chat Completions surface (docs/clients.md
 * C6.12): a custom provider on the bundled `@ai-sdk/openai-compatible` package, autoupdate, model
 * catalog fetch, sharing and LSP downloads off, isolated XDG dirs. `opencode run` runs its bash
 * tool once and finishes with the mock's answer.
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
const works = await cliWorks("opencode");

beforeAll(async () => {
  gw = await startTestGateway();
  proxy = recordingProxy(gw.url);
  work = tempDir("cg-opencode-");
});
afterAll(async () => {
  proxy?.stop();
  await gw?.stop();
  work?.remove();
});

/** The opencode.json a user would write for the gateway (README "Clients"). */
function opencodeConfig(baseURL: string) {
  return {
    $schema: "https://opencode.ai/config.json",
    provider: {
      gateway: {
        npm: "@ai-sdk/openai-compatible",
        name: "codex-gateway",
        options: { baseURL, apiKey: "{env:CODEX_GATEWAY_KEY}" },
        models: { "gpt-5.5": { name: "GPT-5.5 (codex-gateway)" } },
      },
    },
    model: "gateway/gpt-5.5",
    autoupdate: false,
    share: "disabled",
    permission: { bash: "allow" },
  };
}

let runs = 0;
async function opencode(words: string[]): Promise<{ r: RunResult; why: string }> {
  const home = join(work.dir, `run${++runs}`);
  const project = join(home, "project");
  mkdirSync(project, { recursive: true });
  const config = join(home, "opencode.json");
  writeFileSync(config, JSON.stringify(opencodeConfig(`${proxy.url}/v1`), null, 2));
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_STATE_HOME: join(home, ".local/state"),
    OPENCODE_CONFIG: config,
    CODEX_GATEWAY_KEY: gw.key,
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
    OPENCODE_DISABLE_CLAUDE_CODE: "1",
  };
  // `opencode run` puts quotes around any argument that contains a space, so the prompt goes in
  // word by word to arrive unchanged.
  const r = await runClient([join(BIN, "opencode"), "run", "--format", "json", "-m", "gateway/gpt-5.5", "--", ...words], { env, cwd: project, timeoutMs: 90_000 });
  return { r, why: describeRun("opencode run", r, gw.logs()) };
}

function events(stdout: string): any[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

test.skipIf(!works.ok)(
  "opencode run: the bash tool through Chat Completions, then the answer",
  async () => {
    const seen = proxy.seen.length;
    const before = upstreamCalls(gw.mock).length;
    const { r, why } = await opencode(toolPrompt("bash", { command: TOOL_COMMAND, description: "Print a word" }).split(" "));
    expect(r.timedOut, why).toBe(false);
    expect(r.code, why).toBe(0);

    const evs = events(r.stdout);
    const tool = evs.find((e) => e.type === "tool_use")?.part;
    expect(tool?.tool, why).toBe("bash");
    expect(tool?.state?.status, why).toBe("completed");
    expect(tool?.state?.output, why).toContain(TOOL_OUTPUT);
    expect(evs.filter((e) => e.type === "text").map((e) => e.part.text), why).toEqual([MOCK_TEXT]);
    expect(evs.filter((e) => e.type === "step_finish").map((e) => e.part.reason), why).toEqual(["tool-calls", "stop"]);

    const sent = proxy.seen.slice(seen).filter((s) => s.method === "POST");
    expect(sent.length, why).toBeGreaterThan(0);
    for (const s of sent) {
      expect(s.path, why).toBe("/v1/chat/completions");
      expect(s.headers.authorization, why).toBe(`Bearer ${gw.key}`);
    }

    // Besides a title request (no tools), two turns: the call, then the answer to its result.
    const turns = upstreamCalls(gw.mock).slice(before).filter((c) => c.body.tools?.some((t: any) => t.name === "bash"));
    expect(turns.length, why).toBe(2);
    const call = inputItems(turns[1]!, "function_call")[0];
    expect(call?.name, why).toBe("bash");
    expect(JSON.parse(call.arguments).command).toBe(TOOL_COMMAND);
    const out = inputItems(turns[1]!, "function_call_output")[0];
    expect(out?.call_id, why).toBe(call.call_id);
    expect(JSON.stringify(out.output), why).toContain(TOOL_OUTPUT);
  },
  120_000,
);

test("opencode is installed and runs", () => {
  expect(works.ok ? "ok" : works.reason).toBe("ok");
});
