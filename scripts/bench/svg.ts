/** The soak's RSS curve (and open fds) as a small hand-written SVG line chart, shown in the README. */
import type { SoakResult } from "./results-extra.ts";

const W = 760;
const H = 300;
const PAD = { left: 58, right: 58, top: 34, bottom: 42 };

/** 1, 2 or 5 × a power of ten, so that about `n` ticks span `max`. */
function step(max: number, n = 5): number {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function soakSvg(k: SoakResult, title: string): string {
  const pts = k.samples;
  const tMax = Math.max(1, ...pts.map((p) => p.t));
  const minutes = tMax >= 180;
  const tUnit = minutes ? 60 : 1;
  const rss = pts.map((p) => p.rssKb / 1024);
  const rssTop = Math.max(...rss, 1) * 1.15;
  const fdTop = Math.max(...pts.map((p) => p.fds), 1) * 1.15;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (t / tMax) * iw;
  const yRss = (mb: number) => PAD.top + ih - (mb / rssTop) * ih;
  const yFd = (n: number) => PAD.top + ih - (n / fdTop) * ih;
  const line = (ys: number[]) => pts.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${ys[i].toFixed(1)}`).join("");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>`,
  ];
  const rs = step(rssTop);
  for (let v = 0; v <= rssTop; v += rs) {
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${yRss(v).toFixed(1)}" y2="${yRss(v).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${(yRss(v) + 4).toFixed(1)}" text-anchor="end" fill="#1f5fa8">${v}</text>`);
  }
  const fs = step(fdTop);
  for (let v = 0; v <= fdTop; v += fs) out.push(`<text x="${W - PAD.right + 6}" y="${(yFd(v) + 4).toFixed(1)}" fill="#c0641a">${v}</text>`);
  const ts = step(tMax / tUnit, 8);
  for (let v = 0; v <= tMax / tUnit + 1e-9; v += ts) {
    const px = x(v * tUnit);
    out.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${PAD.top + ih}" y2="${PAD.top + ih + 4}" stroke="#555"/>`);
    out.push(`<text x="${px.toFixed(1)}" y="${PAD.top + ih + 16}" text-anchor="middle">${Number(v.toFixed(2))}</text>`);
  }
  out.push(`<text x="${PAD.left + iw / 2}" y="${H - 8}" text-anchor="middle">time under load (${minutes ? "minutes" : "seconds"})</text>`);
  out.push(`<text transform="translate(14 ${PAD.top + ih / 2}) rotate(-90)" text-anchor="middle" fill="#1f5fa8">RSS (MB)</text>`);
  out.push(`<text transform="translate(${W - 12} ${PAD.top + ih / 2}) rotate(90)" text-anchor="middle" fill="#c0641a">open fds</text>`);
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${iw}" height="${ih}" fill="none" stroke="#999"/>`);
  const wx = x(k.warmupMs / 1000);
  out.push(`<line x1="${wx.toFixed(1)}" x2="${wx.toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + ih}" stroke="#888" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${(wx + 4).toFixed(1)}" y="${PAD.top + 12}" fill="#666">end of warm-up</text>`);
  if (pts.length) {
    out.push(`<path d="${line(pts.map((p) => yFd(p.fds)))}" fill="none" stroke="#c0641a" stroke-width="1.2" stroke-dasharray="3 2"/>`);
    out.push(`<path d="${line(rss.map(yRss))}" fill="none" stroke="#1f5fa8" stroke-width="2"/>`);
  }
  const verdict = `RSS ${(k.rssRefKb / 1024).toFixed(1)} → ${(k.rssEndKb / 1024).toFixed(1)} MB after warm-up (${k.rssGrowthPct >= 0 ? "+" : ""}${k.rssGrowthPct.toFixed(1)}%); fds ${k.fdRef} → ${k.fdEnd}`;
  out.push(`<text x="${PAD.left + 6}" y="${PAD.top + ih - 8}" fill="#333">${esc(verdict)}</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
