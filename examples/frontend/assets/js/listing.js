// A section's or a tag's page: its name and description, then its articles; the page names which.
import { getJson } from "./api.js";
import { pagedList } from "./cards.js";
import { h } from "./dom.js";
import { param, setDescription, setTitle, shell, show, showFailure } from "./layout.js";

const KINDS = {
  section: { collection: "sections", filter: "section" },
  tag: { collection: "tags", filter: "tag" },
};

const main = shell();
const kind = KINDS[document.body.dataset.listing];
const slug = param("slug");
const term = getJson(`/${kind.collection}/${encodeURIComponent(slug)}`);
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
    articles.element,
  );
} catch (error) {
  showFailure(main, error);
}
