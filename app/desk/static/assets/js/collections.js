// Collections: the editors' ordered picks. The list of them, and one collection's order, moved by
// keyboard (buttons, or Alt+Arrow on a focused pick) or by dragging with the mouse, saved with If-Match so another
// editor's order is never overwritten unseen.
import { call, get, Problem } from "./api.js";
import { field, h, notAllowed, showProblem, uniqueId, when } from "./dom.js";
import { pagedList } from "./paging.js";
import { reorderByPointer, rowActions } from "./reorder.js";

// A new collection, empty, by slug and title: created only (If-None-Match: *), never one already there.
function newCollection(desk) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const slug = h("input", { name: "slug", required: true, maxlength: 100, pattern: "[a-z0-9]+(-[a-z0-9]+)*", "data-parameter": "slug" });
  const title = h("input", { name: "title", required: true, maxlength: 200, "data-pointer": "#/title" });
  const form = h(
    "form",
    { class: "new-collection", "aria-labelledby": "new-collection", novalidate: true },
    h("h2", { id: "new-collection" }, "New collection"),
    alert,
    field("Slug", slug, "Lower-case letters, digits and hyphens: its address in the API."),
    field("Title", title),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = `/collections/${encodeURIComponent(slug.value.trim())}`;
    try {
      await call("PUT", path, { json: { title: title.value.trim(), items: [] }, ifNoneMatch: "*" });
      desk.navigate(`/desk/collection?slug=${encodeURIComponent(slug.value.trim())}`);
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  });
  return form;
}

export async function collectionsScreen(main, desk) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const list = h("ol", { class: "stories", "aria-label": "Collections" });
  const pager = pagedList({
    list,
    load: (cursor) => get("/collections", { limit: 50, cursor }),
    row: (one) =>
      h(
        "li",
        { class: "story", "data-slug": one.slug },
        h("a", { href: `/desk/collection?slug=${encodeURIComponent(one.slug)}` }, one.title),
        h("p", { class: "meta" }, `${one.slug} · at most ${one.max_items} · updated ${when(one.updated_at)}`),
      ),
    empty: "No collections yet.",
    alert,
  });
  main.append(h("h1", {}, "Collections"), alert, list, pager.more, newCollection(desk));
  try {
    await pager.next();
  } catch (problem) {
    showProblem(alert, problem);
  }
}

// The whole order in force now, spares past the maximum included: the newest revision applying by
// now (readers' GET shows only the picks up to the maximum).
function orderInForce(revisions) {
  const now = Date.now();
  let best = null;
  for (const revision of revisions) {
    const from = Date.parse(revision.apply_at || revision.created_at);
    if (from <= now && (!best || from > best.from || (from === best.from && revision.id > best.revision.id))) best = { from, revision };
  }
  return best ? best.revision.items : null;
}

