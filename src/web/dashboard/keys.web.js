// ---------- Keys: usage against limits; create (shown once), edit, disable, revoke — written to the YAML ----------
const LIMITS = ["rpm", "rpd", "concurrency", "max_output_tokens", "tokens_per_day", "tokens_total"];
const WHEN_PLACEHOLDER = "2027-01-31 18:00";

/** "YYYY-MM-DD hh:mm" (local time) ↔ ISO: the one date format, typed the same way in both languages. */
function parseWhen(v) {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?\s*$/.exec(v || "");
  if (!m) return undefined;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
function whenText(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " + pad2(d.getHours()) + ":" + pad2(d.getMinutes());
}
for (const el of $$("input.when")) el.placeholder = WHEN_PLACEHOLDER;

function renderKeys() {
  $("#keys-readonly").classList.toggle("hidden", data.keysEditable);
  $("#key-new").disabled = !data.keysEditable;
  if (!data.keys) return patch("#keys", h("p", { class: "empty" }, h("span", { class: "spin" }), " ", t("conn.loading")));
  const cards = data.keys.map((k) => {
    const expired = k.expires_at && Date.parse(k.expires_at) <= serverNow();
    const L = k.limits || {};
    const meters = ["rpm", "rpd", "concurrency", "tokens_per_day", "tokens_total", "balance"].filter((n) => L[n] && (n !== "balance" || L[n].limit !== null)).map((n) => meter(t("lim." + n), L[n].used, L[n].limit, null, { dataset: { limit: n } }));
    const m = k.models || {};
    const models = [m.allow ? t("key.allow", { m: m.allow.join(", ") }) : null, m.deny ? t("key.deny", { m: m.deny.join(", ") }) : null].filter(Boolean).join(" · ") || t("key.allModels");
    const state = expired ? ["s-bad", t("key.expired")] : k.enabled ? ["s-ok", t("key.enabled")] : ["s-disabled", t("key.disabled")];
    return h("div", { class: "card", dataset: { key: k.name } },
      h("div", { class: "row between" }, h("h3", { text: k.name }), h("span", { class: "badge " + state[0], text: state[1] })),
      meters,
      h("dl", { class: "kv" },
        h("dt", { text: t("key.expires") }), h("dd", { text: k.expires_at ? fmtDate(k.expires_at, false) : t("key.never") }),
        k.max_output_tokens ? [h("dt", { text: t("lim.max_output_tokens") }), h("dd", { text: fmtN(k.max_output_tokens) })] : null,
        h("dt", { text: t("key.models") }), h("dd", { class: "mono", text: models }),
        h("dt", { text: t("key.lastUsed") }), h("dd", { text: k.last_used_at ? fmtAgo(k.last_used_at) : "–" })),
      data.keysEditable ? h("div", { class: "actions" },
        h("button", { type: "button", dataset: { keyAction: "edit", name: k.name }, text: t("keys.edit") }),
        h("button", { type: "button", class: k.enabled ? "danger" : "", dataset: { keyAction: k.enabled ? "disable" : "enable", name: k.name }, text: t(k.enabled ? "keys.disable" : "keys.enable") }),
        h("button", { type: "button", class: "danger", dataset: { keyAction: "revoke", name: k.name }, text: t("keys.revoke") })) : null);
  });
  patch("#keys", ...(cards.length ? cards : [h("div", { class: "empty", text: t("empty") })]));
}

/** Sends a key change with the config hash this page saw, so a concurrent edit is a 409, not a lost update. */
async function keyRequest(method, path, body) {
  try {
    return await api(path, { method, body: JSON.stringify(Object.assign({ config_hash: data.config ? data.config.hash : undefined }, body || {})) });
  } catch (e) {
    if (e.code === "config_changed" || e.code === "config_changed_on_disk") refresh();
    throw e;
  }
}
$("#keys").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-key-action]");
  if (!b) return;
  const { name, keyAction } = b.dataset;
  const k = (data.keys || []).find((x) => x.name === name);
  if (keyAction === "edit") return openKeyDialog(k);
  if (keyAction === "disable" && !confirm(t("keys.confirmDisable", { n: name }))) return;
  if (keyAction === "revoke" && !confirm(t("keys.confirmRevoke", { n: name }))) return;
  b.disabled = true;
  try {
    const path = "/admin/keys/" + encodeURIComponent(name);
    if (keyAction === "revoke") await keyRequest("DELETE", path);
    else await keyRequest("PATCH", path, { enabled: keyAction === "enable" });
    toast(t(keyAction === "revoke" ? "keys.revoked" : keyAction === "enable" ? "keys.enabledToast" : "keys.disabledToast", { n: name }));
    await refresh();
  } catch (err) { toast(errorText(err), true); } finally { b.disabled = false; }
});

