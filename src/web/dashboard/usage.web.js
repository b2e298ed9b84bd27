// ---------- Usage: requests, tokens and cost over time (stacked), and the table by key / account / model / day / hour ----------
function usageRange() {
  const days = Number($("#usage-range").value);
  const from = todayStart() - (days - 1) * UTC_DAY;
  return { days, from };
}
async function loadUsage() {
  const { days, from } = usageRange();
  const [table, chart] = await Promise.all([
    api("/admin/usage" + query({ from, group_by: $("#usage-group").value })),
    api("/admin/usage" + query({ from, group_by: days > 7 ? "day" : "hour", series: $("#usage-series").value })),
  ]);
  data.usageTable = table;
  data.usageChart = chart;
}
for (const id of ["#usage-range", "#usage-group", "#usage-series"]) $(id).addEventListener("change", () => { data.usageTable = data.usageChart = null; render(); refresh(); });
$("#usage-metric").addEventListener("change", () => render());

function usageGroupText(g, by) {
  if (by === "hour") return fmtDate(g, false);
  return g || t("chart.none");
}
function renderUsage() {
  const by = $("#usage-group").value;
  $("#usage-group-col").textContent = t("col." + by);
  drawChart($("#usage-chart"), data.usageChart, $("#usage-metric").value, $("#usage-series").value);
  const u = data.usageTable;
  const labels = ["col." + by, "col.requests", "col.errors", "col.input", "col.cached", "col.output", "col.reasoning", "col.cost"].map((k) => t(k));
  const td = (i, text, cls) => h("td", { class: cls || "num", "data-label": labels[i], text });
  const line = (r, key, total) => h("tr", { class: total ? "total" : "", dataset: { key } },
    td(0, total ? t("usage.total") : usageGroupText(r.group, by), "grp"), td(1, fmtN(r.requests)), td(2, fmtN(r.errors)), td(3, fmtN(r.input_tokens)),
    td(4, fmtN(r.cached_tokens)), td(5, fmtN(r.output_tokens)), td(6, fmtN(r.reasoning_tokens)), td(7, r.cost === null || r.cost === undefined ? "–" : fmtCost(r.cost)));
  if (!u) return patch("#usage-rows", h("tr", {}, h("td", { colspan: "8", class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading"))));
  const rows = u.rows.map((r) => line(r, "g:" + r.group));
  if (rows.length) rows.push(line(u.totals, "total", true));
  patch("#usage-rows", ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "8", class: "empty", text: t("empty") }))]));
}
