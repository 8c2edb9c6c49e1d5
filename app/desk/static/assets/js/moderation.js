// The moderators' queue: comments by status, filtered by held reason, article and age, decided on
// one at a time or several at once (one request, one transaction), by mouse or by keys, each shown
// in its thread on demand.
import { call, get } from "./api.js";
import { field, h, notAllowed, showProblem, when } from "./dom.js";
import { pagedList } from "./paging.js";

const QUEUES = [
  ["pending", "Held"],
  ["spam", "Spam"],
  ["trash", "Rejected"],
  ["approved", "Approved"],
];
const STATUS_NAMES = Object.fromEntries(QUEUES);
// The kinds of reason the API records and filters by (app/comments/spam.py's Reason).
const REASONS = [
  ["first_comment", "First comment from the address"],
  ["known_address", "Known address without its token"],
  ["too_many_links", "Too many links"],
  ["too_fast", "Sent too soon after the form was shown"],
  ["form_invalid", "Form token not valid"],
  ["honeypot", "Hidden field filled"],
  ["blocklisted", "Blocklisted word"],
  ["duplicate", "Duplicate"],
];
const AGES = [
  ["", "Any age"],
  ["hour", "Under an hour"],
  ["day", "Under a day"],
  ["older", "Over a day"],
  ["week", "Over a week"],
];
const hoursAgo = (hours) => new Date(Date.now() - hours * 3_600_000).toISOString();
const AGE_LIMITS = {
  hour: () => ({ since: hoursAgo(1) }),
  day: () => ({ since: hoursAgo(24) }),
  older: () => ({ until: hoursAgo(24) }),
  week: () => ({ until: hoursAgo(24 * 7) }),
};
// Each decision: its key, the API's action, the button's word and what the status line says.
const DECISIONS = [
  ["a", "approve", "Approve", "approved", "approved"],
  ["r", "trash", "Reject", "rejected", "trash"],
  ["s", "spam", "Spam", "marked as spam", "spam"],
];
const plural = (count, one) => `${count} ${one}${count === 1 ? "" : "s"}`;

