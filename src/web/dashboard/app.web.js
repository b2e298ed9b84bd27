// ---------- dashboard state, sign-in, language, tabs and the refresh loop ----------
const LANG_KEY = "cgw.lang", TOKEN_KEY = "cgw.adminToken", REFRESH_KEY = "cgw.refresh";
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
let lang = localStorage.getItem(LANG_KEY) || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en");
if (!I18N[lang]) lang = "en";
let token = sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY) || "";
/** Everything the pages show, as the admin API answered it; null until it arrived. */
const data = { accounts: null, keys: null, keysEditable: true, config: null, today: null, ovChart: null, errors: null, usageTable: null, usageChart: null, requests: null, facets: null, events: null };
let skew = 0, timer = 0, tab = "overview", inflight = null, lastOk = 0;
const serverNow = () => Date.now() + skew;
const api = (path, opts) => apiCall(path, token, opts);
const TABS = ["overview", "accounts", "keys", "usage", "requests", "logs", "add"];
const UTC_DAY = 86400000;

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const str = q.toString();
  return str ? "?" + str : "";
}
function fmtAgo(iso) {
  if (!iso) return "–";
  const sec = Math.max(0, Math.round((serverNow() - Date.parse(iso)) / 1000));
  if (sec < 60) return t("ago.s", { n: sec });
  if (sec < 3600) return t("ago.m", { n: Math.floor(sec / 60) });
  if (sec < 86400) return t("ago.h", { n: Math.floor(sec / 3600) });
  return t("ago.d", { n: Math.floor(sec / 86400) });
}
const fmtMs = (ms) => (typeof ms === "number" ? (ms >= 10000 ? (ms / 1000).toFixed(1) + " s" : ms + " ms") : "–");
const todayStart = () => Math.floor(serverNow() / UTC_DAY) * UTC_DAY;

// ---------- sign-in ----------
function showLogin(msg) {
  stopTimer();
  $("#app").classList.add("hidden");
  $("#login").classList.remove("hidden");
  $("#login-error").textContent = msg || "";
  $("#login-token").focus();
}
function showApp() {
  $("#login").classList.add("hidden");
  $("#app").classList.remove("hidden");
  setConn("loading");
  selectTab(tab, false);
  refresh();
  startTimer();
}
function authFailure(e) {
  if (e.status === 401) return t("srv.invalid_admin_token");
  if (e.status === 403) return t("srv.admin_remote_forbidden");
  if (e.status === 404) return t("login.off");
  return "";
}
$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  token = $("#login-token").value.trim();
  if (!token) return;
  $("#login-submit").disabled = true;
  try {
    await api("/admin/config");
    sessionStorage.removeItem(TOKEN_KEY); localStorage.removeItem(TOKEN_KEY);
    ($("#login-remember").checked ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
    $("#login-token").value = "";
    showApp();
  } catch (e) {
    token = "";
    $("#login-error").textContent = authFailure(e) || errorText(e);
  } finally {
    $("#login-submit").disabled = false;
  }
});
$("#logout").addEventListener("click", () => {
  token = ""; sessionStorage.removeItem(TOKEN_KEY); localStorage.removeItem(TOKEN_KEY);
  showLogin("");
});

