// The article's page head: title, description, canonical link, Open Graph and Twitter tags (`seo`),
// and schema.org JSON-LD (`structured_data`), where the API provides them.
import { h } from "./dom.js";
import { meta, setDescription, setTitle } from "./layout.js";

// JSON-LD is data the browser never runs; the policy exists because Trusted Types guard every <script>'s text.
const jsonLdPolicy = window.trustedTypes?.createPolicy("byline-json-ld", { createScript: (json) => json });

export function articleHead(article) {
  setTitle(article.title);
  const seo = article.seo;
  if (seo) {
    setDescription(seo.description);
    document.head.append(h("link", { rel: "canonical", href: seo.canonical_url }));
    for (const [property, value] of Object.entries(seo.open_graph ?? {})) {
      for (const one of [].concat(value)) meta("property", property, one);
    }
    for (const [name, value] of Object.entries(seo.twitter ?? {})) meta("name", name, value);
  } else {
    setDescription(article.subtitle || article.excerpt);
  }
  if (article.structured_data) {
    const script = h("script", { type: "application/ld+json" });
    const json = JSON.stringify(article.structured_data);
    script.text = jsonLdPolicy ? jsonLdPolicy.createScript(json) : json;
    document.head.append(script);
  }
}
