// Article summaries as cards, and lists of them that grow page by page with "More".
import { getPage } from "./api.js";
import { apiHtml, articleUrl, authorUrl, h, image, joinNames, SHOWN_AT, sectionUrl, time } from "./dom.js";

// Only what a card shows (`fields=`): list answers shrink by about 40%.
const CARD_FIELDS = [
  "slug",
  "title",
  "subtitle",
  "excerpt",
  "featured_image.url",
  "featured_image.alt",
  "featured_image.width",
  "featured_image.height",
  "featured_image.srcset",
  "featured_image.sources",
  "featured_image.focal_point",
  "featured_image.placeholder",
  "authors.slug",
  "authors.name",
  "section",
  "published_at",
  "reading_time_minutes",
  "snippet",
].join(",");

export function byline(authors, { withRoles = false } = {}) {
  if (!authors.length) return null;
  const names = authors.map((author) => {
    const link = h("a", { href: authorUrl(author.slug), rel: "author" }, author.name);
    return withRoles && author.role ? h("span", { class: "author" }, link, ", ", h("span", { class: "role" }, author.role)) : link;
  });
  return h("span", { class: "names" }, "By ", joinNames(names));
}

export function card(article, { lead = false, level = 2, label = null } = {}) {
  const picture = article.featured_image;
  return h(
    "article",
    { class: lead ? "card lead" : "card" },
    picture ? image(picture, { className: "card-image", sizes: lead ? SHOWN_AT.lead : SHOWN_AT.card }) : null,
    h(
      "div",
      { class: "card-text" },
      label ? h("p", { class: "label" }, label) : null,
      article.section ? h("p", { class: "kicker" }, h("a", { href: sectionUrl(article.section.slug) }, article.section.name)) : null,
      h(`h${level}`, { class: "card-title" }, h("a", { href: articleUrl(article.slug) }, article.title)),
      // A search snippet is the API's escaped text with <mark> around the matched words.
      article.snippet
        ? apiHtml(h("p", { class: "snippet" }), article.snippet)
        : h("p", { class: "dek" }, article.subtitle || article.excerpt),
      h(
        "p",
        { class: "card-meta" },
        byline(article.authors),
        article.published_at ? [" · ", time(article.published_at)] : null,
        ` · ${article.reading_time_minutes} min read`,
      ),
    ),
  );
}

// A collection's entries in the editors' order, the first as the lead when `leadFirst`.
export function picks(collection, { label, leadFirst = false, level = 2 }) {
  return h(
    "ol",
    { class: "cards picks", "aria-label": label },
    collection.items.map((entry, i) => h("li", {}, card(entry.article, { lead: leadFirst && i === 0, level, label: entry.label }))),
  );
}

// A list that loads the page at `?cursor=` (or the first) and appends the next one on "More".
// The link carries the next cursor too, so it also works opened in a new tab.
export function pagedList({ path, params = {}, label, leadFirst = false, level = 2, empty = "Nothing here yet." }) {
  const list = h("ol", { class: "cards", "aria-label": label });
  const more = h("a", { class: "more", href: "#" }, "More");
  const nav = h("nav", { class: "pagination", "aria-label": `More of ${label}` }, more);
  const element = h("div", { class: "paged-list" }, list, nav);

  async function load(cursor) {
    const page = await getPage(path, { ...params, fields: CARD_FIELDS }, cursor);
    const items = page.data.map((article, i) =>
      h("li", {}, card(article, { lead: leadFirst && !cursor && list.children.length === 0 && i === 0, level })),
    );
    list.append(...items);
    if (!list.children.length) list.replaceWith(h("p", { class: "empty" }, empty));
    const next = page.meta.next_cursor;
    if (next) {
      const url = new URL(location.href);
      url.searchParams.set("cursor", next);
      more.href = url.search;
      more.dataset.cursor = next;
    } else {
      nav.remove();
    }
    return { page, items };
  }

  more.addEventListener("click", async (event) => {
    event.preventDefault();
    if (more.getAttribute("aria-busy")) return;
    more.setAttribute("aria-busy", "true");
    try {
      const { items } = await load(more.dataset.cursor);
      // Keyboard and screen-reader users continue where the new articles start.
      items[0]?.querySelector("a[href^='article.html']")?.focus();
    } finally {
      more.removeAttribute("aria-busy");
    }
  });

  const first = load(new URLSearchParams(location.search).get("cursor") || undefined);
  return { element, first };
}
