// ---------- portal strings ----------
const I18N = {
  en: { title: "Your API usage", lang: "Language", hint: "Paste your API key to see your own usage and limits. The key is only sent to this gateway.", keyLabel: "API key", show: "Show usage",
    remember: "Remember on this device", limits: "Limits", balance: "Budget", usage: "Usage", what: "What", today: "Today", total: "In total", refresh: "Refresh", forget: "Forget key",
    enabled: "active", disabled: "disabled", expired: "expired", expires: "Expires", never: "never", lastUsed: "Last used", models: "Models", allModels: "all models",
    allow: "allowed: {m}", deny: "not allowed: {m}", noLimits: "No limits on this key.", "lim.unlimited": "unlimited",
    rpm: "Requests this minute", rpd: "Requests today", concurrency: "Requests open now", tokens_today: "Tokens today", tokens_total: "Tokens in total", max_output_tokens: "Max output tokens per request",
    spent: "Spent", left: "Left", credits: "{n} credits", "reset.done": "resets now", resetsIn: "resets in {d}",
    requests: "Requests", errors: "Errors", input_tokens: "Input tokens", cached_input_tokens: "Cached input tokens", output_tokens: "Output tokens", reasoning_tokens: "Reasoning tokens",
    total_tokens: "Total tokens", costCredits: "Cost (credits)", todayDate: "Today ({d}, UTC)", updated: "Updated {t}", stale: "Could not refresh; showing data from {t}.",
    "dur.d": "{d} d {h} h", "dur.h": "{h} h {m} min", "dur.m": "{m} min {s} s", "dur.s": "{s} s",
    "srv.unknown": "The request failed ({c}).", "srv.network_error": "Cannot reach the gateway.", "srv.invalid_api_key": "This key was not accepted.", "srv.missing_api_key": "Enter your API key.",
    "srv.api_key_disabled": "This key is disabled.", "srv.api_key_expired": "This key has expired." },
  zh: { title: "我的 API 用量", lang: "语言", hint: "粘贴你的 API 密钥，查看自己的用量和限额。密钥只会发送给本网关。", keyLabel: "API 密钥", show: "查看用量",
    remember: "在此设备上记住", limits: "限额", balance: "预算", usage: "用量", what: "项目", today: "今天", total: "累计", refresh: "刷新", forget: "清除密钥",
    enabled: "可用", disabled: "已停用", expired: "已过期", expires: "过期时间", never: "永不", lastUsed: "最近使用", models: "模型", allModels: "全部模型",
    allow: "允许：{m}", deny: "禁止：{m}", noLimits: "此密钥没有限额。", "lim.unlimited": "不限",
    rpm: "本分钟请求", rpd: "今日请求", concurrency: "当前并发请求", tokens_today: "今日 Token", tokens_total: "Token 总量", max_output_tokens: "单次最大输出 Token",
    spent: "已用", left: "剩余", credits: "{n} 额度", "reset.done": "即将重置", resetsIn: "{d} 后重置",
    requests: "请求数", errors: "错误", input_tokens: "输入 Token", cached_input_tokens: "缓存输入 Token", output_tokens: "输出 Token", reasoning_tokens: "推理 Token",
    total_tokens: "Token 合计", costCredits: "费用（额度）", todayDate: "今天（{d}，UTC）", updated: "更新于 {t}", stale: "刷新失败；显示的是 {t} 的数据。",
    "dur.d": "{d} 天 {h} 小时", "dur.h": "{h} 小时 {m} 分", "dur.m": "{m} 分 {s} 秒", "dur.s": "{s} 秒",
    "srv.unknown": "请求失败（{c}）。", "srv.network_error": "无法连接网关。", "srv.invalid_api_key": "密钥未被接受。", "srv.missing_api_key": "请输入 API 密钥。",
    "srv.api_key_disabled": "此密钥已停用。", "srv.api_key_expired": "此密钥已过期。" },
};
function t(k, vars) {
  let s = (I18N[lang] && I18N[lang][k]) || I18N.en[k] || k;
  if (vars) for (const [a, b] of Object.entries(vars)) s = s.split("{" + a + "}").join(String(b));
  return s;
}
