// The article page: one request for the article with its related articles, first page of comments
// and the primary author's other articles (`include=`).
import { apiUrl, getJson } from "./api.js";
import { articleBody, contents } from "./body.js";
import { byline, card } from "./cards.js";
import { commentsSection } from "./comments.js";
import { articleUrl, authorUrl, figure, h, image, SHOWN_AT, sectionUrl, tagUrl, time } from "./dom.js";
import { articleHead } from "./head.js";
import { param, shell, show, showFailure } from "./layout.js";

const main = shell();
const slug = param("slug");
// A preview link from the desk reads an unpublished article with its token.
const previewToken = param("preview_token");
const path = `/articles/${encodeURIComponent(slug)}`;

function authorBox(author, others) {
  const id = `author-${author.slug}`;
  return h(
    "section",
    { class: "author-box", "aria-labelledby": id },
    author.avatar_url ? image({ url: author.avatar_url, width: 96, height: 96 }, { className: "avatar" }) : null,
    h(
      "div",
      {},
      h("h2", { id }, h("a", { href: authorUrl(author.slug) }, author.name)),
      author.role ? h("p", { class: "role" }, author.role) : null,
      author.bio ? h("p", { class: "bio" }, author.bio) : null,
      others?.length
        ? [
            h("h3", {}, `More from ${author.name}`),
            h("ul", { class: "author-articles" }, others.map((other) => h("li", {}, h("a", { href: articleUrl(other.slug) }, other.title)))),
          ]
        : null,
      h("p", { class: "more-link" }, h("a", { href: authorUrl(author.slug), "aria-label": `More from ${author.name}` }, "More »")),
    ),
  );
}

function corrections(article) {
  if (!article.corrections.length) return null;
  return h(
    "aside",
    { class: "corrections", "aria-labelledby": "corrections-title" },
    h("h2", { id: "corrections-title" }, article.corrections.length === 1 ? "Correction" : "Corrections"),
    h("ul", {}, article.corrections.map((correction) => h("li", {}, time(correction.published_at), ": ", correction.text))),
  );
}

function story(article, authorArticles) {
  const body = articleBody(article);
  const primary = article.authors[0];
  const others = (authorArticles?.data ?? []).filter((other) => other.slug !== article.slug).slice(0, 3);
  return h(
    "article",
    { class: "story" },
    h(
      "header",
      { class: "story-header" },
      article.section ? h("p", { class: "kicker" }, h("a", { href: sectionUrl(article.section.slug) }, article.section.name)) : null,
      h("h1", {}, article.title),
      article.subtitle ? h("p", { class: "dek" }, article.subtitle) : null,
      h(
        "p",
        { class: "byline" },
        byline(article.authors, { withRoles: true }),
        article.published_at ? h("span", { class: "published" }, time(article.published_at, { withTime: true })) : null,
        h("span", { class: "reading-time" }, `${article.reading_time_minutes} min read`),
        article.comments_open || article.comment_count
          ? h("a", { class: "comment-count", href: "#comments" }, `${article.comment_count} ${article.comment_count === 1 ? "comment" : "comments"}`)
          : null,
      ),
    ),
    article.featured_image ? figure(article.featured_image, { className: "featured", sizes: SHOWN_AT.story }) : null,
    contents(body),
    body,
    corrections(article),
    h(
      "footer",
      { class: "story-footer" },
      h(
        "dl",
        { class: "filed" },
        article.section ? [h("dt", {}, "Section"), h("dd", {}, h("a", { href: sectionUrl(article.section.slug) }, article.section.name))] : null,
        article.tags.length
          ? [h("dt", {}, "Tags"), h("dd", {}, h("ul", { class: "tags" }, article.tags.map((tag) => h("li", {}, h("a", { href: tagUrl(tag.slug), rel: "tag" }, tag.name)))))]
          : null,
      ),
      article.authors.map((author) => authorBox(author, author === primary ? others : null)),
    ),
  );
}

function related(list) {
  if (!list?.data.length) return null;
  return h(
    "section",
    { class: "related", "aria-labelledby": "related-title" },
    h("h2", { id: "related-title" }, "Related Articles"),
    h("ol", { class: "cards" }, list.data.map((article) => h("li", {}, card(article, { level: 3 })))),
  );
}

function mostRead(answer) {
  if (!answer?.data.length) return null;
  return h(
    "aside",
    { class: "most-read", "aria-labelledby": "most-read-title" },
    h("h2", { id: "most-read-title" }, "Most read"),
    h("ol", {}, answer.data.map((entry) => h("li", {}, h("a", { href: articleUrl(entry.article.slug) }, entry.article.title)))),
  );
}

// The box is extra: a failure leaves it out rather than the article.
const popular = getJson("/most-read", { limit: 5 }).catch(() => null);
try {
  const article = await getJson(path, { include: "related,comments,author_articles", preview_token: previewToken });
  // One view per page view, sent without delaying anything; nothing identifies the reader.
  navigator.sendBeacon(apiUrl(`/articles/${encodeURIComponent(article.slug)}/views`));
  // A former slug answers with the article under its current one; the address follows.
  if (article.slug !== slug) history.replaceState(null, "", articleUrl(article.slug));
  const { included } = article;
  articleHead(article);
  show(
    main,
    story(article, included.author_articles),
    related(included.related),
    mostRead(await popular),
    commentsSection(article, included.comments),
  );
  // The address may name a sub-heading or a comment, which exists only now.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
} catch (error) {
  showFailure(main, error);
}
