/* The moderators' console: the queues, decisions, bans, the audit log and (admins) pins.
 *
 * Plain ES2020 over the public /api/v1 with the moderator's bearer token (pasted, or from the development
 * switcher). The server checks every call; the role read from the token only decides what to show.
 * Keyboard: j/k move, x selects, a approves, r rejects, b bans the author, ? lists the shortcuts.
 */
(() => {
  "use strict";
  const API = document.body.dataset.api;
  const DEVELOPMENT = document.body.dataset.development === "true";
  const TOKEN_KEY = "engagement.console.token";
  const QUEUES = [
    { id: "pending_review", label: "Pending review" },
    { id: "reported", label: "Reported" },
    { id: "rejected", label: "Rejected" },
    { id: "queued", label: "Queued" },
  ];
  const BAN_DURATIONS = [["1 day", 1], ["7 days", 7], ["30 days", 30], ["Permanent", 0]];
  const app = document.getElementById("app");
  const statusEl = document.getElementById("status");
  const whoEl = document.getElementById("who");

  const state = { token: sessionStorage.getItem(TOKEN_KEY), claims: null, tab: "pending_review", kind: "comment", items: [], cursor: null, focus: 0, selected: new Set() };

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  }

  function say(text, isError = false) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", isError);
  }

  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(part + "=".repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super((body && body.message) || (status ? `HTTP ${status}` : "Network error"));
      this.status = status;
      this.body = body || {};
      this.retryAfter = retryAfter;
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json", Authorization: `Bearer ${state.token}` } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch {
      throw new ApiError(0, null);
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data, response.headers.get("Retry-After"));
    return data;
  }

  function explain(error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) return "Your token was refused (expired or invalid). Sign in again.";
    if (error.status === 429) return `Rate limited: try again in ${error.retryAfter || "a few"} seconds.`;
    const fields = Object.entries(error.body.errors || {}).map(([f, m]) => `${f}: ${[].concat(m).join(" ")}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }

  const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
  const percent = (value) => `${Math.round(value * 100)}%`;

  // ---- Sign in ------------------------------------------------------------------------------------------------
  function signIn(token) {
    const claims = claimsOf(token || "");
    if (!claims || !claims.sub) {
      say("That does not look like a JWT.", true);
      return;
    }
    state.token = token;
    state.claims = claims;
    sessionStorage.setItem(TOKEN_KEY, token);
    renderApp();
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.claims = null;
    renderSignIn();
  }

  function renderSignIn() {
    whoEl.replaceChildren();
    const area = h("textarea", { id: "token", rows: "4", placeholder: "eyJhbGciOi…", spellcheck: "false", autocomplete: "off" });
    const form = h("form", { class: "card signin" },
      h("h2", { text: "Sign in" }),
      h("label", { for: "token", text: "Paste a moderator's or an admin's token" }), area,
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", text: "Sign in" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      signIn(area.value.trim());
    });
    if (DEVELOPMENT) {
      const dev = h("div", { class: "row dev" }, h("span", { text: "Development:" }));
      for (const role of ["moderator", "admin"]) {
        dev.append(h("button", { type: "button", "data-demo-role": role, text: `Demo ${role}`, onclick: async () => {
          const reply = await fetch(`/demo/token?role=${role}`);
          if (reply.ok) signIn((await reply.json()).token);
          else say("The demo token endpoint is not available.", true);
        } }));
      }
      form.append(dev);
    }
    app.replaceChildren(form);
    area.focus();
  }

  // ---- Layout ------------------------------------------------------------------------------------------------
  function renderApp() {
    const c = state.claims;
    if (!["moderator", "admin"].includes(c.role)) {
      say(`${c.name || c.sub} is a ${c.role || "user"}: the console is for moderators and admins.`, true);
      signOut();
      return;
    }
    whoEl.replaceChildren(h("span", { text: `${c.name || c.sub} · ${c.role}` }), h("button", { type: "button", text: "Sign out", onclick: signOut }));
    const tabs = [...QUEUES, { id: "log", label: "Audit log" }];
    if (c.role === "admin") tabs.push({ id: "pins", label: "Pins" }, { id: "terms", label: "Word lists" });
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Console sections" });
    for (const tab of tabs) {
      tablist.append(h("button", { type: "button", role: "tab", id: `tab-${tab.id}`, "aria-selected": String(tab.id === state.tab), "aria-controls": "panel",
        tabindex: tab.id === state.tab ? "0" : "-1", text: tab.label, onclick: () => openTab(tab.id) }));
    }
    tablist.addEventListener("keydown", (event) => {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
      const buttons = [...tablist.children];
      const index = buttons.indexOf(document.activeElement);
      const next = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1 : (index + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next].focus();
      buttons[next].click();
      event.preventDefault();
    });
    app.replaceChildren(tablist, h("section", { id: "panel", role: "tabpanel", "aria-labelledby": `tab-${state.tab}` }));
    openTab(state.tab, false);
  }

  function openTab(id, focusTab = true) {
    state.tab = id;
    for (const tab of document.querySelectorAll('[role="tab"]')) {
      const selected = tab.id === `tab-${id}`;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focusTab && document.activeElement && document.activeElement.getAttribute("role") === "tab") tab.focus();
    }
    const panel = document.getElementById("panel");
    panel.setAttribute("aria-labelledby", `tab-${id}`);
    if (id === "log") return renderLog(panel);
    if (id === "pins") return renderPins(panel);
    if (id === "terms") return renderTerms(panel);
    return renderQueue(panel);
  }

  // ---- Queues ------------------------------------------------------------------------------------------------
  async function renderQueue(panel) {
    state.items = [];
    state.cursor = null;
    state.focus = 0;
    state.selected.clear();
    histories.clear();
    const kind = h("select", { id: "kind", "aria-label": "Kind of text", onchange: (e) => { state.kind = e.target.value; renderQueue(panel); } },
      ["comment", "repost", "reward"].map((k) => h("option", { value: k, selected: k === state.kind, text: `${k[0].toUpperCase()}${k.slice(1)}s` })));
    const reason = h("input", { id: "decision-reason", type: "text", maxlength: "500", placeholder: "Reason for decisions (optional, logged)", "aria-label": "Reason for decisions" });
    const bulk = h("div", { class: "bulk", hidden: true },
      h("span", { id: "selected-count" }),
      h("button", { type: "button", class: "approve", text: "Approve selected", onclick: () => decide("approve") }),
      h("button", { type: "button", class: "reject", text: "Reject selected", onclick: () => decide("reject") }),
      h("button", { type: "button", text: "Clear", onclick: () => { state.selected.clear(); paintSelection(); } }));
    const list = h("ol", { id: "queue", class: "queue", "aria-label": "Items to review" });
    const more = h("button", { type: "button", class: "more", hidden: true, text: "Load more", onclick: () => loadQueue(list, more) });
    panel.replaceChildren(
      h("div", { class: "toolbar" }, kind, reason, bulk),
      h("p", { class: "keys", text: "Keys: j / k move · x select · a approve · r reject · b ban author · Shift+A / Shift+R selected" }),
      list, more);
    await loadQueue(list, more);
    const first = list.querySelector(".item");
    if (first) focusItem(0, false);
  }

  // "Queued" lists texts no worker has scored yet. Until the API has a status for them, it is the pending
  // queue filtered to unscored items (the API shows those once they are overdue).
  async function fetchQueue(cursor) {
    const params = new URLSearchParams({ status: state.tab, kind: state.kind, limit: "20" });
    if (cursor) params.set("cursor", cursor);
    try {
      return await api("GET", `/moderation/queue?${params}`);
    } catch (error) {
      if (state.tab !== "queued" || error.status !== 422) throw error;
      params.set("status", "pending_review");
      const page = await api("GET", `/moderation/queue?${params}`);
      return { ...page, items: page.items.filter((item) => item.unscored || (item.moderation && item.moderation.reason === "queued")) };
    }
  }

  async function loadQueue(list, more) {
    let page;
    try {
      page = await fetchQueue(state.cursor);
    } catch (error) {
      say(explain(error), true);
      return;
    }
    for (const item of page.items) {
      state.items.push(item);
      list.append(renderItem(item, state.items.length - 1));
    }
    state.cursor = page.next_cursor;
    more.hidden = !state.cursor;
    if (!state.items.length) list.replaceChildren(h("li", { class: "empty", text: "Nothing to review here." }));
  }

  // Fields the moderation pipeline adds (language, phase, reasons, matched terms) may sit on the item, in its
  // moderation object, as moderation_<name>, or inside moderation details; every one of them may be absent.
  const detailsOf = (item) => item.moderation_details || (item.moderation && item.moderation.details) || item.details || {};
  function moderationField(item, name) {
    const moderation = item.moderation || {};
    return item[name] ?? moderation[name] ?? item[`moderation_${name}`] ?? detailsOf(item)[name];
  }
  function matchedTerms(item) {
    const details = detailsOf(item);
    return moderationField(item, "matched_terms") || details.terms || details.matched || null;
  }

  // Matched terms (a list of strings, or of {term} / {start, end} objects) are marked in the text.
  function highlighted(text, terms) {
    const needles = (terms || [])
      .map((t) => (typeof t === "string" ? t : t && (t.term || t.text || (Number.isInteger(t.start) ? [...text].slice(t.start, t.end).join("") : null))))
      .filter((t) => t && t.trim())
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (!needles.length) return [text];
    const parts = text.split(new RegExp(`(${needles.join("|")})`, "giu"));
    return parts.map((part, i) => (i % 2 ? h("mark", { text: part }) : part));
  }

  function scoreBars(scores) {
    const entries = Object.entries(scores || {}).sort((a, b) => b[1] - a[1]);
    if (!entries.length) return h("p", { class: "muted", text: "No scores (not scored yet)." });
    return h("dl", { class: "scores" }, entries.map(([label, value]) => h("div", { class: "score" },
      h("dt", { text: label.replace(/_/g, " ") }),
      h("dd", {}, h("span", { class: "track" }, h("span", { class: `fill ${value >= 0.8 ? "high" : value >= 0.5 ? "mid" : "low"}`, style: `width:${percent(value)}` })),
        h("span", { class: "value", text: value.toFixed(2) })))));
  }

  // The author's record, read once per author per page (GET /moderation/users/{id}/history).
  const histories = new Map();
  function history(item) {
    const author = item.author || {};
    const auditLink = h("button", { type: "button", class: "link", text: "Ban log", onclick: () => { state.logFilter = { subject_id: author.id }; openTab("log"); } });
    const line = h("p", { class: "history muted" }, "Loading the author's history…");
    const box = h("div", { class: "history-box" }, h("h3", { text: "Author's history" }), line);
    if (!histories.has(author.id)) histories.set(author.id, api("GET", `/moderation/users/${encodeURIComponent(author.id)}/history`).catch(() => null));
    histories.get(author.id).then((data) => {
      if (!data) {
        line.replaceChildren("History not available. ", auditLink);
        return;
      }
      const c = data.comments || {};
      const ban = data.banned ? `banned${data.banned_until ? ` until ${fmtTime(data.banned_until)}` : ""} (${data.ban_reason})` : null;
      line.className = "history";
      line.replaceChildren(...[
        h("span", { class: "chip approve", text: `${c.published || 0} published` }), " ",
        h("span", { class: "chip warn", text: `${c.pending_review || 0} pending` }), " ",
        h("span", { class: "chip reject", text: `${c.rejected || 0} rejected` }), " ",
        `${data.approved_by_moderators} approved and ${data.rejected_by_moderators} rejected by moderators · ${data.reports_received} reports · ${data.bans} ban${data.bans === 1 ? "" : "s"} `,
        ban ? h("strong", { class: "banned", text: ban }) : null, " ", data.bans ? auditLink : null].filter(Boolean));
    });
    return box;
  }

  function renderItem(item, index) {
    const language = moderationField(item, "language");
    const phase = moderationField(item, "phase");
    const reasons = [].concat(moderationField(item, "reasons") || []);
    const terms = matchedTerms(item);
    const details = Object.entries(detailsOf(item)).filter(([key]) => !["terms", "matched", "matched_terms", "reasons", "language", "phase"].includes(key));
    const moderation = item.moderation || {};
    const author = item.author || {};
    const check = h("input", { type: "checkbox", class: "select", "aria-label": `Select ${item.kind} ${item.id}`, tabindex: "-1",
      onchange: (e) => { if (e.target.checked) state.selected.add(index); else state.selected.delete(index); paintSelection(); } });
    const li = h("li", { class: "item", tabindex: "-1", "data-index": String(index), "data-id": String(item.id), "aria-selected": "false",
      onclick: (e) => { if (!e.target.closest("button, input, a")) focusItem(index, false); } },
      h("div", { class: "item-head" }, check,
        h("strong", { text: `${item.kind} #${item.id}` }),
        h("span", { class: "chip state", text: item.status }),
        item.unscored ? h("span", { class: "chip warn", text: "unscored" }) : null,
        language ? h("span", { class: "chip", title: "language", text: language }) : null,
        phase ? h("span", { class: "chip", title: "phase that held it", text: `phase: ${phase}` }) : null,
        h("span", { class: "muted", text: `${fmtTime(item.created_at)} · on “${(item.article && item.article.title) || "?"}”` })),
      h("p", { class: "author" }, "by ", h("strong", { text: author.name || author.id || "?" }), author.name ? ` (${author.id})` : ""),
      h("blockquote", { class: "text", dir: "auto" }, ...highlighted(item.text || "(no text)", terms)),
      h("div", { class: "why" },
        h("div", {},
          h("h3", { text: "Why it is here" }),
          h("ul", { class: "reasons" },
            h("li", { text: `reason: ${moderation.reason || "—"}` }),
            moderation.labels && moderation.labels.length ? h("li", { text: `labels: ${moderation.labels.join(", ")}` }) : null,
            reasons.map((r) => h("li", { text: typeof r === "string" ? r : JSON.stringify(r) })),
            terms && terms.length ? h("li", {}, "matched: ", ...[].concat(terms).map((t) => h("mark", { text: typeof t === "string" ? t : t.term || t.text || JSON.stringify(t) }))) : null,
            details.map(([key, value]) => h("li", { text: `${key.replace(/_/g, " ")}: ${typeof value === "string" ? value : JSON.stringify(value)}` })),
            item.report_count ? h("li", { text: `reports: ${item.report_count} (${item.open_report_count || 0} open since last review)` }) : null,
            (item.report_reasons || []).map((r) => h("li", { text: `reported: ${typeof r === "string" ? r : r.reason}` })),
            moderation.model ? h("li", { class: "muted", text: `model: ${moderation.model} ${String(moderation.model_version || "").slice(0, 12)}` }) : null),
          history(item)),
        h("div", {}, h("h3", { text: "Scores" }), scoreBars(item.moderation_scores))),
      (item.previous_versions || []).length
        ? h("details", { class: "versions" }, h("summary", { text: `${item.previous_versions.length} earlier version(s)` }),
          item.previous_versions.map((v) => h("p", { text: `${fmtTime(v.created_at)}: ${v.body}` })))
        : null,
      h("div", { class: "item-actions" },
        h("button", { type: "button", class: "approve", text: "Approve (a)", onclick: () => decide("approve", [index]) }),
        h("button", { type: "button", class: "reject", text: "Reject (r)", onclick: () => decide("reject", [index]) }),
        h("button", { type: "button", text: "Ban author (b)", onclick: () => openBan(index) })));
    return li;
  }

  function itemElements() {
    return [...document.querySelectorAll("#queue .item")];
  }

  function focusItem(index, scroll = true) {
    const items = itemElements();
    if (!items.length) return;
    state.focus = Math.max(0, Math.min(index, items.length - 1));
    for (const el of items) el.classList.toggle("current", Number(el.dataset.index) === Number(items[state.focus].dataset.index));
    items[state.focus].focus({ preventScroll: !scroll });
  }

  function paintSelection() {
    for (const el of itemElements()) {
      const selected = state.selected.has(Number(el.dataset.index));
      el.setAttribute("aria-selected", String(selected));
      el.querySelector(".select").checked = selected;
    }
    const bulk = document.querySelector(".bulk");
    if (bulk) {
      bulk.hidden = state.selected.size === 0;
      document.getElementById("selected-count").textContent = `${state.selected.size} selected`;
    }
  }

  async function decide(action, indexes) {
    const targets = indexes || [...state.selected];
    if (!targets.length) return;
    const reasonInput = document.getElementById("decision-reason");
    const reason = reasonInput && reasonInput.value.trim() ? reasonInput.value.trim() : null;
    let done = 0;
    for (const index of targets) {
      const item = state.items[index];
      const el = document.querySelector(`#queue .item[data-index="${index}"]`);
      if (!item || !el || el.classList.contains("decided")) continue;
      try {
        await api("POST", `/moderation/${item.kind}s/${item.id}/decision`, { action, reason });
      } catch (error) {
        say(`${item.kind} #${item.id}: ${explain(error)}`, true);
        continue;
      }
      done += 1;
      state.selected.delete(index);
      el.classList.add("decided");
      el.querySelector(".item-actions").replaceChildren(h("span", { class: `chip ${action}`, text: action === "approve" ? "Approved" : "Rejected" }));
    }
    paintSelection();
    if (done) say(`${action === "approve" ? "Approved" : "Rejected"} ${done} item${done === 1 ? "" : "s"}.`);
    const open = itemElements().filter((el) => !el.classList.contains("decided"));
    const next = open.find((el) => Number(el.dataset.index) > (indexes ? indexes[0] : -1)) || open[0];
    if (next) focusItem(itemElements().indexOf(next));
  }

  function openBan(index) {
    const item = state.items[index];
    const el = document.querySelector(`#queue .item[data-index="${index}"]`);
    if (!item || !el || el.querySelector(".ban")) return;
    const reason = h("input", { type: "text", required: true, maxlength: "500", "aria-label": "Ban reason", placeholder: "Reason (shown to the user)" });
    const duration = h("select", { "aria-label": "Ban duration" }, BAN_DURATIONS.map(([label, days]) => h("option", { value: String(days), text: label })));
    const form = h("form", { class: "ban row" }, h("span", { text: `Ban ${item.author.name || item.author.id}:` }), reason, duration,
      h("button", { type: "submit", class: "reject", text: "Ban" }),
      h("button", { type: "button", text: "Cancel", onclick: () => { form.remove(); el.focus(); } }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const days = Number(duration.value);
      const until = days ? new Date(Date.now() + days * 86400000).toISOString() : null;
      try {
        const ban = await api("PUT", `/moderation/users/${encodeURIComponent(item.author.id)}/ban`, { reason: reason.value, until });
        say(`Banned ${ban.user_id}${ban.until ? ` until ${fmtTime(ban.until)}` : ""}.`);
        form.remove();
        el.focus();
      } catch (error) {
        say(explain(error), true);
      }
    });
    el.append(form);
    reason.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (!state.claims || !QUEUES.some((queue) => queue.id === state.tab)) return;
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const items = itemElements();
    // Keys act on the item holding the focus (also when it is on one of the item's buttons).
    const holder = document.activeElement && document.activeElement.closest ? document.activeElement.closest("#queue .item") : null;
    if (holder) state.focus = items.indexOf(holder);
    const current = items[state.focus];
    const index = current ? Number(current.dataset.index) : null;
    switch (event.key) {
      case "j": focusItem(state.focus + 1); break;
      case "k": focusItem(state.focus - 1); break;
      case "x":
        if (index == null) return;
        if (state.selected.has(index)) state.selected.delete(index);
        else state.selected.add(index);
        paintSelection();
        break;
      case "a": if (index != null) decide("approve", [index]); break;
      case "r": if (index != null) decide("reject", [index]); break;
      case "A": decide("approve"); break;
      case "R": decide("reject"); break;
      case "b": if (index != null) openBan(index); break;
      default: return;
    }
    event.preventDefault();
  });

  // ---- Audit log ---------------------------------------------------------------------------------------------
  async function renderLog(panel) {
    const filter = state.logFilter || {};
    const subject = h("input", { type: "text", name: "subject_id", value: filter.subject_id || "", placeholder: "subject id (comment id, user id…)", "aria-label": "Subject id" });
    const action = h("input", { type: "text", name: "action", value: filter.action || "", placeholder: "action (approve, reject, ban…)", "aria-label": "Action" });
    const body = h("tbody");
    const more = h("button", { type: "button", class: "more", hidden: true, text: "Load more" });
    let cursor = null;
    const load = async () => {
      const params = new URLSearchParams({ limit: "50" });
      if (subject.value.trim()) params.set("subject_id", subject.value.trim());
      if (action.value.trim()) params.set("action", action.value.trim());
      if (cursor) params.set("cursor", cursor);
      try {
        const page = await api("GET", `/moderation/log?${params}`);
        for (const e of page.items) {
          body.append(h("tr", {}, h("td", { text: fmtTime(e.created_at) }), h("td", { text: e.actor_id || "system" }), h("td", {}, h("span", { class: `chip ${e.action}`, text: e.action })),
            h("td", { text: `${e.subject_type} ${e.subject_id}` }), h("td", { text: `${e.from_status || "—"} → ${e.to_status || "—"}` }), h("td", { text: e.reason || "" })));
        }
        if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: "6", class: "empty", text: "No entries." })));
        cursor = page.next_cursor;
        more.hidden = !cursor;
      } catch (error) {
        say(explain(error), true);
      }
    };
    more.addEventListener("click", load);
    const form = h("form", { class: "toolbar" }, subject, action, h("button", { type: "submit", text: "Filter" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      state.logFilter = { subject_id: subject.value.trim(), action: action.value.trim() };
      cursor = null;
      body.replaceChildren();
      load();
    });
    panel.replaceChildren(form, h("table", { class: "log" },
      h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Subject", "Status", "Reason"].map((t) => h("th", { scope: "col", text: t })))), body), more);
    await load();
  }

  // ---- Pins (admins) -----------------------------------------------------------------------------------------
  async function renderPins(panel) {
    const list = h("tbody");
    const refresh = async () => {
      list.replaceChildren();
      try {
        const pins = await api("GET", "/pins");
        for (const pin of pins.items) {
          list.append(h("tr", { "data-article": pin.id }, h("td", { text: String(pin.position ?? "—") }), h("td", {}, h("a", { href: pin.url, text: pin.title })),
            h("td", { text: pin.id }), h("td", { text: fmtTime(pin.pinned_at) }), h("td", { text: pin.expires_at ? fmtTime(pin.expires_at) : "never" }),
            h("td", {}, h("button", { type: "button", text: "Unpin", onclick: async () => {
              try {
                await api("DELETE", `/pins/${encodeURIComponent(pin.id)}`);
                say(`Unpinned ${pin.id}.`);
                refresh();
              } catch (error) {
                say(explain(error), true);
              }
            } }))));
        }
        if (!pins.items.length) list.append(h("tr", {}, h("td", { colspan: "6", class: "empty", text: "No pinned articles." })));
      } catch (error) {
        say(explain(error), true);
      }
    };
    const articleId = h("input", { type: "text", required: true, placeholder: "article id", "aria-label": "Article id" });
    const position = h("input", { type: "number", min: "1", placeholder: "position", "aria-label": "Position" });
    const expires = h("input", { type: "datetime-local", "aria-label": "Expires at (optional)" });
    const pinForm = h("form", { class: "toolbar" }, articleId, position, expires, h("button", { type: "submit", class: "primary", text: "Pin article" }));
    pinForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { position: position.value ? Number(position.value) : null, expires_at: expires.value ? new Date(expires.value).toISOString() : null };
      try {
        await api("PUT", `/pins/${encodeURIComponent(articleId.value.trim())}`, body);
        say(`Pinned ${articleId.value.trim()}.`);
        refresh();
      } catch (error) {
        say(explain(error), true);
      }
    });

    // Pinned comments live on their article; there is no list across articles, so look one article up.
    const commentArticle = h("input", { type: "text", placeholder: "article id", "aria-label": "Article id for pinned comments" });
    const commentList = h("ul", { class: "pinned-comments" });
    const commentId = h("input", { type: "number", min: "1", placeholder: "comment id", "aria-label": "Comment id to pin" });
    const showPinned = async () => {
      commentList.replaceChildren();
      if (!commentArticle.value.trim()) return;
      try {
        const page = await api("GET", `/articles/${encodeURIComponent(commentArticle.value.trim())}/comments?limit=20`);
        const pinned = page.items.filter((c) => c.pinned);
        for (const c of pinned) {
          commentList.append(h("li", {}, h("span", { text: `#${c.id} ${c.author.name || c.author.id}: ${c.body}` }), " ",
            h("button", { type: "button", text: "Unpin", onclick: async () => {
              try {
                await api("DELETE", `/comments/${c.id}/pin`);
                say(`Unpinned comment ${c.id}.`);
                showPinned();
              } catch (error) {
                say(explain(error), true);
              }
            } })));
        }
        if (!pinned.length) commentList.append(h("li", { class: "muted", text: "No pinned comment on this article." }));
      } catch (error) {
        say(explain(error), true);
      }
    };
    const commentForm = h("form", { class: "toolbar" }, commentArticle, h("button", { type: "submit", text: "Show pinned comments" }), commentId,
      h("button", { type: "button", text: "Pin comment", onclick: async () => {
        try {
          await api("PUT", `/comments/${Number(commentId.value)}/pin`);
          say(`Pinned comment ${commentId.value}.`);
          showPinned();
        } catch (error) {
          say(explain(error), true);
        }
      } }));
    commentForm.addEventListener("submit", (event) => {
      event.preventDefault();
      showPinned();
    });
    panel.replaceChildren(
      h("h2", { text: "Pinned articles" }), pinForm,
      h("table", { class: "log pins" }, h("thead", {}, h("tr", {}, ["Position", "Title", "Id", "Pinned", "Expires", ""].map((t) => h("th", { scope: "col", text: t })))), list),
      h("h2", { text: "Pinned comments" }), commentForm, commentList);
    await refresh();
  }

  // ---- Word lists (admins; GET/POST /moderation/terms, DELETE /moderation/terms/{id}) -------------------------
  async function renderTerms(panel) {
    const body = h("tbody");
    const list = h("select", { "aria-label": "List" }, ["suspect", "banned"].map((l) => h("option", { value: l, text: l === "banned" ? "banned (rejects)" : "suspect (holds)" })));
    const term = h("input", { type: "text", required: true, maxlength: "100", placeholder: "term", "aria-label": "Term" });
    const language = h("input", { type: "text", maxlength: "2", placeholder: "lang (all)", "aria-label": "Language (two letters; empty for all)", size: "8" });
    const filter = h("select", { "aria-label": "Show list" }, [["", "All lists"], ["suspect", "Suspect"], ["banned", "Banned"]].map(([v, t]) => h("option", { value: v, text: t })));
    const more = h("button", { type: "button", class: "more", hidden: true, text: "Load more" });
    let cursor = null;
    const load = async (reset) => {
      if (reset) {
        cursor = null;
        body.replaceChildren();
      }
      const params = new URLSearchParams({ limit: "100" });
      if (filter.value) params.set("list", filter.value);
      if (cursor) params.set("cursor", cursor);
      let page;
      try {
        page = await api("GET", `/moderation/terms?${params}`);
      } catch (error) {
        const missing = error.status === 404 || error.status === 405;
        body.replaceChildren(h("tr", {}, h("td", { colspan: "5", class: "empty", text: missing ? "This server has no word lists API." : explain(error) })));
        return;
      }
      for (const entry of page.items) {
        body.append(h("tr", {}, h("td", {}, h("span", { class: `chip ${entry.list === "banned" ? "reject" : "warn"}`, text: entry.list })),
          h("td", {}, h("mark", { text: entry.term })), h("td", { text: entry.language || "all" }), h("td", { text: entry.created_by_id || "shipped" }),
          h("td", {}, h("button", { type: "button", text: "Remove", onclick: async () => {
            try {
              await api("DELETE", `/moderation/terms/${entry.id}`);
              say(`Removed “${entry.term}”.`);
              load(true);
            } catch (error) {
              say(explain(error), true);
            }
          } }))));
      }
      if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: "5", class: "empty", text: "No terms." })));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    };
    more.addEventListener("click", () => load(false));
    filter.addEventListener("change", () => load(true));
    const form = h("form", { class: "toolbar" }, list, term, language, h("button", { type: "submit", class: "primary", text: "Add term" }), filter);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/moderation/terms", { list: list.value, term: term.value.trim(), language: language.value.trim().toLowerCase() || null });
        say(`Added “${term.value.trim()}” to ${list.value}.`);
        term.value = "";
        load(true);
      } catch (error) {
        say(explain(error), true);
      }
    });
    panel.replaceChildren(h("h2", { text: "Word lists" }), form,
      h("table", { class: "log" }, h("thead", {}, h("tr", {}, ["List", "Term", "Language", "Added by", ""].map((t) => h("th", { scope: "col", text: t })))), body), more);
    await load(true);
  }

  // ---- Start ---------------------------------------------------------------------------------------------------
  if (state.token && (state.claims = claimsOf(state.token))) renderApp();
  else renderSignIn();
})();
