// Administrators' audit log: who changed what and when, filtered by actor, action, target and time,
// a page at a time.
import { get } from "./api.js";
import { adminHeading } from "./admin.js";
import { field, h, notAllowed, showProblem, when } from "./dom.js";
import { pagedList } from "./paging.js";

const ACTOR_KINDS = [
  ["", "Anyone"],
  ["user", "A person"],
  ["key", "A key"],
  ["system", "A server command"],
];
// What the log follows (app/wiring.py's AUDITED, and accounts).
const TARGET_KINDS = ["article", "author", "section", "tag", "comment", "media", "webhook", "key", "user"];
const FILTERS = ["actor_kind", "actor_id", "action", "target_kind", "target_id", "since", "until"];
// The times are typed in local time (datetime-local) and sent with their offset.
const instant = (local) => (local ? new Date(local).toISOString() : "");

export async function auditScreen(main, desk, params) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
  const address = (changes) => `/desk/audit?${new URLSearchParams(Object.entries({ ...filters, ...changes }).filter(([, v]) => v))}`;
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const count = h("span", { class: "count" });
  const list = h("ol", { class: "audit", "aria-label": "Entries, newest first" });
  const pager = pagedList({
    list,
    load: (cursor) => get("/audit", { ...filters, since: instant(filters.since), until: instant(filters.until), limit: 50, cursor }),
    row: (entry) =>
      h(
        "li",
        { class: "entry", "data-action": entry.action },
        h("p", {}, h("a", { href: address({ action: entry.action }) }, entry.action), " ", entry.target.label),
        h(
          "p",
          { class: "meta" },
          `${when(entry.at)} · by `,
          h("a", { href: address({ actor_kind: entry.actor.kind, actor_id: entry.actor.id ?? "" }) }, entry.actor.name),
          ` (${entry.actor.kind}) · ${entry.target.kind}${entry.target.id === null ? "" : ` ${entry.target.id}`}`,
          entry.request_id ? ` · request ${entry.request_id}` : "",
        ),
      ),
    empty: "No entries match.",
    alert,
  });

  const select = (name, options) =>
    h("select", { name, "data-parameter": name }, options.map(([value, label]) => h("option", { value, selected: value === filters[name] }, label)));
  const input = (name, attributes = {}) => h("input", { name, value: filters[name], "data-parameter": name, autocomplete: "off", ...attributes });
  const controls = {
    actor_kind: select("actor_kind", ACTOR_KINDS),
    actor_id: input("actor_id", { inputmode: "numeric" }),
    action: input("action"),
    target_kind: select("target_kind", [["", "Anything"], ...TARGET_KINDS.map((kind) => [kind, kind])]),
    target_id: input("target_id", { inputmode: "numeric" }),
    since: input("since", { type: "datetime-local" }),
    until: input("until", { type: "datetime-local" }),
  };
  const form = h(
    "form",
    { class: "filters", role: "search" },
    field("Actor", controls.actor_kind),
    field("Actor's id", controls.actor_id, "A person's or a key's id"),
    field("Action", controls.action, "Such as article.publish"),
    field("Target", controls.target_kind),
    field("Target's id", controls.target_id),
    field("From", controls.since),
    field("Before", controls.until),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    desk.navigate(address(Object.fromEntries(Object.entries(controls).map(([name, control]) => [name, control.value.trim()]))));
  });
  main.append(...adminHeading("Audit log"), form, alert, h("p", { role: "status" }, count), list, pager.more);
  try {
    await pager.next();
    count.textContent = `${pager.total} ${pager.total === 1 ? "entry" : "entries"}`;
  } catch (problem) {
    if (problem.status === 403) return notAllowed(main, problem);
    showProblem(alert, problem, form);
  }
}
