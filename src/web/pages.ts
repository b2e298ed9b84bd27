import { createHash } from "node:crypto";
import dashboardHtml from "./dashboard.html" with { type: "text" };
import portalHtml from "./portal.html" with { type: "text" };

/** A page embedded in the binary, with the CSP that allows exactly its own inline script and style. */
export interface Page {
  html: string;
  csp: string;
}

const sha = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;

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
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

// `with { type: "text" }` yields the file's text (bun-types declares *.html as an HTML bundle).
const page = (html: unknown): Page => ({ html: html as string, csp: pageCsp(html as string) });

export const DASHBOARD: Page = page(dashboardHtml);
export const PORTAL: Page = page(portalHtml);
