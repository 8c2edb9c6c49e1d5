// What every page shares: masthead with the sections, search, the footer, the title, and error pages.
import { getJson, Problem } from "./api.js";
import { API_BASE, SITE_NAME } from "./config.js";
import { h, sectionUrl } from "./dom.js";

// Started at once, alongside the page's own request: the section list never waits for it.
export function shell({ query = "" } = {}) {
  const sections = h("ul", { class: "sections" });
  const header = h(
    "header",
    { class: "site-header", id: "top" },
    h("a", { class: "skip-link", href: "#main" }, "Skip to content"),
    h(
      "div",
      { class: "masthead" },
      h("a", { class: "site-name", href: "./" }, SITE_NAME),
      h(
        "form",
        { class: "search-form", role: "search", action: "search.html", method: "get" },
        h("label", { for: "site-search", class: "visually-hidden" }, "Search articles"),
        h("input", { id: "site-search", type: "search", name: "q", value: query, placeholder: "Search", required: true }),
        h("button", { type: "submit" }, "Search"),
      ),
    ),
    h("nav", { class: "section-nav", "aria-label": "Sections" }, sections),
  );
  const footer = h(
    "footer",
    { class: "site-footer" },
    h("p", {}, h("a", { href: "#top", class: "back-to-top" }, "Back to top")),
    h("p", {}, "Built on the Byline API · ", h("a", { href: `${API_BASE}/docs` }, "API documentation")),
  );
  const main = document.getElementById("main");
  document.body.prepend(header);
  document.body.append(footer);
  getJson("/sections", { limit: 100 })
    .then((page) => {
      sections.append(...page.data.map((section) => h("li", {}, h("a", { href: sectionUrl(section.slug) }, section.name))));
    })
    .catch(() => sections.remove());
  return main;
}

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), SITE_NAME].join(" — ");
}

export function setDescription(text) {
  if (text) meta("name", "description", text);
}

export function meta(kind, key, content) {
  const tag = h("meta", { [kind]: key, content });
  document.head.append(tag);
  return tag;
}

// The page's content, once it is ready: replaces the loading note and tells assistive technology.
// Parts a page may leave out (null) are skipped, as h() skips them.
export function show(main, ...content) {
  main.replaceChildren(...content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false));
  main.removeAttribute("aria-busy");
}

export function showFailure(main, error) {
  const missing = error instanceof Problem && error.status === 404;
  const heading = missing ? "Not found" : "Something went wrong";
  setTitle(heading);
  const detail = missing
    ? "There is nothing at this address. It may have been moved or unpublished."
    : error instanceof Problem
      ? error.message
      : "The newsroom could not be reached. Please try again in a moment.";
  show(main, h("section", { class: "failure" }, h("h1", {}, heading), h("p", {}, detail), h("p", {}, h("a", { href: "./" }, "Go to the front page"))));
}

export function param(name) {
  return new URLSearchParams(location.search).get(name) ?? "";
}
