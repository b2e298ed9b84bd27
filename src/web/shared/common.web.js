// ---------- shared by the dashboard and the portal (each page defines I18N, lang and serverNow) ----------

/** A string in the page's language (English when missing), with {name} placeholders filled. */
function t(k, vars) {
  let s = (I18N[lang] && I18N[lang][k]) || I18N.en[k] || k;
  if (vars) for (const [a, b] of Object.entries(vars)) s = s.split("{" + a + "}").join(String(b));
  return s;
}

/** Builds DOM nodes; text is always set as text, never parsed as HTML. Widths go through the CSSOM (CSP). */
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  return append(el, kids);
}
const SVG_NS = "http://www.w3.org/2000/svg";
/** The same for SVG elements (charts). */
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  return append(el, kids);
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", v);
    else if (k === "text") el.textContent = v;
    else if (k === "style") Object.assign(el.style, v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
}
function append(el, kids) {
  for (const c of kids.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * Makes `target`'s children look like `next`'s without rebuilding what did not change: elements
 * are matched by data-key (else by position and tag), attributes and text are written only when
 * they differ. Focus, text selection and scroll positions survive the 5-second refresh.
 */
function morph(target, next) {
  const keyed = new Map();
  for (const c of target.children) if (c.dataset && c.dataset.key) keyed.set(c.dataset.key, c);
  let cur = target.firstChild;
  for (const n of Array.from(next.childNodes)) {
    const key = n.nodeType === 1 && n.dataset ? n.dataset.key : undefined;
    let match = null;
    if (key) {
      const k = keyed.get(key);
      if (k && k.tagName === n.tagName) match = k;
    } else if (cur && cur.nodeType === n.nodeType && (n.nodeType !== 1 || (cur.tagName === n.tagName && !(cur.dataset && cur.dataset.key)))) match = cur;
    if (!match) {
      target.insertBefore(n, cur);
      continue;
    }
    if (match === cur) cur = cur.nextSibling;
    else target.insertBefore(match, cur);
    if (n.nodeType === 1) {
      morphAttrs(match, n);
      morph(match, n);
    } else if (match.nodeValue !== n.nodeValue) match.nodeValue = n.nodeValue;
  }
  while (cur) {
    const nx = cur.nextSibling;
    target.removeChild(cur);
    cur = nx;
  }
}
function morphAttrs(el, n) {
  for (const a of Array.from(el.attributes)) if (a.name !== "style" && !n.hasAttribute(a.name)) el.removeAttribute(a.name);
  for (const a of Array.from(n.attributes)) if (a.name !== "style" && el.getAttribute(a.name) !== a.value) el.setAttribute(a.name, a.value);
  if (el.style && n.style && el.style.cssText !== n.style.cssText) el.style.cssText = n.style.cssText;
}
/** Replace the children of `el` (by selector or element) in place. */
function patch(el, ...kids) {
  const target = typeof el === "string" ? document.querySelector(el) : el;
  morph(target, append(document.createElement(target.tagName === "TBODY" ? "tbody" : "div"), kids));
}

const pad2 = (n) => String(n).padStart(2, "0");
/** "UTC+8", "UTC-5:30", "UTC": the browser's zone, shown after every time. */
function tzLabel(d) {
  const off = -d.getTimezoneOffset();
  if (!off) return "UTC";
  const a = Math.abs(off);
  return "UTC" + (off > 0 ? "+" : "-") + Math.floor(a / 60) + (a % 60 ? ":" + pad2(a % 60) : "");
}
/** One format in every language: 2026-03-01 14:05:09 UTC+8 (local time, with the year and the zone). */
function fmtDate(v, withSeconds) {
  if (v === null || v === undefined || v === "") return "–";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "–";
  const time = pad2(d.getHours()) + ":" + pad2(d.getMinutes()) + (withSeconds === false ? "" : ":" + pad2(d.getSeconds()));
  return d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " + time + " " + tzLabel(d);
}
const locale = () => (lang === "zh" ? "zh-CN" : "en-US");
const fmtN = (n) => (typeof n === "number" && Number.isFinite(n) ? n.toLocaleString(locale()) : "–");
const fmtCost = (n) => (typeof n === "number" && Number.isFinite(n) ? n.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: n && Math.abs(n) < 0.01 ? 6 : 4 }) : "–");
function fmtDur(ms) {
  const sec = Math.max(0, Math.round(ms / 1000)), d = Math.floor(sec / 86400), hh = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60), ss = sec % 60;
  if (d) return t("dur.d", { d, h: hh });
  if (hh) return t("dur.h", { h: hh, m: pad2(m) });
  if (m) return t("dur.m", { m, s: pad2(ss) });
  return t("dur.s", { s: ss });
}
/** A live countdown: the page's 1-second ticker rewrites every [data-until] element. */
function countdown(iso, key) {
  return h("span", { class: "countdown", dataset: { until: iso || "", tkey: key } }, countdownText(iso, key));
}
function countdownText(iso, key) {
  const left = Date.parse(iso) - serverNow();
  return !iso || !(left > 0) ? t("reset.done") : t(key, { d: fmtDur(left) });
}
function tickCountdowns() {
  for (const el of document.querySelectorAll("[data-until]")) {
    const v = countdownText(el.dataset.until, el.dataset.tkey);
    if (el.textContent !== v) el.textContent = v;
  }
}