export async function moderationScreen(main, desk, params) {
  const status = STATUS_NAMES[params.get("status")] ? params.get("status") : "pending";
  const filters = { reason: params.get("reason") || "", article: params.get("article") || "", age: params.get("age") || "" };
  const address = (changes) =>
    `/desk/moderation?${new URLSearchParams(Object.entries({ status, ...filters, ...changes }).filter(([, v]) => v))}`;
  // The decisions that change something in this queue.
  const decisions = DECISIONS.filter(([, , , , becomes]) => becomes !== status);

  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const done = h("p", { class: "done", role: "status" });
  const count = h("span", { class: "count" });
  const list = h("ol", { class: "queue", "aria-label": "Comments" });
  const pager = pagedList({
    list,
    load: (cursor) =>
      get("/comments", {
        status,
        reason: filters.reason,
        article: filters.article,
        ...(AGE_LIMITS[filters.age]?.() || {}),
        limit: 20,
        cursor,
      }),
    row,
    empty: "No comments here.",
    alert,
  });
  let left = 0;
  const showCount = () => (count.textContent = ` ${left}`);

  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Comments by status" },
    QUEUES.map(([name, label]) => h("a", { href: address({ status: name }), "aria-current": name === status ? "page" : null }, label)),
  );
  const reason = h("select", { name: "reason", "data-parameter": "reason" }, h("option", { value: "" }, "Any reason"));
  for (const [value, label] of REASONS) reason.append(h("option", { value, selected: value === filters.reason }, label));
  const article = h("input", { name: "article", value: filters.article, "data-parameter": "article", autocomplete: "off" });
  const age = h("select", { name: "age" }, AGES.map(([value, label]) => h("option", { value, selected: value === filters.age }, label)));
  const form = h(
    "form",
    { class: "filters", role: "search" },
    field("Held for", reason),
    field("Article", article, "The story's slug"),
    field("Age", age),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    desk.navigate(address({ reason: reason.value, article: article.value.trim(), age: age.value }));
  });

  const everyOne = h("input", { type: "checkbox", name: "select-all" });
  const bulk = decisions.map(([key, action, label, past]) =>
    h("button", { type: "button", name: action, disabled: true, onclick: () => decide(action, past, selected()) }, `${label} selected`),
  );
  const keysHelp = h(
    "p",
    { class: "hint keys", id: "moderation-keys" },
    "Keys: ",
    h("kbd", {}, "j"),
    " and ",
    h("kbd", {}, "k"),
    " move, ",
    h("kbd", {}, "x"),
    " selects, ",
    decisions.map(([key, , label]) => [h("kbd", {}, key), ` ${label.toLowerCase()}s, `]),
    "the selected comments or else the current one; ",
    h("kbd", {}, "t"),
    " shows its thread.",
  );

  const rows = () => [...list.querySelectorAll("li.held")];
  const selected = () => rows().filter((item) => item.querySelector("input[name=select]").checked).map((item) => Number(item.dataset.id));
  function selectionChanged() {
    const chosen = selected().length;
    for (const button of bulk) button.disabled = !chosen;
    everyOne.checked = chosen > 0 && chosen === rows().length;
  }
  everyOne.addEventListener("change", () => {
    for (const item of rows()) item.querySelector("input[name=select]").checked = everyOne.checked;
    selectionChanged();
  });
  list.addEventListener("change", selectionChanged);

  function row(comment) {
    const thread = h("div", { class: "thread", hidden: true, "aria-label": "Its thread", role: "region" });
    const toggle = h("button", { type: "button", class: "secondary", name: "thread", "aria-expanded": "false" }, "Show thread");
    toggle.addEventListener("click", async () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      thread.hidden = open;
      if (open || thread.children.length) return;
      try {
        thread.append(...threadView(await get(`/comments/${comment.id}/thread`)));
      } catch (problem) {
        showProblem(alert, problem);
      }
    });
    const item = h(
      "li",
      { class: "held", tabindex: "-1", "data-id": comment.id, "aria-describedby": "moderation-keys" },
      h(
        "p",
        { class: "held-by" },
        h("input", { type: "checkbox", name: "select", "aria-label": `Select the comment by ${comment.author_name}` }),
        h("strong", {}, comment.author_name),
        h("span", { class: "meta" }, ` ${comment.author_email} · ${when(comment.created_at)} · on `),
        h("a", { href: address({ article: comment.article_slug }) }, comment.article_slug),
      ),
      comment.reasons.length ? h("ul", { class: "reasons", "aria-label": "Why" }, comment.reasons.map((one) => h("li", {}, one))) : null,
      h("p", { class: "content" }, comment.content),
      h(
        "div",
        { class: "actions" },
        decisions.map(([, action, label, past]) =>
          h("button", { type: "button", class: "secondary", name: action, onclick: () => decide(action, past, [comment.id]) }, label),
        ),
        toggle,
      ),
      thread,
    );
    return item;
  }

  async function decide(action, past, ids) {
    if (!ids.length) return;
    try {
      const { data } = await call("POST", "/comments/moderate", { json: { ids, action } });
      const before = rows();
      const at = before.findIndex((item) => ids.includes(Number(item.dataset.id)));
      for (const item of before) if (ids.includes(Number(item.dataset.id))) item.remove();
      left = Math.max(0, left - ids.length);
      showCount();
      showProblem(alert, null);
      const gone = data.not_found.length ? `; ${plural(data.not_found.length, "comment")} had been deleted meanwhile` : "";
      done.textContent = `${plural(data.changed, "comment")} ${past}${gone}.`;
      if (!rows().length && !pager.more.hidden) await pager.next();
      else if (!rows().length) list.replaceChildren(h("li", { class: "empty" }, "No comments here."));
      const remaining = rows();
      (remaining[Math.min(at, remaining.length - 1)] || list).focus();
      selectionChanged();
    } catch (problem) {
      showProblem(alert, problem);
    }
  }

  // Keys act on the queue wherever the focus is on this screen, except while typing in a field.
  const screen = h("div", { class: "moderation" });
  function onKey(event) {
    if (!screen.isConnected) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target.closest?.("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    const items = rows();
    const current = items.indexOf(event.target.closest?.("li.held"));
    const key = event.key.toLowerCase();
    if (key === "j" || key === "k") {
      const next = current < 0 ? 0 : Math.max(0, Math.min(items.length - 1, current + (key === "j" ? 1 : -1)));
      items[next]?.focus();
      items[next]?.scrollIntoView({ block: "nearest" });
    } else if (key === "t" && current >= 0) {
      items[current].querySelector("button[name=thread]").click();
    } else if (key === "x" && current >= 0) {
      const box = items[current].querySelector("input[name=select]");
      box.checked = !box.checked;
      selectionChanged();
    } else {
      const decision = decisions.find(([letter]) => letter === key);
      if (!decision) return;
      const ids = selected().length ? selected() : current >= 0 ? [Number(items[current].dataset.id)] : [];
      decide(decision[1], decision[3], ids);
    }
    event.preventDefault();
  }

  try {
    await pager.next();
  } catch (problem) {
    if (problem.status === 403) return notAllowed(main, problem);
    showProblem(alert, problem, form);
  }
  left = pager.total || 0;
  showCount();
  document.addEventListener("keydown", onKey);
  screen.append(
    h("h1", {}, "Comments", count),
    tabs,
    form,
    alert,
    keysHelp,
    h("div", { class: "bulk" }, h("label", { class: "inline" }, everyOne, "Select all shown"), bulk),
    done,
    list,
    pager.more,
  );
  main.append(screen);
}

function threadView(context) {
  const item = (comment) =>
    h(
      "li",
      { class: `in-thread status-${comment.status}` },
      h("p", { class: "meta" }, `${comment.author_name} · ${when(comment.created_at)} · ${STATUS_NAMES[comment.status]}`),
      h("p", { class: "content" }, comment.content),
    );
  return [
    h("p", { class: "thread-label" }, "It answers"),
    context.ancestors.length ? h("ol", { class: "ancestors" }, context.ancestors.map(item)) : h("p", {}, "Nothing: it opens a thread."),
    h("p", { class: "thread-label" }, "Replies to it"),
    context.replies.length ? h("ol", { class: "replies" }, context.replies.map(item)) : h("p", {}, "None yet."),
  ];
}
