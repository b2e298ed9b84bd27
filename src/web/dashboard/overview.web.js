// ---------- Overview: today's numbers (the same usage data as the Usage page), 24 h chart, account quota, config, errors ----------
async function loadOverviewChart() {
  const from = Math.floor(serverNow() / 3600000) * 3600000 - 23 * 3600000;
  data.ovChart = await api("/admin/usage" + query({ group_by: "hour", series: $("#ov-series").value, from }));
}
for (const id of ["#ov-metric", "#ov-series"]) $(id).addEventListener("change", () => (id === "#ov-series" ? refresh() : render()));

function stat(key, value, label, cls, note) {
  return h("div", { class: "card stat", dataset: { key } }, h("div", { class: "v " + (cls || "") }, value), h("div", { class: "l", text: label }), note ? h("div", { class: "small muted", text: note }) : null);
}
function renderOverview() {
  const accounts = data.accounts, keys = data.keys, today = data.today && data.today.totals;
  const loading = (v) => (v === null || v === undefined ? "…" : v);
  const usable = accounts ? accounts.filter((a) => a.state === "ok").length : null;
  patch("#stats",
    stat("accounts", accounts ? usable + " / " + accounts.length : "…", t("stat.accounts"), accounts ? (usable ? "s-ok" : "s-bad") : ""),
    stat("keys", keys ? fmtN(keys.length) : "…", t("stat.keys")),
    stat("requests", loading(today && fmtN(today.requests)), t("stat.requests"), "", t("stat.utc")),
    stat("errors", loading(today && fmtN(today.errors)), t("stat.errors"), today && today.errors ? "s-warn" : "", t("stat.utc")),
    stat("tokens", loading(today && fmtN(today.total_tokens)), t("stat.tokens"), "", t("stat.utc")),
    stat("cost", loading(today && fmtCost(today.cost)), t("stat.cost"), "", t("stat.utc")));
  drawChart($("#ov-chart"), data.ovChart, $("#ov-metric").value, $("#ov-series").value);
  patch("#quota-strip", ...(accounts ? (accounts.length ? accounts.map(quotaRow) : [h("p", { class: "muted", text: t("ov.noAccounts") })]) : [h("p", { class: "muted", text: t("conn.loading") })]));
  renderConfig();
  renderErrors();
}
function quota(label, w) {
  if (!w) return null;
  return barEl(label, Math.round(w.used_percent) + "%", w.used_percent, w.resets_at ? h("div", { class: "small muted" }, countdown(w.resets_at, "acct.resetsIn")) : null);
}
function quotaRow(a) {
  return h("div", { class: "q", dataset: { key: a.name, quota: a.name } },
    h("div", {}, h("strong", { text: a.name }), h("div", {}, h("span", { class: "badge s-" + a.state, text: t("state." + a.state) }))),
    h("div", {}, quota(t("acct.primary"), a.primary) || h("span", { class: "small muted", text: t("acct.noQuota") }), quota(t("acct.secondary"), a.secondary)));
}
function renderConfig() {
  const c = data.config;
  if (!c) return;
  const r = c.reloads || {};
  const rows = [["config.generation", String(c.generation)], ["config.hash", c.hash], ["config.loaded", fmtDate(c.loaded_at) + " (" + fmtAgo(c.loaded_at) + ")"],
    ["config.reloads", t("config.reloadsText", { ok: r.ok || 0, unchanged: r.unchanged || 0, error: r.error || 0 })]];
  if (c.path) rows.push(["config.path", c.path]);
  if (c.accounts_dir) rows.push(["config.accountsDir", c.accounts_dir]);
  patch("#config-kv", ...rows.flatMap(([k, v]) => [h("dt", { text: t(k) }), h("dd", { class: "mono", text: v })]));
  patch("#config-error", c.last_error ? [t("config.lastError") + " (" + fmtDate(c.last_error.at) + "): ", h("span", { lang: "en", translate: "no", class: "mono", text: c.last_error.message })] : "");
}
function renderErrors() {
  const items = [];
  for (const a of data.accounts || []) if (a.last_error) items.push({ at: a.last_error.at, key: "a:" + a.name, text: a.name + ": " + (a.last_error.code ? errorCodeText(a.last_error.code) : ""), raw: a.last_error.code ? "" : a.last_error.message });
  for (const r of data.errors || []) items.push({ at: r.at, key: "r:" + r.id, text: r.status + " " + (errorCodeText(r.error_code) || "") + " · " + (r.key || "–") + " · " + (r.requested_model || r.model || "–") + (r.account ? " · " + r.account : "") });
  items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  patch("#errors-list", ...(items.length ? items.slice(0, 10).map((e) => h("div", { class: "small", dataset: { key: e.key } }, h("span", { class: "muted" }, fmtDate(e.at) + " "), h("span", { class: "err", text: e.text }), e.raw ? h("span", { class: "err", lang: "en", translate: "no", text: e.raw }) : null))
    : [h("div", { class: "muted", text: data.errors ? t("errors.none") : t("conn.loading") })]));
}
