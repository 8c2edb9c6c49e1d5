// Stories by status with their counts, filtered by section, author and words, a page at a time.
import { get, latestOnly } from "./api.js";
import { field, h, showProblem, when } from "./dom.js";
import { pagedList } from "./paging.js";

// Each tab and the list filters it stands for; embargoed stories are published ones not yet lifted.
const TABS = [
  ["draft", "Drafts", { status: "draft" }],
  ["scheduled", "Scheduled", { status: "scheduled" }],
  ["embargoed", "Embargoed", { status: "published", embargoed: "true" }],
  ["published", "Published", { status: "published" }],
  ["archived", "Archived", { status: "archived" }],
];

const embargoed = (story) => story.embargo_until && new Date(story.embargo_until) > new Date();

export async function storiesScreen(main, desk, params) {
  const tab = TABS.find(([name]) => name === params.get("status")) || TABS[0];
  const status = tab[0];
  const filters = { section: params.get("section") || "", author: params.get("author") || "", q: params.get("q") || "" };
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const address = (changes) => `/desk?${new URLSearchParams(Object.entries({ status, ...filters, ...changes }).filter(([, v]) => v))}`;

  const [sections, counts] = await Promise.all([
    get("/sections", { limit: 100 }).then((page) => page.data).catch(() => []),
    Promise.all(
      TABS.map(([, , shown]) =>
        get("/articles", { ...shown, ...filters, limit: 1, fields: "slug" }).then((page) => page.meta.total).catch(() => null),
      ),
    ),
  ]);

  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Stories by status" },
    TABS.map(([name, label], index) =>
      h(
        "a",
        { href: address({ status: name }), "aria-current": name === status ? "page" : null, "data-status": name },
        label,
        counts[index] === null ? null : h("span", { class: "count" }, ` ${counts[index]}`),
      ),
    ),
  );

  const section = h("select", { name: "section", "data-parameter": "section" }, h("option", { value: "" }, "Every section"));
  for (const one of sections) section.append(h("option", { value: one.slug, selected: one.slug === filters.section }, one.name));
  const author = h("input", { name: "author", value: filters.author, list: "author-slugs", autocomplete: "off", "data-parameter": "author" });
  const authorSlugs = h("datalist", { id: "author-slugs" });
  const latest = latestOnly();
  author.addEventListener("input", async () => {
    const found = await latest(author.value.length < 2 ? null : get("/authors", { q: author.value, limit: 10 }).catch(() => ({ data: [] })));
    if (!found) return;
    authorSlugs.replaceChildren(...found.data.map((one) => h("option", { value: one.slug }, one.name)));
  });
  const words = h("input", { type: "search", name: "q", value: filters.q, "data-parameter": "q" });
  const form = h(
    "form",
    { class: "filters", role: "search" },
    field("Section", section),
    field("Author", author, "An author's slug"),
    authorSlugs,
    field("Words", words),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    desk.navigate(address({ section: section.value, author: author.value.trim(), q: words.value.trim() }));
  });

  const list = h("ol", { class: "stories", "aria-label": "Stories" });
  const pager = pagedList({
    list,
    load: (cursor) => get("/articles", { ...tab[2], ...filters, limit: 20, cursor }),
    row,
    empty: "No stories here.",
    alert,
  });

  main.append(
    h("div", { class: "heading" }, h("h1", {}, "Stories"), h("a", { class: "button", href: "/desk/new" }, "New story")),
    tabs,
    form,
    alert,
    list,
    pager.more,
  );
  try {
    await pager.next();
  } catch (problem) {
    showProblem(alert, problem, form);
  }
}

function row(story) {
  return h(
    "li",
    { class: "story", "data-slug": story.slug },
    h("a", { href: `/desk/edit?slug=${encodeURIComponent(story.slug)}` }, story.title),
    h(
      "p",
      { class: "meta" },
      [
        story.section?.name,
        story.authors.map((one) => one.name).join(", "),
        embargoed(story) ? `embargoed until ${when(story.embargo_until)}` : null,
        story.published_at ? when(story.published_at) : `updated ${when(story.updated_at)}`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}
