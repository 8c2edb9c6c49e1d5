// What the administrators' screens share: their tabs, and the lists of names the API accepts.
import { h } from "./dom.js";

const SCREENS = [
  ["/desk/people", "People"],
  ["/desk/keys", "API keys"],
  ["/desk/webhooks", "Webhooks"],
  ["/desk/audit", "Audit log"],
];

// As app/auth/roles.py's Role, app/auth/scopes.py's Scope and app/webhooks/events.py's WebhookEvent name them.
export const ROLES = ["contributor", "editor", "moderator", "admin"];
export const SCOPES = ["content:write", "content:preview", "content:embargo", "comments:moderate", "media:write", "admin"];
export const EVENTS = [
  "article.published",
  "article.updated",
  "article.unpublished",
  "article.deleted",
  "comment.created",
  "comment.approved",
  "collection.updated",
];

export function adminHeading(title) {
  return [
    h("h1", {}, title),
    h(
      "nav",
      { class: "tabs", "aria-label": "Administration" },
      SCREENS.map(([href, label]) => h("a", { href, "aria-current": href === location.pathname ? "page" : null }, label)),
    ),
  ];
}

// A comma-separated list typed in a field, as a list.
export const listOf = (text) =>
  text
    .split(",")
    .map((one) => one.trim())
    .filter(Boolean);

// Checkboxes for a list of names, in a fieldset the problem's pointer can name.
export function checkboxes(legend, name, values, chosen = [], pointer = `#/${name}`) {
  return h(
    "fieldset",
    { class: "choices", "data-pointer": pointer, tabindex: "-1" },
    h("legend", {}, legend),
    values.map((value) => h("label", { class: "inline" }, h("input", { type: "checkbox", name, value, checked: chosen.includes(value) }), value)),
  );
}

export const checked = (fieldset) => [...fieldset.querySelectorAll("input:checked")].map((box) => box.value);
