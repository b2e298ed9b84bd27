// ---------- Accounts: quota bars, reset countdowns, actions; Add account ----------
/** English text from the server (upstream messages) in 中文 mode is shown as-is but marked as English. */
const foreign = (text, cls) => h("span", lang === "en" ? { class: cls, text } : { class: cls, lang: "en", translate: "no", text });

function renderAccounts() {
  if (!data.accounts) return patch("#accounts", h("p", { class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading")));
  const cards = data.accounts.map((a) => {
    const acts = [];
    if (a.state === "cooling_down") acts.push("clear-cooldown");
    acts.push(a.state === "disabled" ? "enable" : "disable", "refresh");
    const q = [quota(t("acct.primary"), a.primary), quota(t("acct.secondary"), a.secondary)].filter(Boolean);
    return h("div", { class: "card", dataset: { key: a.name, account: a.name } },
      h("div", { class: "row between" }, h("h3", { text: a.name }), h("span", { class: "badge s-" + a.state, text: t("state." + a.state) })),
      h("div", { class: "small muted" }, a.plan ? t("acct.plan") + ": " + a.plan : "", a.state === "cooling_down" && a.cooldown_until ? [" · ", countdown(a.cooldown_until, "acct.cooldown")] : null),
      a.state !== "ok" && a.state_message ? h("div", { class: "small s-" + a.state }, foreign(a.state_message)) : null,
      q.length ? q : h("div", { class: "small muted", text: t("acct.noQuota") }),
      h("dl", { class: "kv" },
        h("dt", { text: t("acct.requestsToday") }), h("dd", { text: fmtN(a.requests_today) }),
        h("dt", { text: t("acct.tokensToday") }), h("dd", { text: fmtN(a.tokens_today) }),
        h("dt", { text: t("acct.lastUsed") }), h("dd", { text: a.last_used_at ? fmtAgo(a.last_used_at) : "–" })),
      a.last_error ? h("p", { class: "err small" }, t("acct.lastError") + ": ", a.last_error.code ? errorCodeText(a.last_error.code) : foreign(a.last_error.message), " · " + fmtAgo(a.last_error.at)) : null,
      h("div", { class: "actions" }, acts.map((act) => h("button", { type: "button", class: act === "disable" ? "danger" : "", dataset: { action: act, name: a.name }, text: t("act." + act) }))));
  });
  patch("#accounts", ...(cards.length ? cards : [h("div", { class: "empty", text: t("empty") })]));
}
$("#accounts").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-action]");
  if (!b) return;
  const { name, action } = b.dataset;
  if (action === "disable" && !confirm(t("act.confirmDisable", { n: name }))) return;
  b.disabled = true;
  try {
    await api("/admin/accounts/" + encodeURIComponent(name) + "/" + action, { method: "POST" });
    toast(t("act.done", { a: t("act." + action) }));
    await refresh();
  } catch (err) { toast(errorText(err), true); } finally { b.disabled = false; }
});

// ---------- add an account ----------
let loginId = "", deviceTimer = 0;
function accountName() {
  const n = $("#add-name").value.trim();
  if (!n) { toast(t("add.needName"), true); $("#add-name").focus(); }
  return n;
}
function added(r) {
  const msg = t("add.added", { n: r.account, f: r.file || "" });
  $("#add-result").className = "small s-ok";
  $("#add-result").textContent = msg;
  toast(msg);
  refresh();
}
function addFailed(e) { $("#add-result").className = "small err"; $("#add-result").textContent = errorText(e); }
async function addAccount(body) {
  try { added(await api("/admin/accounts", { method: "POST", body: JSON.stringify(body) })); return true; }
  catch (e) { addFailed(e); return false; }
}
$("#authjson-submit").addEventListener("click", async () => {
  const name = accountName(); if (!name) return;
  if (await addAccount({ name, replace: $("#add-replace").checked, auth_json: $("#auth-json").value })) $("#auth-json").value = "";
});
$("#browser-start").addEventListener("click", async () => {
  try {
    const r = await api("/admin/accounts/login/start", { method: "POST" });
    loginId = r.login_id;
    const a = $("#browser-link");
    a.href = r.authorize_url; a.textContent = r.authorize_url; a.classList.remove("hidden");
    window.open(r.authorize_url, "_blank", "noopener,noreferrer");
  } catch (e) { addFailed(e); }
});
$("#callback-submit").addEventListener("click", async () => {
  const name = accountName(); if (!name) return;
  if (await addAccount({ name, replace: $("#add-replace").checked, callback_url: $("#callback-url").value.trim(), login_id: loginId || undefined })) $("#callback-url").value = "";
});
$("#device-start").addEventListener("click", async () => {
  const name = accountName(); if (!name) return;
  clearTimeout(deviceTimer);
  try {
    const r = await api("/admin/accounts", { method: "POST", body: JSON.stringify({ name, replace: $("#add-replace").checked, device: true }) });
    $("#device-box").classList.remove("hidden");
    $("#device-code").textContent = r.user_code;
    const a = $("#device-link"); a.href = r.verification_url; a.textContent = r.verification_url;
    $("#device-status").replaceChildren(h("span", { class: "spin" }), " ", t("add.waiting"));
    const poll = async () => {
      try {
        const p = await api("/admin/accounts/login/" + encodeURIComponent(r.poll_id));
        if (p.status === "pending") { deviceTimer = setTimeout(poll, Math.max(2000, r.interval_ms || 5000)); return; }
        if (p.status === "complete") { $("#device-status").textContent = ""; $("#device-box").classList.add("hidden"); added(p); return; }
        $("#device-status").textContent = t(p.status === "expired" ? "add.failed.expired" : "add.failed.failed");
      } catch (e) { $("#device-status").textContent = errorText(e); }
    };
    deviceTimer = setTimeout(poll, Math.max(2000, r.interval_ms || 5000));
  } catch (e) { addFailed(e); }
});
