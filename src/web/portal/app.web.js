// ---------- the key holder's portal, on the real GET /v1/usage answer (src/routes/usage.ts) ----------
const KEY = "cgw.portalKey", LANG = "cgw.lang";
const $ = (sel) => document.querySelector(sel);
let lang = localStorage.getItem(LANG) || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en");
if (!I18N[lang]) lang = "en";
let apiKey = sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || "";
let last = null, lastAt = 0, skew = 0, failed = false;
const serverNow = () => Date.now() + skew;

/** A rate window as a bar: used = limit − remaining; it resets `resets_in_ms` after the answer. */
function rateMeter(name, r) {
  const until = r.resets_in_ms > 0 ? new Date(lastAt + r.resets_in_ms).toISOString() : "";
  return meter(t(name), r.limit - r.remaining, r.limit, until ? h("div", { class: "small muted" }, countdown(until, "resetsIn")) : null, { dataset: { key: name, limit: name } });
}
function render() {
  const u = last;
  if (!u) return;
  $("#result").classList.remove("hidden");
  const k = u.key || {};
  $("#key-name").textContent = k.name || "";
  const expired = k.expires_at && Date.parse(k.expires_at) <= serverNow();
  const state = !k.enabled ? ["s-bad", "disabled"] : expired ? ["s-bad", "expired"] : ["s-ok", "enabled"];
  $("#key-state").textContent = t(state[1]);
  $("#key-state").className = "badge " + state[0];
  const m = k.models || {};
  const models = [m.allow ? t("allow", { m: m.allow.join(", ") }) : null, m.deny ? t("deny", { m: m.deny.join(", ") }) : null].filter(Boolean).join(" · ") || t("allModels");
  const fact = (label, v, key) => [h("dt", { text: label, dataset: { key: key + ":t" } }), h("dd", { text: v, dataset: { key: key + ":d" } })];
  patch("#facts", ...fact(t("expires"), k.expires_at ? fmtDate(k.expires_at, false) : t("never"), "exp"), ...fact(t("models"), models, "models"),
    ...fact(t("lastUsed"), u.usage && u.usage.last_used_at ? fmtDate(u.usage.last_used_at) : "–", "last"));

  const rem = u.remaining || {}, lim = u.limits || {};
  const rows = [];
  if (rem.requests_per_minute) rows.push(rateMeter("rpm", rem.requests_per_minute));
  if (rem.requests_per_day) rows.push(rateMeter("rpd", rem.requests_per_day));
  if (rem.concurrency) rows.push(meter(t("concurrency"), rem.concurrency.in_use, rem.concurrency.limit, null, { dataset: { key: "concurrency", limit: "concurrency" } }));
  if (rem.tokens_today) rows.push(meter(t("tokens_today"), rem.tokens_today.used, rem.tokens_today.limit, h("div", { class: "small muted" }, countdown(rem.tokens_today.resets_at, "resetsIn")), { dataset: { key: "tokens_today", limit: "tokens_today" } }));
  if (rem.tokens_total) rows.push(meter(t("tokens_total"), rem.tokens_total.used, rem.tokens_total.limit, null, { dataset: { key: "tokens_total", limit: "tokens_total" } }));
  if (lim.max_output_tokens) rows.push(h("p", { class: "small", dataset: { key: "max", limit: "max_output_tokens" } }, t("max_output_tokens") + ": " + fmtN(lim.max_output_tokens)));
  patch("#limits", ...(rows.length ? rows : [h("p", { class: "muted", text: t("noLimits") })]));

  const b = u.balance;
  $("#balance-card").classList.toggle("hidden", !b);
  if (b) {
    patch("#balance", meter(t("spent"), b.spent, b.configured, null, { dataset: { key: "spent", limit: "balance" } }),
      h("p", { dataset: { key: "left" } }, t("left") + ": ", h("strong", { text: t("credits", { n: fmtCost(b.remaining) }) })));
  }

  const today = (u.usage && u.usage.today) || {}, total = (u.usage && u.usage.total) || {};
  $("#today-col").textContent = today.date ? t("todayDate", { d: today.date }) : t("today");
  const FIELDS = [["requests"], ["errors"], ["input_tokens"], ["cached_input_tokens"], ["output_tokens"], ["reasoning_tokens"], ["total_tokens"], ["credits", "costCredits"]];
  patch("#usage", ...FIELDS.map(([f, label]) => h("tr", { dataset: { key: f, field: f } }, h("th", { scope: "row", text: t(label || f) }),
    h("td", { class: "num", text: f === "credits" ? fmtCost(today[f]) : fmtN(today[f]) }), h("td", { class: "num", text: f === "credits" ? fmtCost(total[f]) : fmtN(total[f]) }))));
  document.body.classList.toggle("stale", failed);
  $("#updated").textContent = failed ? t("stale", { t: fmtDate(lastAt) }) : t("updated", { t: fmtDate(lastAt) });
}

async function load() {
  if (!apiKey) return;
  let body;
  try {
    body = await apiCall("/v1/usage", apiKey);
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      $("#error").textContent = errorText(e);
      $("#result").classList.add("hidden");
      last = null;
      forget();
      return;
    }
    failed = true;
    if (last) render();
    else $("#error").textContent = errorText(e);
    return;
  }
  $("#error").textContent = "";
  failed = false;
  last = body;
  lastAt = Date.now();
  if (body.now) skew = Date.parse(body.now) - Date.now();
  render();
}
function forget() { apiKey = ""; sessionStorage.removeItem(KEY); localStorage.removeItem(KEY); }
function setLang(l) {
  lang = I18N[l] ? l : "en";
  localStorage.setItem(LANG, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = "codex-gateway · " + t("title");
  $("#lang").value = lang;
  render();
}
function start() {
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    apiKey = $("#key").value.trim();
    if (!apiKey) return;
    sessionStorage.removeItem(KEY); localStorage.removeItem(KEY);
    ($("#remember").checked ? localStorage : sessionStorage).setItem(KEY, apiKey);
    $("#key").value = "";
    load();
  });
  $("#reload").addEventListener("click", load);
  $("#forget").addEventListener("click", () => { forget(); last = null; $("#result").classList.add("hidden"); });
  $("#lang").addEventListener("change", (e) => setLang(e.target.value));
  setInterval(tickCountdowns, 1000);
  setInterval(() => { if (!document.hidden && apiKey) load(); }, 15000);
  setLang(lang);
  load();
}
