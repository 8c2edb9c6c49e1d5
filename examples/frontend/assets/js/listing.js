// A section's or a tag's page: its name and description, then its articles; the page names which.
import { getJson } from "./api.js";
import { pagedList, picks } from "./cards.js";
import { h } from "./dom.js";
import { param, setDescription, setTitle, shell, show, showFailure } from "./layout.js";

const KINDS = {
  section: { collection: "sections", filter: "section" },
  tag: { collection: "tags", filter: "tag" },
};

function editorsPicks(collection) {
  if (!collection?.items.length) return null;
  return h(
    "section",
    { class: "editors-picks", "aria-labelledby": "picks-title" },
    h("h2", { id: "picks-title" }, "Editors' picks"),
    picks(collection, { label: "Editors' picks", level: 3 }),
  );
}

const main = shell();
const kind = KINDS[document.body.dataset.listing];
const slug = param("slug");
// A section's page shows its editors' picks first, when it names a collection of them.
const term = getJson(`/${kind.collection}/${encodeURIComponent(slug)}`, kind.filter === "section" ? { include: "editors_picks" } : {});
const articles = pagedList({ path: "/articles", params: { [kind.filter]: slug, limit: 10 }, label: "Articles", level: 2 });
try {
  const shown = await term;
  await articles.first;
  setTitle(shown.name);
  setDescription(shown.description);
  show(
    main,
    h(
      "header",
      { class: "listing-header" },
      h("h1", {}, shown.name),
      shown.description ? h("p", { class: "dek" }, shown.description) : null,
      h("p", { class: "count" }, `${shown.article_count} ${shown.article_count === 1 ? "article" : "articles"}`),
    ),
    editorsPicks(shown.included?.editors_picks),
    articles.element,
  );
} catch (error) {
  showFailure(main, error);
}
