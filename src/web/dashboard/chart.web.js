// ---------- stacked bar charts (hand-written SVG: no library, works offline, CSP-clean) ----------
const PALETTE = ["#0969da", "#1a7f37", "#bf3989", "#b35900", "#8250df", "#cf222e", "#1b7c83", "#6e7781"];
const METRICS = ["requests", "tokens", "cost"];
const SERIES = ["key", "account", "model"];
const MAX_SERIES = 7;

function fillChartSelects() {
  for (const id of ["#ov-metric", "#usage-metric"]) {
    const el = $(id), v = el.value || "requests";
    el.replaceChildren(...METRICS.map((m) => h("option", { value: m, text: t("metric." + m) })));
    el.value = v;
  }
  for (const id of ["#ov-series", "#usage-series"]) {
    const el = $(id), v = el.value || "key";
    el.replaceChildren(...SERIES.map((m) => h("option", { value: m, text: t("col." + m) })));
    el.value = v;
  }
}
const metricOf = (r, m) => (m === "tokens" ? r.total_tokens : m === "cost" ? r.cost || 0 : r.requests) || 0;
const fmtMetric = (v, m) => (m === "cost" ? fmtCost(v) : fmtN(Math.round(v)));

/** "14:00" for an hour bucket (local), "03-01" for a UTC day; the first label and each midnight show the date. */
function bucketLabel(b, first) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(b)) return b.slice(5);
  const d = new Date(b);
  const hm = pad2(d.getHours()) + ":00";
  return first || d.getHours() === 0 ? pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " + hm : hm;
}
/** A round tick step for about four grid lines (1, 2, 5 × 10^n; whole numbers unless the metric is cost). */
function niceStep(v, whole) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((x) => x >= v) || 10 * p;
  return whole ? Math.max(1, Math.round(step)) : step;
}

/**
 * Draws `answer` (GET /admin/usage with group_by day|hour and series) into `el` as bars stacked
 * by series; only redrawn when the data, metric, size or language changed.
 */
function drawChart(el, answer, metric, seriesBy) {
  const width = Math.max(280, Math.floor(el.clientWidth || 800));
  const sig = JSON.stringify([answer && answer.rows, answer && answer.buckets, metric, width, lang]);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  if (!answer) return el.replaceChildren(h("p", { class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading")));
  const buckets = answer.buckets || [];
  const totals = new Map();
  for (const r of answer.rows) totals.set(r.series, (totals.get(r.series) || 0) + metricOf(r, metric));
  const ranked = [...totals.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const shown = ranked.slice(0, MAX_SERIES);
  const other = ranked.length > MAX_SERIES;
  const names = other ? [...shown, "\u0000other"] : shown;
  const cell = new Map();
  for (const r of answer.rows) {
    const name = shown.includes(r.series) ? r.series : "\u0000other";
    const k = r.group + "\u0001" + name;
    cell.set(k, (cell.get(k) || 0) + metricOf(r, metric));
  }
  const label = (n) => (n === "\u0000other" ? t("chart.other") : n || t("chart.none"));
  if (!names.length) return el.replaceChildren(h("p", { class: "empty", text: t("chart.empty") }));
  const stackTotals = buckets.map((b) => names.reduce((sum, n) => sum + (cell.get(b + "\u0001" + n) || 0), 0));
  const tick = niceStep(Math.max(...stackTotals) / 4, metric !== "cost");
  const ticks = Math.max(1, Math.ceil(Math.max(...stackTotals) / tick));
  const max = tick * ticks;
  const H = 240, left = 56, right = 8, top = 10, bottom = 24, plotW = width - left - right, plotH = H - top - bottom;
  const step = plotW / Math.max(1, buckets.length), barW = Math.max(1, step * 0.78);
  const y = (v) => top + plotH - (v / max) * plotH;
  const svg = s("svg", { width, height: H, viewBox: "0 0 " + width + " " + H, role: "img",
    "aria-label": t("chart.label", { m: t("metric." + metric), s: t("col." + seriesBy), from: buckets.length ? bucketLabel(buckets[0], true) : "", to: buckets.length ? bucketLabel(buckets[buckets.length - 1], true) : "" }) });
  for (let i = 0; i <= ticks; i++) {
    const v = tick * i;
    svg.append(s("line", { class: "grid-line", x1: left, x2: width - right, y1: y(v), y2: y(v) }), s("text", { class: "axis", x: left - 6, y: y(v) + 4, "text-anchor": "end" }, fmtMetric(v, metric)));
  }
  const every = Math.max(1, Math.ceil(buckets.length / Math.max(2, Math.floor(plotW / 64))));
  buckets.forEach((b, i) => {
    const x = left + i * step + (step - barW) / 2;
    let acc = 0;
    names.forEach((n, j) => {
      const v = cell.get(b + "\u0001" + n) || 0;
      if (!v) return;
      const y0 = y(acc), y1 = y(acc + v);
      acc += v;
      svg.append(s("rect", { x: x.toFixed(1), y: y1.toFixed(1), width: barW.toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1), fill: PALETTE[j % PALETTE.length] },
        s("title", {}, bucketLabel(b, true) + " · " + label(n) + ": " + fmtMetric(v, metric))));
    });
    if (i % every === 0) svg.append(s("text", { class: "axis", x: (x + barW / 2).toFixed(1), y: H - 6, "text-anchor": "middle" }, bucketLabel(b, i === 0)));
  });
  const legend = h("div", { class: "legend" }, names.map((n, j) => h("span", {}, h("i", { style: { background: PALETTE[j % PALETTE.length] } }), label(n) + " · " + fmtMetric(totals.get(n) ?? [...totals].filter(([k]) => !shown.includes(k)).reduce((a, [, v]) => a + v, 0), metric))));
  el.replaceChildren(svg, legend);
}
window.addEventListener("resize", () => { clearTimeout(drawChart.t); drawChart.t = setTimeout(render, 150); });
