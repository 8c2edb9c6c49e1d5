// Administrators' webhooks: the endpoints, a new one (its signing secret shown this once), changing
// and removing one, a test ping, and each one's delivery log.
import { call, get } from "./api.js";
import { adminHeading, checkboxes, checked, EVENTS } from "./admin.js";
import { confirming, field, h, notAllowed, showProblem, shownOnce, uniqueId, when } from "./dom.js";
import { pagedList } from "./paging.js";

function endpointForm(hook, submit, label) {
  const url = h("input", { type: "url", name: "url", required: true, value: hook?.url || "", "data-pointer": "#/url", autocomplete: "off" });
  const events = checkboxes("Events", "events", EVENTS, hook?.events || []);
  const description = h("input", { name: "description", value: hook?.description || "", "data-pointer": "#/description" });
  const form = h(
    "form",
    { class: "endpoint", novalidate: true, "aria-label": label },
    field("URL", url, "Where events are POSTed, signed with the endpoint's secret."),
    events,
    field("Description", description),
    h("button", { type: "submit" }, hook ? "Save" : "Add the endpoint"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, { url: url.value.trim(), events: checked(events), description: description.value.trim() });
  });
  return form;
}

function deliveryLog(hook, alert) {
  const list = h("ol", { class: "deliveries", "aria-label": `Deliveries to ${hook.url}` });
  const pager = pagedList({
    list,
    load: (cursor) => get(`/webhooks/${hook.id}/deliveries`, { limit: 20, cursor }),
    row: (attempt) =>
      h(
        "li",
        { class: `delivery ${attempt.outcome}` },
        h("strong", {}, attempt.outcome),
        ` ${attempt.event_type} · attempt ${attempt.attempt} · ${when(attempt.attempted_at)} · `,
        attempt.status_code === null ? "no answer" : `HTTP ${attempt.status_code}`,
        ` in ${attempt.duration_ms} ms`,
        attempt.error ? h("span", { class: "meta" }, ` · ${attempt.error}`) : null,
      ),
    empty: "Nothing delivered yet.",
    alert,
  });
  return { element: h("div", { class: "log" }, list, pager.more), pager };
}

export async function webhooksScreen(main) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const done = h("p", { class: "done", role: "status" });
  const created = h("div", { class: "created" });
  const list = h("ol", { class: "webhooks", "aria-label": "Endpoints" });
  const pager = pagedList({ list, load: (cursor) => get("/webhooks", { limit: 50, cursor }), row, empty: "No endpoints yet.", alert });

  function row(hook) {
    const item = h(
      "li",
      { class: "webhook", "data-id": hook.id, tabindex: "-1" },
      h("p", { class: "url" }, h("strong", {}, hook.url)),
      h("p", { class: "meta" }, [hook.events.join(", "), hook.description, `added ${when(hook.created_at)}`].filter(Boolean).join(" · ")),
    );
    const panel = h("div", { class: "panel", id: uniqueId("webhook") });
    const toggles = [];
    // Each toggle opens its panel under the endpoint, closing the other.
    function toggle(label, name, open) {
      const button = h("button", { type: "button", class: "secondary", name, "aria-expanded": "false", "aria-controls": panel.id }, label);
      button.addEventListener("click", async () => {
        const wasOpen = button.getAttribute("aria-expanded") === "true";
        for (const other of toggles) other.setAttribute("aria-expanded", "false");
        panel.replaceChildren();
        if (wasOpen) return;
        button.setAttribute("aria-expanded", "true");
        await open();
      });
      toggles.push(button);
      return button;
    }
    const edit = toggle("Change", "change", () => {
      const form = endpointForm(hook, async (form, json) => {
        try {
          const { data } = await call("PATCH", `/webhooks/${hook.id}`, { json });
          const fresh = row(data);
          item.replaceWith(fresh);
          showProblem(alert, null);
          done.textContent = `${data.url} saved.`;
          fresh.focus();
        } catch (problem) {
          showProblem(alert, problem, form);
        }
      }, `Change ${hook.url}`);
      panel.append(form);
      form.querySelector("input").focus();
    });
    const log = toggle("Deliveries", "deliveries", async () => {
      const { element, pager: attempts } = deliveryLog(hook, alert);
      panel.append(h("p", { class: "thread-label" }, "Delivery attempts, newest first"), element);
      try {
        await attempts.next();
      } catch (problem) {
        showProblem(alert, problem);
      }
    });
    const ping = h("button", { type: "button", class: "secondary", name: "test" }, "Send a test");
    ping.addEventListener("click", async () => {
      try {
        const { data } = await call("POST", `/webhooks/${hook.id}/test`);
        done.textContent = `A ${data.event_type} event is queued for ${hook.url}; its attempts show under Deliveries.`;
      } catch (problem) {
        showProblem(alert, problem);
      }
    });
    const remove = confirming("Remove", `Remove ${hook.url} and its log?`, async () => {
      try {
        await call("DELETE", `/webhooks/${hook.id}`);
        await pager.reload();
        done.textContent = `${hook.url} was removed.`;
        main.querySelector("h1").setAttribute("tabindex", "-1");
        main.querySelector("h1").focus();
      } catch (problem) {
        showProblem(alert, problem);
      }
    }, { class: "secondary", name: "remove" });
    item.append(h("div", { class: "actions" }, edit, log, ping, remove), panel);
    return item;
  }

  try {
    await pager.next();
  } catch (problem) {
    if (problem.status === 403) return notAllowed(main, problem);
    showProblem(alert, problem);
  }
  const form = endpointForm(null, async (form, json) => {
    try {
      const { data } = await call("POST", "/webhooks", { json });
      showProblem(alert, null, form);
      form.reset();
      created.replaceChildren(
        h("h2", {}, `Endpoint ${data.url}`),
        shownOnce("Its signing secret", data.secret, "Shown this once: the receiver verifies signatures with it."),
      );
      created.querySelector("input").focus();
      await pager.reload();
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  }, "New endpoint");
  main.append(
    ...adminHeading("Webhooks"),
    alert,
    done,
    created,
    h("h2", {}, "New endpoint"),
    form,
    h("h2", {}, "Endpoints"),
    list,
    pager.more,
  );
}