let editing = null;
function openKeyDialog(k) {
  editing = k || null;
  $("#key-dialog-title").textContent = k ? t("keys.editTitle", { n: k.name }) : t("keys.newTitle");
  $("#kf-name").value = k ? k.name : "";
  $("#kf-name").disabled = !!k;
  $("#kf-expires").value = k ? whenText(k.expires_at) : "";
  const L = (k && k.limits) || {};
  for (const n of LIMITS) {
    const v = n === "max_output_tokens" ? k && k.max_output_tokens : L[n] && L[n].limit;
    $("#kf-" + n).value = v === null || v === undefined ? "" : String(v);
  }
  $("#kf-balance").value = L.balance && L.balance.limit !== null && L.balance.limit !== undefined ? String(L.balance.limit) : "";
  $("#kf-allow").value = k && k.models && k.models.allow ? k.models.allow.join(", ") : "";
  $("#kf-deny").value = k && k.models && k.models.deny ? k.models.deny.join(", ") : "";
  $("#kf-error").textContent = "";
  $("#key-dialog").showModal();
  (k ? $("#kf-expires") : $("#kf-name")).focus();
}
$("#key-new").addEventListener("click", () => openKeyDialog(null));
$("#kf-cancel").addEventListener("click", () => $("#key-dialog").close());

/** The form as an admin API body: empty fields remove a setting when editing and are left out when creating. */
function keyFormBody() {
  const body = { limits: {}, models: {} };
  const empty = editing ? null : undefined;
  const exp = $("#kf-expires").value.trim();
  if (exp) {
    const d = parseWhen(exp);
    if (!d) throw new Error(t("srv.invalid_expires_at"));
    body.expires_at = d.toISOString();
  } else body.expires_at = empty;
  for (const n of LIMITS) {
    const v = $("#kf-" + n).value.trim();
    body.limits[n] = v ? Number(v) : empty;
  }
  const bal = $("#kf-balance").value.trim();
  body.balance = bal ? Number(bal) : empty;
  for (const n of ["allow", "deny"]) {
    const list = $("#kf-" + n).value.split(",").map((x) => x.trim()).filter(Boolean);
    body.models[n] = list.length ? list : empty;
  }
  return JSON.parse(JSON.stringify(body)); // drops the undefined ones
}
$("#key-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  let body;
  try { body = keyFormBody(); } catch (err) { $("#kf-error").textContent = err.message; return; }
  $("#kf-save").disabled = true;
  try {
    if (editing) {
      await keyRequest("PATCH", "/admin/keys/" + encodeURIComponent(editing.name), body);
      toast(t("keys.saved", { n: editing.name }));
      $("#key-dialog").close();
    } else {
      const r = await keyRequest("POST", "/admin/keys", Object.assign({ name: $("#kf-name").value.trim() }, body));
      $("#key-dialog").close();
      $("#secret-value").value = r.key;
      $("#secret-dialog").showModal();
      $("#secret-value").select();
    }
    await refresh();
  } catch (err) {
    $("#kf-error").textContent = errorText(err);
  } finally { $("#kf-save").disabled = false; }
});
$("#secret-copy").addEventListener("click", async () => {
  try { await navigator.clipboard.writeText($("#secret-value").value); toast(t("copied")); }
  catch (e) { $("#secret-value").select(); document.execCommand("copy"); toast(t("copied")); }
});
$("#secret-close").addEventListener("click", () => { $("#secret-value").value = ""; $("#secret-dialog").close(); });
$("#secret-dialog").addEventListener("close", () => { $("#secret-value").value = ""; });
