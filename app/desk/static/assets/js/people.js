// Administrators' people screen: the accounts with their role, sections and state; invitations;
// changing a role or sections; deactivating and reactivating.
import { call, get } from "./api.js";
import { adminHeading, listOf, ROLES } from "./admin.js";
import { confirming, field, h, notAllowed, showProblem } from "./dom.js";
import { pagedList } from "./paging.js";

function roleSelect(chosen) {
  return h("select", { name: "role", "data-pointer": "#/role" }, ROLES.map((role) => h("option", { value: role, selected: role === chosen }, role)));
}

const sectionsInput = (sections = []) =>
  h("input", { name: "sections", value: sections.join(", "), "data-pointer": "#/sections", autocomplete: "off" });
const SECTIONS_HINT = "Section slugs, separated by commas; empty for every section.";

export async function peopleScreen(main) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const done = h("p", { class: "done", role: "status" });
  const list = h("ol", { class: "people", "aria-label": "Accounts" });
  const pager = pagedList({ list, load: (cursor) => get("/users", { limit: 50, cursor }), row, empty: "No accounts yet.", alert });

  function row(account) {
    const state = !account.is_active ? (account.invited ? "invited, not joined yet" : "deactivated") : "active";
    const item = h(
      "li",
      { class: "person", "data-email": account.email },
      h("p", {}, h("strong", {}, account.name), ` ${account.email}`),
      h("p", { class: "meta" }, `${account.role} · ${account.sections.length ? account.sections.join(", ") : "every section"} · ${state}`),
    );
    const change = h("button", { type: "button", class: "secondary", name: "change", "aria-expanded": "false" }, "Change role or sections");
    const actions = h("div", { class: "actions" }, change);
    if (account.is_active) {
      actions.append(confirming("Deactivate", `Deactivate ${account.email}?`, () => update(account, { is_active: false }), { class: "secondary", name: "deactivate" }));
    } else if (!account.invited) {
      actions.append(h("button", { type: "button", class: "secondary", name: "reactivate", onclick: () => update(account, { is_active: true }) }, "Reactivate"));
    }
    item.append(actions);
    change.addEventListener("click", () => {
      if (item.querySelector("form")) {
        item.querySelector("form").remove();
        change.setAttribute("aria-expanded", "false");
        return;
      }
      const role = roleSelect(account.role);
      const sections = sectionsInput(account.sections);
      const form = h(
        "form",
        { class: "change", novalidate: true, "aria-label": `Change ${account.email}` },
        field("Role", role),
        field("Sections", sections, SECTIONS_HINT),
        h("button", { type: "submit" }, "Save"),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        update(account, { role: role.value, sections: listOf(sections.value) }, form);
      });
      change.setAttribute("aria-expanded", "true");
      item.append(form);
      role.focus();
    });
    return item;
  }

  async function update(account, changes, form) {
    try {
      const { data } = await call("PATCH", `/users/${account.id}`, { json: changes });
      const old = list.querySelector(`[data-email="${CSS.escape(account.email)}"]`);
      const fresh = row(data);
      old.replaceWith(fresh);
      showProblem(alert, null);
      done.textContent = `${data.email} saved: ${data.role}, ${data.is_active ? "active" : "deactivated"}.`;
      fresh.querySelector("button").focus();
    } catch (problem) {
      showProblem(alert, problem, form || document);
    }
  }

  try {
    await pager.next();
  } catch (problem) {
    if (problem.status === 403) return notAllowed(main, problem);
    showProblem(alert, problem);
  }

  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "off", "data-pointer": "#/email" });
  const name = h("input", { name: "name", required: true, autocomplete: "off", "data-pointer": "#/name" });
  const role = roleSelect("contributor");
  const sections = sectionsInput();
  const invite = h(
    "form",
    { class: "invite", novalidate: true, "aria-labelledby": "invite-heading" },
    h("h2", { id: "invite-heading" }, "Invite someone"),
    h("div", { class: "filters" }, field("Email", email), field("Name", name), field("Role", role), field("Sections", sections, SECTIONS_HINT)),
    h("button", { type: "submit" }, "Send the invitation"),
  );
  invite.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const json = { email: email.value.trim(), name: name.value.trim(), role: role.value, sections: listOf(sections.value) };
      const { data } = await call("POST", "/users/invites", { json });
      showProblem(alert, null, invite);
      done.textContent = `Invitation sent to ${data.email}.`;
      invite.reset();
      await pager.reload();
    } catch (problem) {
      showProblem(alert, problem, invite);
    }
  });
  main.append(...adminHeading("People"), alert, done, invite, h("h2", {}, "Accounts"), list, pager.more);
}
