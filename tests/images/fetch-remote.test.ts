/**
 * Remote image URLs fetched and inlined (src/images/), and the SSRF guard around it: a real HTTP
 * server on 127.0.0.1 must be refused without a single request reaching it; a DNS name that
 * resolves to a private address (injected resolver) is refused before any connection; a redirect
 * to an internal address is refused; size, type and time limits hold.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchRemoteImage, inlineRemoteImages, isForbiddenAddress, type RemoteImageOptions } from "../../src/images/index.ts";
import { GatewayError } from "../../src/errors.ts";
import type { CodexRequest } from "../../src/codex/types.ts";

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');

let hits = 0;
let server: ReturnType<typeof Bun.serve>;
let local: string;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      hits++;
      const path = new URL(req.url).pathname;
      if (path === "/png") return new Response(PNG, { headers: { "content-type": "application/octet-stream" } });
      if (path === "/svg") return new Response(SVG, { headers: { "content-type": "image/svg+xml" } });
      if (path === "/big") return new Response(new Uint8Array(64 * 1024), { headers: { "content-type": "image/png" } });
      if (path === "/slow") return new Promise((r) => setTimeout(() => r(new Response(PNG)), 2000));
      if (path === "/to-metadata") return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } });
      if (path === "/to-png") return new Response(null, { status: 301, headers: { location: "/png" } });
      if (path === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
      if (path === "/missing") return new Response("no", { status: 404 });
      return new Response("?", { status: 404 });
    },
  });
  local = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

/** A public-looking host whose connections actually land on the local test server. */
const PUBLIC = "93.184.216.34";
function publicOptions(over: Partial<RemoteImageOptions> = {}): RemoteImageOptions {
  return {
    maxBytes: 32 * 1024,
    timeoutMs: 1000,
    lookup: async (host) => (host === "img.example" ? [PUBLIC] : host === "internal.example" ? ["10.0.0.7"] : host === "mixed.example" ? [PUBLIC, "192.168.1.9"] : []),
    // The connection to the vetted public address is routed to the local server.
    fetch: (url, init) => fetch(url.replace(`//${PUBLIC}`, `//127.0.0.1:${server.port}`).replace(/:\d+:\d+/, `:${server.port}`), init),
    ...over,
  };
}

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("not refused");
}

describe("the address guard", () => {
  const refused = ["127.0.0.1", "127.255.0.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.10", "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1", "255.255.255.255", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:0a00:0001::1", "ff02::1", "not-an-ip"];
  const allowed = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"];
  for (const a of refused) test(`refused: ${a}`, () => expect(isForbiddenAddress(a)).toBe(true));
  for (const a of allowed) test(`allowed: ${a}`, () => expect(isForbiddenAddress(a)).toBe(false));
});

describe("fetchRemoteImage", () => {
  test("a local server on 127.0.0.1 is refused, and never reached", async () => {
    const before = hits;
    for (const url of [`${local}/png`, `http://localhost:${server.port}/png`, `http://[::1]:${server.port}/png`, `http://2130706433:${server.port}/png`, `http://0x7f.1:${server.port}/png`]) {
      const err = await refusal(fetchRemoteImage(url, { maxBytes: 1 << 20, timeoutMs: 1000 }));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/internal address|does not resolve/);
    }
    expect(hits).toBe(before);
  });

  test("a DNS name resolving to a private address is refused before any connection", async () => {
    let fetched = 0;
    const o = publicOptions({ fetch: async () => (fetched++, new Response(PNG)) });
    for (const host of ["internal.example", "mixed.example", "nowhere.example"]) {
      const err = await refusal(fetchRemoteImage(`http://${host}/png`, o));
      expect(err.code).toBe("invalid_image_url");
    }
    expect(fetched).toBe(0);
  });

  test("a public address: fetched, type read from the bytes, inlined as a data URL", async () => {
    const got = await fetchRemoteImage("http://img.example/png", publicOptions());
    expect(got).toEqual({ dataUrl: `data:image/png;base64,${PNG.toString("base64")}` });
  });

  test("plain http connects to the checked address, with the host name in the Host header", async () => {
    const seen: { url: string; host?: string }[] = [];
    await fetchRemoteImage("http://img.example:8080/png", publicOptions({ fetch: async (url, init) => (seen.push({ url, host: (init.headers as Record<string, string>).host }), new Response(PNG)) }));
    expect(seen).toEqual([{ url: `http://${PUBLIC}:8080/png`, host: "img.example:8080" }]);
  });

  test("redirects are checked hop by hop: to a metadata address refused, to the same public host followed", async () => {
    const err = await refusal(fetchRemoteImage("http://img.example/to-metadata", publicOptions()));
    expect(err.message).toContain("internal address");
    expect(await fetchRemoteImage("http://img.example/to-png", publicOptions())).toHaveProperty("dataUrl");
    expect((await refusal(fetchRemoteImage("http://img.example/loop", publicOptions()))).message).toContain("too many redirects");
  });

  test("size, time and status limits; unsupported types become a placeholder", async () => {
    expect((await refusal(fetchRemoteImage("http://img.example/big", publicOptions()))).message).toContain("larger than");
    expect((await refusal(fetchRemoteImage("http://img.example/slow", publicOptions({ timeoutMs: 200 })))).message).toContain("did not arrive");
    expect((await refusal(fetchRemoteImage("http://img.example/missing", publicOptions()))).message).toContain("answered 404");
    expect(await fetchRemoteImage("http://img.example/svg", publicOptions())).toEqual({ unsupported: "image/svg+xml" });
  });

  test("other schemes and credentials are refused", async () => {
    for (const url of ["ftp://img.example/a.png", "file:///etc/passwd", "http://user:pw@img.example/png", "gopher://img.example/"]) {
      expect((await refusal(fetchRemoteImage(url, publicOptions()))).status).toBe(400);
    }
  });
});

describe("inlineRemoteImages (the pipeline step)", () => {
  test("message and tool-output images are inlined; data URLs and text are untouched; one fetch per URL", async () => {
    let fetched = 0;
    const o = publicOptions({ fetch: async () => (fetched++, new Response(PNG)) });
    const body: CodexRequest = {
      model: "m",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "look" }, { type: "input_image", image_url: "https://img.example/a.png", detail: "auto" }, { type: "input_image", image_url: "data:image/png;base64,AAAA" }] },
        { type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "https://img.example/a.png" }] },
      ],
    };
    await inlineRemoteImages(body, o);
    const parts = body.input[0]!.content as any[];
    expect(parts[1]).toEqual({ type: "input_image", image_url: `data:image/png;base64,${PNG.toString("base64")}`, detail: "auto" });
    expect(parts[2].image_url).toBe("data:image/png;base64,AAAA");
    expect((body.input[1]!.output as any[])[0].image_url.startsWith("data:image/png;base64,")).toBe(true);
    expect(fetched).toBe(1);
  });

  test("an unsupported type becomes the translators' text placeholder", async () => {
    const body: CodexRequest = { model: "m", input: [{ type: "message", role: "user", content: [{ type: "input_image", image_url: "http://img.example/svg" }] }] };
    await inlineRemoteImages(body, publicOptions());
    expect((body.input[0]!.content as any[])[0]).toEqual({ type: "input_text", text: "[image image/svg+xml omitted: unsupported format]" });
  });
});
