import { digestOf } from "../util/hash.ts";
import baseCss from "./shared/base.css" with { type: "text" };
import commonJs from "./shared/common.web.js" with { type: "text" };
import dashboardHtml from "./dashboard.html" with { type: "text" };
import dashboardCss from "./dashboard/dashboard.css" with { type: "text" };
import dashI18n from "./dashboard/i18n.web.js" with { type: "text" };
import dashApp from "./dashboard/app.web.js" with { type: "text" };
import dashChart from "./dashboard/chart.web.js" with { type: "text" };
import dashOverview from "./dashboard/overview.web.js" with { type: "text" };
import dashAccounts from "./dashboard/accounts.web.js" with { type: "text" };
import dashKeys from "./dashboard/keys.web.js" with { type: "text" };
import dashUsage from "./dashboard/usage.web.js" with { type: "text" };
import dashRequests from "./dashboard/requests.web.js" with { type: "text" };
import portalHtml from "./portal.html" with { type: "text" };
import portalCss from "./portal/portal.css" with { type: "text" };
import portalI18n from "./portal/i18n.web.js" with { type: "text" };
import portalApp from "./portal/app.web.js" with { type: "text" };

/** A page embedded in the binary, with the CSP that allows exactly its own inline script and style. */
export interface Page {
  html: string;
  csp: string;
}

const sha = (s: string) => `'sha256-${digestOf(s, "base64")}'`;

/**
 * CSP by hash instead of 'unsafe-inline': the one <script> and the one <style> of the page are
 * allowed, nothing injected later is. Dynamic widths are set through the CSSOM, which CSP does
 * not restrict.
 */
export function pageCsp(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => sha(m[1]));
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha(m[1]));
  return [
    "default-src 'self'",
    `script-src ${scripts.join(" ") || "'none'"}`,
    `style-src ${styles.join(" ") || "'none'"}`,
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * One self-contained page from its parts: the styles become its one <style>, the scripts (which
 * share one scope, in order) its one <script>. Nothing is fetched at run time, so it works offline.
 */
export function assemble(html: string, styles: string[], scripts: string[]): string {
  const style = `<style>\n${styles.join("\n")}\n</style>`;
  const script = `<script>\n(() => {\n"use strict";\n${scripts.join("\n")}\nstart();\n})();\n</script>`;
  if (!html.includes("<!--STYLE-->") || !html.includes("<!--SCRIPT-->")) throw new Error("page template needs <!--STYLE--> and <!--SCRIPT-->");
  return html.replace("<!--STYLE-->", () => style).replace("<!--SCRIPT-->", () => script);
}

// `with { type: "text" }` yields the file's text (bun-types declares *.html as an HTML bundle).
const text = (v: unknown) => v as string;
const page = (html: string): Page => ({ html, csp: pageCsp(html) });

// Assembled and hashed on the first visit, not at import: every start paid ~2 ms for pages most never serve.
let dashboard: Page | undefined;
let portal: Page | undefined;
export function dashboardPage(): Page {
  return (dashboard ??= page(
    assemble(text(dashboardHtml), [baseCss, dashboardCss], [commonJs, dashI18n, dashChart, dashApp, dashOverview, dashAccounts, dashKeys, dashUsage, dashRequests].map(text)),
  ));
}
export function portalPage(): Page {
  return (portal ??= page(assemble(text(portalHtml), [baseCss, portalCss], [commonJs, portalI18n, portalApp].map(text))));
}
