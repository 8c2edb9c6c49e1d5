// The article body from its blocks. Paragraph, quote and list text is the API's sanitised inline HTML;
// headings, captions, credits and embed titles are plain text.
import { apiHtml, figure, h, SHOWN_AT, safeUrl } from "./dom.js";

// Sub-heading anchors are the API's own (the ids in body_html, in order), so #links agree across frontends.
function headingAnchors(bodyHtml) {
  return [...(bodyHtml ?? "").matchAll(/<h[2-6] id="([^"]+)"/g)].map((match) => match[1]);
}

function heading(block, anchor) {
  const level = Math.min(Math.max(block.level ?? 2, 2), 6);
  return h(
    `h${level}`,
    { id: anchor },
    block.text,
    anchor ? h("a", { class: "anchor", href: `#${anchor}`, "aria-label": `Link to “${block.text}”` }, "#") : null,
  );
}

function embed(block) {
  const link = h("a", { href: safeUrl(block.url) }, block.title || block.url);
  return h(
    "figure",
    { class: "embed" },
    h("p", {}, block.provider ? h("span", { class: "provider" }, `${block.provider}: `) : null, link),
    block.caption ? h("figcaption", {}, block.caption) : null,
  );
}

function render(block, anchor) {
  switch (block.type) {
    case "paragraph":
      return apiHtml(h("p"), block.text);
    case "heading":
      return heading(block, anchor);
    case "quote":
      return h(
        "figure",
        { class: "quote" },
        h("blockquote", {}, apiHtml(h("p"), block.text)),
        block.cite ? h("figcaption", {}, "— ", h("cite", {}, block.cite)) : null,
      );
    case "list":
      return h(
        block.style === "ordered" ? "ol" : "ul",
        {},
        block.items.map((item) => apiHtml(h("li"), item)),
      );
    case "image":
      return figure(block, { sizes: SHOWN_AT.story });
    case "embed":
      return embed(block);
  }
}

const KNOWN = new Set(["paragraph", "heading", "quote", "list", "image", "embed"]);

export function articleBody(article) {
  // A block type newer than this page: body_html, rendered and sanitised by the API, shows it all.
  if (!article.body.every((block) => KNOWN.has(block.type))) {
    return apiHtml(h("div", { class: "story-body" }), article.body_html);
  }
  const anchors = headingAnchors(article.body_html);
  let headings = 0;
  const blocks = article.body.map((block) => render(block, block.type === "heading" ? anchors[headings++] : undefined));
  return h("div", { class: "story-body" }, blocks);
}

// "In this article": the sub-headings, linked by their anchors.
export function contents(body) {
  const links = [...body.querySelectorAll("h2[id]")].map((heading) =>
    h("li", {}, h("a", { href: `#${heading.id}` }, heading.firstChild.textContent)),
  );
  if (links.length < 2) return null;
  return h("nav", { class: "contents", "aria-labelledby": "contents-title" }, h("h2", { id: "contents-title" }, "In this article"), h("ol", {}, links));
}
