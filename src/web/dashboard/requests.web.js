// ---------- Requests (the SQLite request log): filters, pages, details, CSV; and the Logs tab ----------
const PAGE = 50;
let reqOffset = 0;
function requestFilters() {
  const when = (id) => { const d = parseWhen($(id).value); return d ? d.getTime() : undefined; };
  return { from: when("#req-from"), to: when("#req-to"), key: $("#req-key").value, account: $("#req-account").value, model: $("#req-model").value,
    status: $("#req-status").value, search: $("#req-search").value.trim() };
}
async function loadRequests() {
  data.requests = await api("/admin/requests" + query(Object.assign(requestFilters(), { limit: PAGE, offset: reqOffset, facets: 1 })));
  data.facets = data.requests.facets;
}
let searchTimer = 0;
const refilter = () => { reqOffset = 0; refresh(); };
for (const id of ["#req-key", "#req-account", "#req-model", "#req-status"]) $(id).addEventListener("change", refilter);
for (const id of ["#req-search", "#req-from", "#req-to"]) $(id).addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(refilter, 300); });
$("#req-prev").addEventListener("click", () => { reqOffset = Math.max(0, reqOffset - PAGE); refresh(); });
$("#req-next").addEventListener("click", () => { reqOffset += PAGE; refresh(); });

function fillFacet(id, values, allKey) {
  const el = $(id), v = el.value;
  const list = [...new Set([v, ...(values || [])].filter(Boolean))];
  patch(el, h("option", { value: "", text: t(allKey) }), ...list.map((x) => h("option", { value: x, dataset: { key: "o:" + x }, text: x })));
  el.value = v;
}
const statusBadge = (st) => h("span", { class: "badge " + (st >= 500 ? "s-bad" : st >= 400 ? "s-warn" : "s-ok"), text: String(st) });
const modelText = (r) => (r.requested_model && r.model && r.requested_model !== r.model ? r.requested_model + " → " + r.model : r.model || r.requested_model || "–");
const accountsText = (r) => (r.attempts && r.attempts.length ? r.attempts.map((a) => a.account).join(" → ") : r.account || "–");
const errorSummary = (r) => (r.error_code ? errorCodeText(r.error_code) : "");
/** The API a request came in on, by its path (the same in every language). */
const SURFACE_PATH = { chat: "/v1/chat/completions", responses: "/v1/responses", compact: "/v1/responses/compact", messages: "/v1/messages", gemini: "/v1beta/models/…:generateContent", models: "/v1/models" };

