// Administrators' API keys: the list, a new key (its value shown this once, with a copy button),
// and revoking one.
import { call, get } from "./api.js";
import { adminHeading, checkboxes, checked, SCOPES } from "./admin.js";
import { confirming, field, h, notAllowed, showProblem, shownOnce, when } from "./dom.js";
import { pagedList } from "./paging.js";

export async function keysScreen(main) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const done = h("p", { class: "done", role: "status" });
  const created = h("div", { class: "created" });
  const list = h("ol", { class: "keys", "aria-label": "API keys" });
  const owners = new Map();
  const pager = pagedList({ list, load: (cursor) => get("/keys", { limit: 50, cursor }), row, empty: "No keys yet.", alert });

  function row(key) {
    const owner = key.owner_id === null ? "service account" : `acts for ${owners.get(key.owner_id) || `account ${key.owner_id}`}`;
    const times = [
      `created ${when(key.created_at)}`,
      key.last_used_at ? `last used ${when(key.last_used_at)}` : "never used",
      key.expires_at ? `expires ${when(key.expires_at)}` : null,
    ];
    return h(
      "li",
      { class: "key", "data-name": key.name },
      h("p", {}, h("strong", {}, key.name), ` ${owner}`, key.revoked_at ? h("span", { class: "revoked" }, ` revoked ${when(key.revoked_at)}`) : null),
      h("p", { class: "meta" }, `${key.scopes.join(", ")} · ${times.filter(Boolean).join(" · ")}`),
      key.revoked_at
        ? null
        : h("div", { class: "actions" }, confirming("Revoke", `Revoke ${key.name}? Requests with it fail at once.`, () => revoke(key), { class: "secondary", name: "revoke" })),
    );
  }

  async function revoke(key) {
    try {
      await call("DELETE", `/keys/${key.id}`);
      await pager.reload();
      done.textContent = `${key.name} was revoked.`;
      list.querySelector(`[data-name="${CSS.escape(key.name)}"]`)?.setAttribute("tabindex", "-1");
      list.querySelector(`[data-name="${CSS.escape(key.name)}"]`)?.focus();
    } catch (problem) {
      showProblem(alert, problem);
    }
  }

  try {
    const people = await get("/users", { limit: 100 });
    for (const person of people.data) owners.set(person.id, person.email);
    await pager.next();
  } catch (problem) {
    if (problem.status === 403) return notAllowed(main, problem);
    showProblem(alert, problem);
  }

  const name = h("input", { name: "name", required: true, autocomplete: "off", "data-pointer": "#/name" });
  const scopes = checkboxes("Scopes", "scopes", SCOPES);
  const owner = h(
    "select",
    { name: "owner", "data-pointer": "#/owner_id" },
    h("option", { value: "" }, "No one: a service account"),
    [...owners].map(([id, email]) => h("option", { value: id }, email)),
  );
  const expires = h("input", { type: "datetime-local", name: "expires", "data-pointer": "#/expires_at" });
  const form = h(
    "form",
    { class: "new-key", novalidate: true, "aria-labelledby": "new-key-heading" },
    h("h2", { id: "new-key-heading" }, "New key"),
    field("Name", name, "Unique; it names the service account when no one owns the key."),
    scopes,
    field("Acts for", owner, "A key that acts for someone never does more than their role allows."),
    field("Expires", expires, "Optional."),
    h("button", { type: "submit" }, "Create the key"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const json = { name: name.value.trim(), scopes: checked(scopes) };
    if (owner.value) json.owner_id = Number(owner.value);
    if (expires.value) json.expires_at = new Date(expires.value).toISOString();
    try {
      const { data } = await call("POST", "/keys", { json });
      showProblem(alert, null, form);
      form.reset();
      created.replaceChildren(
        h("h2", {}, `Key ${data.name}`),
        shownOnce("Its value", data.key, "Shown this once: only a hash of it is kept. Store it now."),
      );
      created.querySelector("input").focus();
      await pager.reload();
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  });
  main.append(...adminHeading("API keys"), alert, done, created, form, h("h2", {}, "Keys"), list, pager.more);
}