// ---------- language ----------
function setLang(l) {
  lang = I18N[l] ? l : "en";
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of $$("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of $$("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  for (const el of $$("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  $("#lang").value = lang; $("#login-lang").value = lang;
  document.title = t("title");
  fillChartSelects();
  setConn(connState);
  render();
}
$("#lang").addEventListener("change", (e) => setLang(e.target.value));
$("#login-lang").addEventListener("change", (e) => setLang(e.target.value));

// ---------- tabs ----------
function selectTab(name, load) {
  if (!TABS.includes(name)) name = "overview";
  tab = name;
  for (const b of $$("#tabs [role=tab]")) {
    const on = b.dataset.tab === name;
    b.setAttribute("aria-selected", on ? "true" : "false");
    b.tabIndex = on ? 0 : -1;
    if (on) b.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  for (const sec of $$("section.tab")) sec.classList.toggle("active", sec.id === "tab-" + name);
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  render();
  if (load !== false) refresh();
}
$("#tabs").addEventListener("click", (e) => { const b = e.target.closest("[data-tab]"); if (b) selectTab(b.dataset.tab); });
$("#tabs").addEventListener("keydown", (e) => {
  const i = TABS.indexOf(tab);
  const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : null;
  if (next === null) return;
  e.preventDefault();
  selectTab(TABS[(next + TABS.length) % TABS.length]);
  $("#tab-btn-" + tab).focus();
});
/** The tab strip scrolls on a phone: fades and arrows show on the side that has more. */
function tabCues() {
  const nav = $("#tabs"), wrap = $("#tabs-wrap");
  const left = nav.scrollLeft > 2, right = nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 2;
  wrap.classList.toggle("more-left", left);
  wrap.classList.toggle("more-right", right);
  $("#tabs-cue-left").classList.toggle("hidden", !left);
  $("#tabs-cue-right").classList.toggle("hidden", !right);
}
for (const [id, dir] of [["tabs-cue-left", -1], ["tabs-cue-right", 1]]) {
  const b = h("button", { id, type: "button", class: "cue hidden " + (dir < 0 ? "left" : "right"), tabindex: "-1", "aria-hidden": "true", text: dir < 0 ? "‹" : "›" });
  b.addEventListener("click", () => { const nav = $("#tabs"); nav.scrollBy({ left: dir * nav.clientWidth * 0.6 }); });
  $("#tabs-wrap").append(b);
}
$("#tabs").addEventListener("scroll", tabCues, { passive: true });
window.addEventListener("resize", tabCues);

// ---------- connection state and the refresh loop ----------
let connState = "loading";
/** loading (nothing yet) → live (the last refresh worked) → stale (it failed: old data dimmed, a banner says since when). */
function setConn(state, err) {
  connState = state;
  const c = $("#conn");
  c.textContent = t("conn." + state);
  c.className = "badge " + (state === "live" ? "s-ok" : state === "stale" ? "s-bad" : "s-info");
  document.body.classList.toggle("stale", state === "stale");
  const b = $("#banner");
  if (state === "stale") b.textContent = lastOk ? t("stale.since", { t: fmtDate(lastOk) }) + (err ? " " + errorText(err) : "") : errorText(err);
  b.classList.toggle("hidden", state !== "stale");
}
function startTimer() {
  stopTimer();
  const every = Number($("#refresh-every").value);
  if (every > 0) timer = setInterval(() => { if (!document.hidden) refresh(); }, every * 1000);
}
function stopTimer() { if (timer) clearInterval(timer); timer = 0; }
$("#refresh-every").addEventListener("change", (e) => { localStorage.setItem(REFRESH_KEY, e.target.value); startTimer(); });
$("#refresh-now").addEventListener("click", async () => {
  const ok = await refresh();
  if (!ok && token) toast(t("refresh.failed", { m: errorText(refresh.lastError) }), true);
});

/** What each tab needs, besides the config (always: the generation and the hash a key edit is based on). */
const LOADERS = {
  overview: () => [loadAccounts(), loadKeys(), loadToday(), loadOverviewChart(), loadErrors()],
  accounts: () => [loadAccounts()],
  keys: () => [loadKeys()],
  usage: () => [loadUsage()],
  requests: () => [loadRequests()],
  logs: () => [loadEvents()],
  add: () => [],
};
async function loadAccounts() {
  const r = await api("/admin/accounts");
  if (r.now) skew = Date.parse(r.now) - Date.now();
  data.accounts = r.accounts;
}
async function loadKeys() {
  const r = await api("/admin/keys");
  data.keys = r.keys;
  data.keysEditable = r.editable !== false;
}
async function loadToday() {
  data.today = await api("/admin/usage" + query({ group_by: "key", from: todayStart() }));
}
async function loadErrors() {
  data.errors = (await api("/admin/requests" + query({ status: "error", limit: 8 }))).requests;
}
async function loadEvents() {
  data.events = (await api("/admin/events" + query({ level: $("#log-level").value, search: $("#log-search").value.trim(), limit: 300 }))).events;
}

/** Resolves true when fresh data arrived; concurrent calls share one run. */
function refresh() {
  if (!token) return Promise.resolve(false);
  if (inflight) return inflight;
  inflight = (async () => {
    try {
      const [config] = await Promise.all([api("/admin/config"), ...LOADERS[tab]()]);
      data.config = config;
      lastOk = Date.now();
      setConn("live");
      render();
      return true;
    } catch (e) {
      refresh.lastError = e;
      if (e.status === 401 || (e.status === 404 && e.code === "not_found" && !data.config)) {
        token = ""; sessionStorage.removeItem(TOKEN_KEY); localStorage.removeItem(TOKEN_KEY);
        showLogin(authFailure(e));
        return false;
      }
      setConn("stale", e);
      return false;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

const RENDERERS = { overview: renderOverview, accounts: renderAccounts, keys: renderKeys, usage: renderUsage, requests: renderRequests, logs: renderEvents, add: () => {} };
function render() {
  if (!token) return;
  try { RENDERERS[tab](); } catch (e) { console.error(e); }
  tabCues();
}

$("#config-reload").addEventListener("click", async () => {
  try {
    const r = await api("/admin/config/reload", { method: "POST" });
    data.config = r.config;
    if (r.result === "error") toast(t("config.error") + (lang === "en" && r.config.last_error ? " " + r.config.last_error.message : ""), true);
    else toast(r.result === "applied" ? t("config.applied", { g: r.config.generation }) : t("config.unchanged"));
    refresh();
  } catch (e) { toast(errorText(e), true); }
});

function start() {
  const saved = localStorage.getItem(REFRESH_KEY);
  if (saved !== null && $("#refresh-every").querySelector('option[value="' + CSS.escape(saved) + '"]')) $("#refresh-every").value = saved;
  tab = (location.hash || "#overview").slice(1);
  setInterval(tickCountdowns, 1000);
  setLang(lang);
  if (token) showApp(); else showLogin("");
}