function renderRequests() {
  const f = data.facets || {};
  fillFacet("#req-key", f.keys, "filter.all");
  fillFacet("#req-account", f.accounts, "filter.all");
  fillFacet("#req-model", f.models, "filter.all");
  const r = data.requests;
  const labels = ["col.time", "col.status", "col.key", "col.model", "col.account", "col.tokens", "col.cost", "col.latency", "col.error", "col.details"].map((k) => t(k));
  const td = (i, kids, cls) => h("td", { class: cls || "", "data-label": labels[i] }, kids);
  if (!r) return patch("#req-rows", h("tr", {}, h("td", { colspan: "10", class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading"))));
  const rows = r.requests.map((x) => h("tr", { dataset: { key: "r:" + x.id, id: String(x.id) } },
    td(0, fmtDate(x.at)), td(1, statusBadge(x.status)), td(2, x.key || "–"), td(3, modelText(x), "mono"), td(4, accountsText(x)),
    td(5, x.tokens ? t("req.tokensIO", { i: fmtN(x.tokens.input), o: fmtN(x.tokens.output) }) : "–", "num"), td(6, fmtCost(x.cost), "num"), td(7, fmtMs(x.latency_ms), "num"),
    td(8, errorSummary(x), x.error_code ? "err wrap" : "wrap"),
    td(9, h("button", { type: "button", class: "small", dataset: { open: String(x.id) }, text: t("req.open") }))));
  patch("#req-rows", ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "10", class: "empty", text: t("req.none") }))]));
  $("#req-range").textContent = r.total ? t("req.range", { a: fmtN(r.offset + 1), b: fmtN(r.offset + r.requests.length), n: fmtN(r.total) }) : "";
  $("#req-prev").disabled = r.offset === 0;
  $("#req-next").disabled = r.offset + r.requests.length >= r.total;
}
$("#req-rows").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-open]");
  if (!b) return;
  try {
    const r = (await api("/admin/requests/" + encodeURIComponent(b.dataset.open))).request;
    const kv = (k, v) => [h("dt", { text: t(k) }), h("dd", {}, v)];
    const attempts = r.attempts.length ? h("ol", { class: "attempts" }, r.attempts.map((a) => h("li", { class: "mono", text: a.account + " · " + (errorCodeText(a.outcome) || a.outcome) + (a.status ? " · " + a.status : "") }))) : t("req.noAttempts");
    $("#req-detail").replaceChildren(
      ...kv("col.time", fmtDate(r.at)), ...kv("col.requestId", h("span", { class: "mono", text: r.request_id })), ...kv("col.status", statusBadge(r.status)),
      ...kv("col.key", r.key || "–"), ...kv("col.surface", h("span", { class: "mono", text: SURFACE_PATH[r.surface] || r.surface })), ...kv("col.requested", h("span", { class: "mono", text: r.requested_model || "–" })),
      ...kv("col.resolved", h("span", { class: "mono", text: r.model || "–" })), ...kv("col.stream", t(r.stream ? "yes" : "no")), ...kv("col.attempts", attempts),
      ...kv("col.input", fmtN(r.tokens && r.tokens.input)), ...kv("col.cached", fmtN(r.tokens && r.tokens.cached)), ...kv("col.output", fmtN(r.tokens && r.tokens.output)),
      ...kv("col.reasoning", fmtN(r.tokens && r.tokens.reasoning)), ...kv("col.cost", fmtCost(r.cost)), ...kv("col.latency", fmtMs(r.latency_ms)), ...kv("col.ttfb", fmtMs(r.ttfb_ms)),
      ...kv("col.error", r.error_code ? errorCodeText(r.error_code) + " (" + r.error_code + ")" : "–"),
      ...(r.error_message ? kv("col.errorMessage", foreign(r.error_message, "mono")) : []));
    $("#req-dialog").showModal();
  } catch (err) { toast(errorText(err), true); }
});
$("#req-dialog-close").addEventListener("click", () => $("#req-dialog").close());
$("#req-csv").addEventListener("click", async () => {
  try {
    const res = await api("/admin/requests.csv" + query(requestFilters()), { raw: true });
    const url = URL.createObjectURL(await res.blob());
    const a = h("a", { href: url, download: (res.headers.get("content-disposition") || "").replace(/^.*filename="([^"]+)".*$/, "$1") || "requests.csv" });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) { toast(errorText(err), true); }
});

// ---------- Logs ----------
const LEVEL_KEY = { info: "level.info", warn: "level.warn", error: "level.errorOne", debug: "level.debug" };
function renderEvents() {
  if (!data.events) return patch("#log-rows", h("tr", {}, h("td", { colspan: "4", class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading"))));
  const labels = ["col.time", "col.level", "col.message", "col.details"].map((k) => t(k));
  const rows = data.events.map((e, i) => {
    const zh = lang === "zh" ? EVENTS_ZH[e.msg] : e.msg;
    return h("tr", { dataset: { key: "e:" + e.at + ":" + e.msg + ":" + (data.events.length - i) } },
      h("td", { "data-label": labels[0], text: fmtDate(e.at) }),
      h("td", { "data-label": labels[1] }, h("span", { class: "badge s-" + (e.level === "error" ? "error" : e.level === "warn" ? "warn" : "info"), text: t(LEVEL_KEY[e.level] || "level.info") })),
      h("td", { "data-label": labels[2], class: "wrap" }, zh ? zh : foreign(e.msg)),
      h("td", { "data-label": labels[3], class: "mono small wrap", lang: "en", translate: "no" }, Object.entries(e.fields || {}).map(([k, v]) => k + "=" + v).join(" ")));
  });
  patch("#log-rows", ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "4", class: "empty", text: t("empty") }))]));
}
let logTimer = 0;
$("#log-level").addEventListener("change", () => refresh());
$("#log-search").addEventListener("input", () => { clearTimeout(logTimer); logTimer = setTimeout(refresh, 300); });
