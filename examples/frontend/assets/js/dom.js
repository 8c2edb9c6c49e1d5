// Building the page. Plain-text fields only ever become text nodes or attribute values; the fields
// the API documents as sanitised HTML (body block text, body_html, content_html, snippet) go through
// apiHtml, the one place HTML is inserted, which the page's Trusted Types policy enforces.

const htmlPolicy = window.trustedTypes?.createPolicy("byline-api-html", { createHTML: (html) => html });

export function apiHtml(element, html) {
  element.innerHTML = htmlPolicy ? htmlPolicy.createHTML(html) : html;
  return element;
}

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

// Links from content are http(s) or mailto; anything else (javascript:, data:) is dropped.
export function safeUrl(url) {
  try {
    return ["http:", "https:", "mailto:"].includes(new URL(url, location.href).protocol) ? url : null;
  } catch {
    return null;
  }
}

export const pageUrl = (page, params) => `${page}.html?${new URLSearchParams(params)}`;
export const articleUrl = (slug) => pageUrl("article", { slug });
export const authorUrl = (slug) => pageUrl("author", { slug });
export const sectionUrl = (slug) => pageUrl("section", { slug });
export const tagUrl = (slug) => pageUrl("tag", { slug });

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeStyle: "short" });

export function time(iso, { withTime = false } = {}) {
  return h("time", { datetime: iso }, (withTime ? dateTimeFormat : dateFormat).format(new Date(iso)));
}

// Images live on other hosts; one that fails to load leaves a quiet placeholder, still described by its alt text.
export function image(url, alt, attributes = {}) {
  const img = h("img", { src: safeUrl(url), alt: alt ?? "", loading: "lazy", decoding: "async", ...attributes });
  img.addEventListener(
    "error",
    () => {
      const described = alt ? { role: "img", "aria-label": alt } : { "aria-hidden": "true" };
      img.replaceWith(h("span", { class: `${img.className} missing-image`.trim(), ...described }));
    },
    { once: true },
  );
  return img;
}

export function figure(picture, { className = "" } = {}) {
  const caption = [picture.caption, picture.credit && h("span", { class: "credit" }, picture.credit)].filter(Boolean);
  return h(
    "figure",
    { class: className || null },
    image(picture.url, picture.alt),
    caption.length ? h("figcaption", {}, caption.flatMap((part, i) => (i ? [" ", part] : [part]))) : null,
  );
}

export function joinNames(items) {
  return items.flatMap((item, i) => (i === 0 ? [item] : [i === items.length - 1 ? " and " : ", ", item]));
}