/** A labelled bar: 70 % is a warning, 90 % is bad. `pct` null hides the bar (no limit). */
function barEl(label, right, pct, extra, attrs) {
  const fill = h("span", pct === null ? {} : { style: { width: Math.max(0, Math.min(100, pct)).toFixed(1) + "%" } });
  const bar = h("div", { class: "bar" + (pct >= 90 ? " bad" : pct >= 70 ? " warn" : "") + (pct === null ? " hidden" : ""), role: "presentation" }, fill);
  return h("div", Object.assign({ class: "meter" }, attrs || {}), h("div", { class: "lbl" }, h("span", { text: label }), h("span", { class: "muted" }, right)), bar, extra || null);
}
function meter(label, used, limit, extra, attrs) {
  const has = typeof limit === "number" && limit > 0;
  const right = has ? fmtN(used) + " / " + fmtN(limit) : fmtN(used) + " / " + t("lim.unlimited");
  return barEl(label, right, has ? (used / limit) * 100 : null, extra, attrs);
}

function toast(msg, bad) {
  const el = document.getElementById("toast");
  el.textContent = msg;
  el.className = "toast" + (bad ? " bad" : "");
  el.setAttribute("role", bad ? "alert" : "status");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.add("hidden"), bad ? 8000 : 4000);
}

class ApiError extends Error {
  constructor(status, message, code, param) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }
}
/** fetch with the bearer token; a non-2xx answer throws ApiError with the server's code. */
async function apiCall(path, token, opts) {
  let res;
  const headers = Object.assign({ authorization: "Bearer " + token }, opts && opts.body ? { "content-type": "application/json" } : {});
  try {
    res = await fetch(path, Object.assign({ cache: "no-store" }, opts, { headers }));
  } catch (e) {
    throw new ApiError(0, "network", "network_error");
  }
  if (opts && opts.raw && res.ok) return res;
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const err = (body && body.error) || {};
    throw new ApiError(res.status, err.message || res.statusText, err.code || "http_" + res.status, err.param);
  }
  return body;
}
/** A server error in the page's language: by its code, never the English text in 中文. */
function errorText(e) {
  const code = e && e.code;
  if (code && I18N[lang]["srv." + code]) return t("srv." + code, { p: e.param || "" });
  if (lang === "en" && e && e.message && e.message !== "network") return e.message;
  return t("srv.unknown", { c: code || (e && e.status) || "?" });
}
