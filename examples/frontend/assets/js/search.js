// Search: the API's full-text matches, most relevant first, with the matched words highlighted.
import { pagedList } from "./cards.js";
import { h } from "./dom.js";
import { param, setTitle, shell, show, showFailure } from "./layout.js";

const query = param("q").trim();
const main = shell({ query });
setTitle(query ? `Search: ${query}` : "Search");
if (!query) {
  show(main, h("h1", {}, "Search"), h("p", {}, "Type words to look for in the box above."));
} else {
  const results = pagedList({ path: "/articles", params: { q: query, limit: 10 }, label: "Search results", empty: "No articles match." });
  try {
    const { page } = await results.first;
    const found = page.meta.total === 1 ? "1 article" : `${page.meta.total} articles`;
    show(main, h("h1", {}, `Results for “${query}”`), h("p", { class: "count" }, found), results.element);
  } catch (error) {
    showFailure(main, error);
  }
}
