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

// A srcset from the API, each candidate's URL checked as links are; none left, none given.
function safeSrcset(srcset) {
  const candidates = (srcset ?? "").split(",").map((candidate) => candidate.trim().split(/\s+/));
  return candidates.every(([url]) => safeUrl(url)) ? candidates.map((parts) => parts.join(" ")).join(", ") : null;
}

// How wide site.css shows pictures (`sizes`), for the browser to pick a rendition before layout:
// a story's at its measure, a lead card's in 3/5 of the page, other cards in a column of about 24rem.
export const SHOWN_AT = {
  story: "(max-width: 42rem) 100vw, 40rem",
  lead: "(max-width: 48rem) 100vw, 45rem",
  card: "(max-width: 40rem) 100vw, 24rem",
};

// A picture as the API gives it. One of the media library comes with its size (its place is kept
// while it loads), renditions for the browser to choose from by the width it is shown at (`sizes`),
// WebP sources, a blurred placeholder shown until it arrives, and a focal point that crops keep in
// view. An external picture has only its URL. One that fails to load leaves a quiet placeholder,
// still described by its alt text.
export function image(picture, { sizes = "100vw", className = null } = {}) {
  const srcset = safeSrcset(picture.srcset);
  const img = h("img", {
    src: safeUrl(picture.url),
    alt: picture.alt ?? "",
    loading: "lazy",
    decoding: "async",
    width: picture.width,
    height: picture.height,
    srcset,
    sizes: srcset && sizes,
    class: className,
  });
  const focus = picture.focal_point;
  if (focus) img.style.objectPosition = `${focus.x * 100}% ${focus.y * 100}%`;
  if (/^data:image\/(webp|jpeg|png);base64,[A-Za-z0-9+/=]+$/.test(picture.placeholder ?? "")) {
    img.classList.add("placeholder");
    img.style.backgroundImage = `url("${picture.placeholder}")`;
    img.addEventListener("load", () => img.classList.remove("placeholder"), { once: true });
  }
  const sources = (picture.sources ?? []).map((source) => [source.type, safeSrcset(source.srcset)]).filter(([, set]) => set);
  const shown = sources.length
    ? h("picture", {}, sources.map(([type, set]) => h("source", { type, srcset: set, sizes })), img)
    : img;
  img.addEventListener(
    "error",
    () => {
      const described = picture.alt ? { role: "img", "aria-label": picture.alt } : { "aria-hidden": "true" };
      shown.replaceWith(h("span", { class: `${className ?? ""} missing-image`.trim(), ...described }));
    },
    { once: true },
  );
  return shown;
}

export function figure(picture, { className = "", sizes } = {}) {
  const caption = [picture.caption, picture.credit && h("span", { class: "credit" }, picture.credit)].filter(Boolean);
  return h(
    "figure",
    { class: className || null },
    image(picture, { sizes }),
    caption.length ? h("figcaption", {}, caption.flatMap((part, i) => (i ? [" ", part] : [part]))) : null,
  );
}

export function joinNames(items) {
  return items.flatMap((item, i) => (i === 0 ? [item] : [i === items.length - 1 ? " and " : ", ", item]));
}
