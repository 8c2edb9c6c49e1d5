// The front page: the editors' `home` collection when there is one (its lead, then its slots), then
// the newest articles; without it, the newest articles with the first as the lead.
import { getJson } from "./api.js";
import { pagedList, picks } from "./cards.js";
import { h } from "./dom.js";
import { setDescription, setTitle, shell, show, showFailure } from "./layout.js";

const main = shell();
setTitle();
setDescription("The latest news, analysis and reporting.");
// Asked of the list, so a site without a `home` collection gets no 404 on every visit.
async function home() {
  const collections = await getJson("/collections", { limit: 100 });
  return collections.data.some((collection) => collection.slug === "home") ? getJson("/collections/home") : null;
}

try {
  const front = await home();
  const curated = front?.items.length ? front : null;
  const latest = pagedList({ path: "/articles", params: { limit: 10 }, label: "Latest articles", leadFirst: !curated });
  await latest.first;
  show(
    main,
    h("h1", { class: "visually-hidden" }, curated ? curated.title : "Latest news"),
    curated ? [picks(curated, { label: "Top stories", leadFirst: true }), h("h2", { class: "latest-title" }, "Latest")] : null,
    latest.element,
  );
} catch (error) {
  showFailure(main, error);
}
