// An author's page: profile, links and their articles, newest first, fetched side by side.
import { getJson } from "./api.js";
import { pagedList } from "./cards.js";
import { h, image, safeUrl } from "./dom.js";
import { param, setDescription, setTitle, shell, show, showFailure } from "./layout.js";

const main = shell();
const slug = encodeURIComponent(param("slug"));
const author = getJson(`/authors/${slug}`);
const articles = pagedList({ path: `/authors/${slug}/articles`, params: { limit: 10 }, label: "Articles", level: 3 });
try {
  const profile = await author;
  await articles.first;
  setTitle(profile.name);
  setDescription(profile.bio);
  show(
    main,
    h(
      "header",
      { class: "profile" },
      profile.avatar_url ? image({ url: profile.avatar_url, width: 128, height: 128 }, { className: "avatar" }) : null,
      h(
        "div",
        {},
        h("h1", {}, profile.name),
        profile.role ? h("p", { class: "role" }, profile.role) : null,
        profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
        profile.links.length
          ? h("ul", { class: "profile-links" }, profile.links.map((link) => h("li", {}, h("a", { href: safeUrl(link.url), rel: "me" }, link.label))))
          : null,
      ),
    ),
    h(
      "section",
      { "aria-labelledby": "articles-title" },
      h("h2", { id: "articles-title" }, `Articles by ${profile.name}`, h("span", { class: "count" }, ` (${profile.article_count})`)),
      articles.element,
    ),
  );
} catch (error) {
  showFailure(main, error);
}