export async function collectionScreen(main, desk, params) {
  const slug = params.get("slug") || "";
  let shown, etag, revisions, sections;
  try {
    [{ data: shown, etag }, revisions, sections] = await Promise.all([
      call("GET", `/collections/${encodeURIComponent(slug)}`),
      get(`/collections/${encodeURIComponent(slug)}/revisions`),
      get("/sections", { limit: 100 }).then((page) => page.data),
    ]);
  } catch (problem) {
    if (problem instanceof Problem && problem.status === 403) return notAllowed(main, problem);
    if (!(problem instanceof Problem)) throw problem;
    main.append(h("h1", {}, "Collection"), h("p", { class: "refusal", role: "alert" }, problem.message));
    return;
  }
  const titles = new Map(shown.items.filter((entry) => entry.picked).map((entry) => [entry.article.slug, entry.article.title]));
  const picked = shown.items.filter((entry) => entry.picked).map((entry) => ({ article: entry.article.slug, label: entry.label }));
  const items = (orderInForce(revisions) || picked).map((item) => ({ article: item.article, label: item.label || "", title: titles.get(item.article) }));
  // Spares past the maximum are not in the answer: their headlines are read one by one.
  await Promise.all(
    items
      .filter((item) => !item.title)
      .map((item) =>
        get(`/articles/${encodeURIComponent(item.article)}`)
          .then((article) => (item.title = article.title))
          .catch(() => {}),
      ),
  );

  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const status = h("p", { class: "save-state", role: "status" });
  const title = h("input", { name: "title", value: shown.title, "data-pointer": "#/title", required: true, maxlength: 200 });
  const maxItems = h("input", { type: "number", name: "max_items", min: 1, max: 100, value: shown.max_items, "data-pointer": "#/max_items" });
  const fallback = h("select", { name: "fallback_section", "data-pointer": "#/fallback_section" }, h("option", { value: "" }, "None"));
  for (const one of sections) fallback.append(h("option", { value: one.slug, selected: one.slug === shown.fallback_section }, one.name));
  const applyAt = h("input", { type: "datetime-local", name: "apply_at", "data-pointer": "#/apply_at" });

  const list = h("ol", { class: "picks", "aria-label": "Picks in order" });
  // Which picks are spares follows the maximum as it is typed.
  maxItems.addEventListener("input", () => render());

  // The focus stays on the moved pick, or on the same button of it.
  function render(focusIndex, focusOn) {
    list.replaceChildren(...items.map(pick));
    const moved = list.children[focusIndex];
    if (moved) (focusOn ? moved.querySelector(`${focusOn}:not(:disabled)`) || moved : moved).focus();
  }

  function move(index, to, focusOn) {
    if (to < 0 || to >= items.length || to === index) return;
    const [one] = items.splice(index, 1);
    items.splice(to, 0, one);
    render(to, focusOn);
    status.textContent = `${one.title || one.article} moved to place ${to + 1} of ${items.length}; not saved yet.`;
  }

  function pick(item, index) {
    const name = item.title || item.article;
    const label = h("input", { value: item.label, maxlength: 60, "data-pointer": `#/items/${index}/label`, id: uniqueId("label") });
    label.addEventListener("input", () => {
      item.label = label.value;
    });
    const spare = index >= Number(maxItems.value) ? h("span", { class: "count" }, " (spare)") : null;
    const row = h(
      "li",
      { class: "pick", tabindex: "0", "data-slug": item.article, "data-pointer": `#/items/${index}/article`, "aria-label": `${index + 1}. ${name}` },
      h("p", { class: "pick-title" }, `${index + 1}. `, name, spare),
      h("label", { for: label.id }, "Kicker"),
      label,
      rowActions(name, index, items.length, {
        up: () => move(index, index - 1, ".up"),
        down: () => move(index, index + 1, ".down"),
        remove: () => {
          items.splice(index, 1);
          render(Math.min(index, items.length - 1));
          status.textContent = `${name} removed; not saved yet.`;
        },
      }),
    );
    row.addEventListener("keydown", (event) => {
      if (event.target !== row || !event.altKey || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
      event.preventDefault();
      move(index, index + (event.key === "ArrowUp" ? -1 : 1));
    });
    // Dragging is the mouse's way; the buttons and Alt+Arrow are the keyboard's.
    reorderByPointer(row, list, index, move);
    return row;
  }

  const words = h("input", { type: "search", name: "q" });
  const found = h("ul", { class: "found", "aria-label": "Stories found" });
  const search = h("form", { role: "search", class: "add-pick" }, field("Add a story: search its words", words), h("button", { type: "submit" }, "Search"), found);
  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await get("/articles", { q: words.value.trim(), limit: 10, fields: "slug,title" }).catch((problem) => {
      showProblem(alert, problem);
      return { data: [] };
    });
    const fresh = answer.data.filter((story) => !items.some((item) => item.article === story.slug));
    found.replaceChildren(
      ...fresh.map((story) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              "data-slug": story.slug,
              onclick: (click) => {
                items.push({ article: story.slug, label: "", title: story.title });
                click.currentTarget.closest("li").remove();
                render(items.length - 1);
                status.textContent = `${story.title} added at place ${items.length}; not saved yet.`;
              },
            },
            `Add ${story.title}`,
          ),
        ),
      ),
      fresh.length ? null : h("li", {}, "Nothing found that is not in the collection already."),
    );
  });

  const conflict = h("div", { class: "conflict", hidden: true, tabindex: "-1" });
  const form = h(
    "form",
    { class: "collection" },
    field("Title", title),
    field("Readers see at most", maxItems, "Picks past this are spares: they move up when one before them is hidden."),
    field("Fill the rest with the newest of", fallback),
    list,
    field("Apply at", applyAt, "Leave empty to apply now; a time sets this order for then (title and settings change now)."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save order"), status),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      title: title.value,
      max_items: Number(maxItems.value),
      fallback_section: fallback.value || null,
      items: items.map((item) => ({ article: item.article, label: item.label.trim() || null })),
      apply_at: applyAt.value ? new Date(applyAt.value).toISOString() : null,
    };
    try {
      const saved = await call("PUT", `/collections/${encodeURIComponent(slug)}`, { json: body, ifMatch: etag });
      etag = saved.etag;
      showProblem(alert, null, form);
      applyAt.value = "";
      scheduled.replaceChildren(...scheduledOrders(saved.data.scheduled));
      status.textContent = body.apply_at ? `Saved: this order applies at ${when(body.apply_at)}.` : "Saved.";
    } catch (problem) {
      if (problem instanceof Problem && problem.status === 412) return changedElsewhere();
      showProblem(alert, problem, form);
    }
  });

  // Someone saved this collection since it was opened: say so, keep this order on screen, and let
  // the editor load theirs (and make the change again) rather than overwrite it.
  function changedElsewhere() {
    const reload = h("button", { type: "button" }, "Load their order");
    reload.addEventListener("click", () => desk.navigate(location.pathname + location.search, { replace: true }));
    conflict.replaceChildren(
      h("h2", {}, "Someone else changed this collection"),
      h("p", {}, "It was saved by someone else after you opened it, so your order was not saved. Load theirs and make your change again."),
      reload,
    );
    conflict.hidden = false;
    conflict.focus();
  }

  const scheduled = h("ul", { class: "scheduled", "aria-label": "Orders set for later" }, scheduledOrders(shown.scheduled));
  main.append(
    h("div", { class: "heading" }, h("h1", {}, shown.title), h("a", { href: "/desk/collections" }, "All collections")),
    conflict,
    alert,
    form,
    search,
    h("h2", {}, "Set for later"),
    scheduled,
  );
  render();
}

function scheduledOrders(orders) {
  if (!orders?.length) return [h("li", {}, "No order is set for later.")];
  return orders.map((order) => h("li", {}, `${when(order.apply_at)}: ${order.items.map((item) => item.article).join(", ")}`));
}
