/**
 * Fixture cases: one folder per case under tests/fixtures/ (see README "Replay fixtures").
 *
 *   upstream.sse                 the upstream body, byte for byte as on the wire
 *   case.json                    optional: notes, source, options (below)
 *   <surface>.request.json       the client request; its presence makes the surface apply
 *   <surface>.stream.expected    the client bytes of the streamed answer
 *   <surface>.json.expected      the non-stream answer: {status, headers?, body}
 *   gemini.array.expected        Gemini's JSON-array stream (when case.json says gemini.array)
 *
 * <surface> is responses | chat | anthropic | gemini.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReasoningOutput } from "../../src/translate/types.ts";
import type { RunOptions } from "./harness.ts";
import { SURFACE_IDS, type SurfaceId } from "./surfaces.ts";

export const FIXTURES_DIR = join(import.meta.dir, "..", "fixtures");

export interface CaseMeta {
  /** What the case is about, in a sentence or two. */
  notes?: string;
  /** Where the upstream bytes come from (hand-written after a spec section, a recording, a CLI fixture). */
  source?: string;
  /** How chat-style surfaces show reasoning; default "content" (the per-key default). */
  reasoningOutput?: ReasoningOutput;
  gemini?: {
    /** The model in the URL path (default gemini-2.5-pro). */
    model?: string;
    /** Also replay with the JSON-array framing (no `?alt=sse`). */
    array?: boolean;
  };
  /** Client request headers, by surface (e.g. `{"responses": {"originator": "codex_exec"}}`). */
  headers?: Partial<Record<"responses" | "chat" | "anthropic" | "gemini", Record<string, string>>>;
  /** SDK oracle checks that do not apply, by surface, with the reason (e.g. a stream meant for the Codex CLI). */
  noSdkOracle?: Partial<Record<"responses" | "chat" | "anthropic" | "gemini", string>>;
  /** Event types the pipeline must count as unknown (protocol drift); default none. */
  unknownEvents?: string[];
  /**
   * Default true: every event carries a strictly increasing `sequence_number`, as the live backend
   * sends. Set false for streams copied from the Codex CLI's test fixtures, which have none.
   */
  sequenceNumbers?: boolean;
  /**
   * Oracle checks (oracles.test.ts) known to fail today, by surface, with the reason. They run as
   * `test.failing`, so fixing the reducer turns them red until the entry is removed.
   */
  knownIssues?: Partial<Record<"responses" | "chat" | "anthropic" | "gemini", string>>;
}

export interface FixtureCase {
  name: string;
  dir: string;
  bytes: Uint8Array;
  meta: CaseMeta;
  /** Surfaces with a request file, with the parsed request. */
  requests: Partial<Record<SurfaceId, unknown>>;
}

export function loadCases(dir = FIXTURES_DIR): FixtureCase[] {
  if (!existsSync(dir)) return [];
  const cases: FixtureCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    const caseDir = join(dir, name);
    const sse = join(caseDir, "upstream.sse");
    if (!existsSync(sse)) continue;
    const metaFile = join(caseDir, "case.json");
    const meta: CaseMeta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, "utf8")) : {};
    const requests: FixtureCase["requests"] = {};
    for (const id of SURFACE_IDS) {
      const f = join(caseDir, `${id}.request.json`);
      if (existsSync(f)) requests[id] = JSON.parse(readFileSync(f, "utf8"));
    }
    cases.push({ name, dir: caseDir, bytes: new Uint8Array(readFileSync(sse)), meta, requests });
  }
  return cases;
}

/** The replay options a case asks for (defaults: reasoning as content, gemini-2.5-pro). */
export function optionsOf(c: FixtureCase): RunOptions {
  return { reasoningOutput: c.meta.reasoningOutput ?? "content", geminiModel: c.meta.gemini?.model ?? "gemini-2.5-pro", headers: c.meta.headers as RunOptions["headers"] };
}
