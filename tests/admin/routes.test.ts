import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { buildApp } from "../../src/app.ts";
import type { AdminAuthConfig } from "../../src/admin/types.ts";
import { createMetrics } from "../../src/observe/metrics.ts";
import { metricsRoutes } from "../../src/routes/metrics.ts";
import { webRoutes } from "../../src/routes/web.ts";
import { fakeRuntime } from "../helpers/fakes.ts";
import { ADMIN_SHA, ADMIN_TOKEN, adminRequest } from "./fakes.ts";
import { parseExposition } from "./exposition.ts";

function metricsApp(auth: AdminAuthConfig) {
  const metrics = createMetrics();
  metrics.requests.inc({ surface: "chat", model: "gpt-5", status: "200", key: "alice" });
  return buildApp(fakeRuntime(), [metricsRoutes({ metrics, admin: () => auth })]);
}

describe("GET /metrics", () => {
  const cases: { name: string; auth: AdminAuthConfig; init: Parameters<typeof adminRequest>[1]; status: number }[] = [
    { name: "loopback, no token → open", auth: { tokenSha256: ADMIN_SHA, allowRemote: false }, init: { token: null }, status: 200 },
    { name: "loopback, no admin token configured → open", auth: { allowRemote: false }, init: { token: null }, status: 200 },
    { name: "remote, no token → 401", auth: { tokenSha256: ADMIN_SHA, allowRemote: false }, init: { ip: "10.1.2.3", token: null }, status: 401 },
    { name: "remote, wrong token → 401", auth: { tokenSha256: ADMIN_SHA, allowRemote: false }, init: { ip: "10.1.2.3", token: "wrong-wrong-wrong-wrong" }, status: 401 },
    { name: "remote, admin token → 200 (allow_remote not needed for scrapes)", auth: { tokenSha256: ADMIN_SHA, allowRemote: false }, init: { ip: "10.1.2.3" }, status: 200 },
    { name: "remote, no admin token configured → 403", auth: { allowRemote: true }, init: { ip: "10.1.2.3", token: null }, status: 403 },
    { name: "proxied loopback → needs the token", auth: { tokenSha256: ADMIN_SHA, allowRemote: false }, init: { token: null, headers: { forwarded: "for=198.51.100.1" } }, status: 401 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const res: Response = await metricsApp(c.auth).handle(adminRequest("/metrics", c.init));
      expect(res.status).toBe(c.status);
      const text = await res.text();
      if (c.status === 200) {
        expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
        expect(parseExposition(text).get("codex_gateway_requests_total")!.samples.length).toBe(1);
      } else {
        expect(text).not.toContain("codex_gateway_");
      }
    });
  }
});

describe("web pages", () => {
  const app = buildApp(fakeRuntime(), [webRoutes()]);
  for (const path of ["/", "/portal"]) {
    test(`${path}: embedded HTML with security headers and a CSP that allows exactly its inline script and style`, async () => {
      const res: Response = await app.handle(new Request(`http://localhost${path}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await res.text();
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
      const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
      expect(csp).toContain(`script-src ${sha(script)}`);
      expect(csp).toContain(`style-src ${sha(style)}`);
      // No CDN, no external fonts or scripts, no inline style attributes (blocked by the CSP).
      expect(html).not.toMatch(/(src|href)=["']https?:/);
      expect(html).not.toMatch(/@import|url\(http/);
      expect(html).not.toMatch(/\sstyle=["']/);
      expect(html).not.toContain(ADMIN_TOKEN);
    });
  }

  test("the dashboard carries both languages", async () => {
    const html = await (await app.handle(new Request("http://localhost/"))).text();
    for (const s of ["Accounts", "账号", "Add account", "添加账号", "Cooling down", "冷却中"]) expect(html).toContain(s);
  });
});
