/**
 * Preloaded into codex-proapi by the benchmark (`node --import ./redirect.mjs …/src/index.js`):
 * the peer has its backend URL hard-coded (src/proxy.js: BACKEND_URL =
 * https://chatgpt.com/backend-api/codex/responses) and no setting for it, so its fetch calls to
 * that URL are sent to the mock upstream named by BENCH_CODEX_BACKEND instead. One string
 * comparison per request; the peer's own code runs unchanged.
 */
const FROM = "https://chatgpt.com/backend-api/codex";
const to = process.env.BENCH_CODEX_BACKEND;
if (!to) throw new Error("BENCH_CODEX_BACKEND is not set");
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => realFetch(typeof input === "string" && input.startsWith(FROM) ? to + input.slice(FROM.length) : input, init);
