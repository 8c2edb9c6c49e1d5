// A saved story's other tools, beside the editor: its embargo, its corrections (shown under the
// body), and its revisions with what each differs from now and a way back to it. Each write saves
// the editor's pending changes first and names the version it acts on (If-Match).
import { call, get, latestOnly } from "./api.js";
import { confirming, field, h, showProblem, when } from "./dom.js";
import { pagedList } from "./paging.js";

// `story`: {article, etag} as the editor holds them now, `typed()` its fields as on screen,
// `written(article, etag)` to take a write's answer, `save()` for the pending changes; `reload()`
// shows the story afresh.
export function storyTools(story, reload) {
  const path = (tail = "") => `/articles/${encodeURIComponent(story.article.slug)}${tail}`;

  async function act(alert, scope, run) {
    if (!(await story.save())) return false;
    try {
      const answer = await run();
      story.written(answer.data, answer.etag);
      showProblem(alert, null, scope);
      return true;
    } catch (problem) {
      showProblem(alert, problem, scope);
      return false;
    }
  }

  const embargo = embargoPanel(story, path, act);
  const corrections = correctionsPanel(story, path, act);
  const revisions = revisionsPanel(story, path, reload);
  const pins = pinsPanel(story, path);
  const seo = seoPanel(story, path, act);
  return {
    embargo: embargo.element,
    corrections: corrections.element,
    revisions: revisions.element,
    pins: pins.element,
    seo: seo.element,
    refresh() {
      embargo.refresh();
      corrections.refresh();
      seo.refresh();
    },
    // The words typed in the editor, before they are saved.
    typed: seo.preview,
  };
}

// A datetime-local value in the browser's own time zone, from an ISO time.
function local(iso) {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function embargoPanel(story, path, act) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const state = h("p", { class: "embargo-state" });
  const until = h("input", { type: "datetime-local", name: "embargo-until", "data-pointer": "#/embargo_until" });
  const set = h("button", { type: "button", name: "embargo" }, "Set embargo");
  const lift = h("button", { type: "button", name: "lift-embargo", class: "secondary" }, "Lift embargo");
  const element = h(
    "section",
    { class: "embargo", "aria-labelledby": "embargo-title" },
    h("h2", { id: "embargo-title" }, "Embargo"),
    state,
    alert,
    field("Embargoed until", until, "Before then only those allowed to read embargoed stories see it."),
    h("div", { class: "actions" }, set, lift),
  );
  const write = (value) => act(alert, element, () => call("PATCH", path(), { json: { embargo_until: value }, ifMatch: story.etag }));
  set.addEventListener("click", () => write(until.value ? new Date(until.value).toISOString() : null));
  lift.addEventListener("click", () => write(null));
  function refresh() {
    const at = story.article.embargo_until;
    state.textContent = at ? `Embargoed until ${when(at)}.` : "No embargo.";
    set.textContent = at ? "Move embargo" : "Set embargo";
    lift.disabled = !at;
    if (at) until.value = local(at);
  }
  refresh();
  return { element, refresh };
}

function correctionsPanel(story, path, act) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const list = h("ol", { class: "corrections", "aria-label": "Corrections" });
  const text = h("textarea", { name: "correction", rows: 2, "data-pointer": "#/text" });
  const add = h("button", { type: "button", name: "add-correction" }, "Add correction");
  // Each correction and the new one are a scope of their own, for a problem to mark the right field.
  const adding = h(
    "div",
    { class: "new-correction" },
    field("A new correction", text, "Readers see it under the story, dated now (or when a draft goes live)."),
    h("div", { class: "actions" }, add),
  );
  const element = h(
    "section",
    { class: "corrections-panel", "aria-labelledby": "corrections-title" },
    h("h2", { id: "corrections-title" }, "Corrections"),
    alert,
    list,
    adding,
  );
  add.addEventListener("click", async () => {
    if (await act(alert, adding, () => call("POST", path("/corrections"), { json: { text: text.value.trim() }, ifMatch: story.etag }))) {
      text.value = "";
      list.lastElementChild?.querySelector("textarea")?.focus();
    }
  });
  function correction(one) {
    const edited = h("textarea", { rows: 2, "data-pointer": "#/text", "aria-label": `Correction of ${when(one.published_at)}` });
    edited.value = one.text;
    const keep = h("button", { type: "button", class: "secondary" }, "Save correction");
    keep.addEventListener("click", () =>
      act(alert, item, () => call("PATCH", path(`/corrections/${one.id}`), { json: { text: edited.value.trim() }, ifMatch: story.etag })),
    );
    const remove = confirming("Remove", "Remove this correction?", () =>
      act(alert, item, () => call("DELETE", path(`/corrections/${one.id}`), { ifMatch: story.etag })).then(() => text.focus()),
    );
    const item = h("li", { class: "correction", "data-id": one.id }, h("p", { class: "meta" }, when(one.published_at)), edited, h("div", { class: "actions" }, keep, remove));
    return item;
  }
  function refresh() {
    const shown = story.article.corrections || [];
    list.replaceChildren(...shown.map(correction));
    if (!shown.length) list.append(h("li", { class: "empty" }, "No corrections."));
  }
  refresh();
  return { element, refresh };
}

// Words added and removed between two texts, in order: [[kind, words]] with kind "same", "del" or
// "ins". A longest common subsequence of words; texts too long for that are shown whole.
export function wordDiff(before, after) {
  const a = before.split(/(\s+)/).filter(Boolean);
  const b = after.split(/(\s+)/).filter(Boolean);
  if (a.length * b.length > 4_000_000) return [["del", before], ["ins", after]];
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const parts = [];
  const push = (kind, word) => {
    const last = parts.at(-1);
    if (last && last[0] === kind) last[1] += word;
    else parts.push([kind, word]);
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push("same", a[i++]);
      j++;
    } else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) push("ins", b[j++]);
    else push("del", a[i++]);
  }
  return parts;
}

// A field's value as readable text: the body a block a line, lists one item a line.
function readable(name, value) {
  if (value === null || value === undefined) return "";
  if (name === "body") {
    return value.map((block) => (block.type === "list" ? block.items.join("\n") : block.text || block.alt || block.url || `[${block.type}]`)).join("\n\n");
  }
  if (name === "corrections") return value.map((one) => one.text).join("\n");
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// What a restore brings back, as app/articles/schemas.py's ArticleContent names it; the slug, the
// status and the times stay as they are.
const RESTORED = ["title", "subtitle", "comments_open", "canonical_url", "excerpt", "body", "featured_image", "authors", "section", "tags"];

function diffView(revision, current) {
  const names = [...new Set([...Object.keys(revision.snapshot), ...Object.keys(current.snapshot)])];
  const differing = names.filter((name) => JSON.stringify(revision.snapshot[name] ?? null) !== JSON.stringify(current.snapshot[name] ?? null));
  const restored = differing.filter((name) => RESTORED.includes(name));
  const staying = differing.filter((name) => !RESTORED.includes(name));
  return h(
    "div",
    { class: "diff-fields" },
    restored.length ? null : h("p", {}, "Restoring it changes nothing in the story's content."),
    restored.map((name) =>
      h(
        "div",
        { class: "field-diff", "data-field": name },
        h("h3", {}, name),
        h(
          "p",
          { class: "diff" },
          wordDiff(readable(name, current.snapshot[name]), readable(name, revision.snapshot[name])).map(([kind, words]) =>
            kind === "same" ? words : h(kind, {}, h("span", { class: "visually-hidden" }, kind === "ins" ? " [back in: " : " [gone: "), words, h("span", { class: "visually-hidden" }, "] ")),
          ),
        ),
      ),
    ),
    staying.length ? h("p", { class: "meta" }, `Also different then, and kept as it is now: ${staying.join(", ")}.`) : null,
  );
}

function revisionsPanel(story, path, reload) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const list = h("ol", { class: "revisions", "aria-label": "Revisions, newest first" });
  const show = h("button", { type: "button", name: "revisions", class: "secondary", "aria-expanded": "false" }, "Show revisions");
  // Each revision is compared with the newest, the story as it stands.
  let newest = null;
  const pager = pagedList({
    list,
    load: async (cursor) => {
      const page = await get(path("/revisions"), { limit: 20, cursor });
      newest ||= page.data[0];
      return page;
    },
    row: (one) => revision(one, one.number === newest.number ? null : newest),
    empty: "No revisions yet.",
    alert,
    label: "Older",
  });
  const element = h(
    "section",
    { class: "revisions-panel", "aria-labelledby": "revisions-title" },
    h("h2", { id: "revisions-title" }, "Revisions"),
    h("p", { class: "hint" }, "Each shows what restoring it would change: words struck out go, underlined ones come back."),
    show,
    alert,
    list,
    pager.more,
  );
  show.addEventListener("click", async () => {
    try {
      await pager.next();
      show.setAttribute("aria-expanded", "true");
      show.hidden = true;
      list.querySelector("button")?.focus();
    } catch (problem) {
      showProblem(alert, problem, element);
    }
  });
  function revision(one, newest) {
    const detail = h("div", { class: "revision-diff", tabindex: "-1" });
    const compare = h("button", { type: "button", class: "secondary", "aria-expanded": "false" }, "Compare with now");
    compare.addEventListener("click", async () => {
      try {
        const [then, now] = await Promise.all([get(path(`/revisions/${one.number}`)), get(path(`/revisions/${newest.number}`))]);
        const restore = confirming("Restore", `Restore revision ${one.number} as a new revision?`, async () => {
          try {
            await story.save();
            await call("POST", path(`/revisions/${one.number}/restore`), { ifMatch: story.etag });
            reload();
          } catch (problem) {
            showProblem(alert, problem, element);
          }
        });
        detail.replaceChildren(diffView(then, now), h("div", { class: "actions" }, restore));
        compare.setAttribute("aria-expanded", "true");
        detail.focus();
      } catch (problem) {
        showProblem(alert, problem, element);
      }
    });
    return h(
      "li",
      { class: "revision", "data-number": one.number },
      h("p", {}, h("strong", {}, `Revision ${one.number}`), ` by ${one.actor}, ${when(one.created_at)}`),
      h("p", { class: "meta" }, `Changed: ${one.changed_fields.join(", ") || "nothing"}`),
      newest ? compare : h("p", { class: "meta" }, "This is the story as it stands."),
      detail,
    );
  }
  return { element };
}

// Related pins: the articles shown first in the story's related list, in order, set and read back
// on a draft as on a published story.
function pinsPanel(story, path) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const state = h("p", { class: "save-state", role: "status" });
  const list = h("ol", { class: "pins", "aria-label": "Pinned related stories", "data-pointer": "#/slugs", tabindex: "-1" });
  const words = h("input", { type: "search", name: "pin-search", autocomplete: "off" });
  const found = h("ul", { class: "found", "aria-label": "Stories to pin" });
  const keep = h("button", { type: "button", name: "save-pins" }, "Save pins");
  const element = h(
    "section",
    { class: "pins-panel", "aria-labelledby": "pins-title" },
    h("h2", { id: "pins-title" }, "Related stories"),
    alert,
    list,
    field("Pin a story: search its words", words),
    found,
    h("div", { class: "actions" }, keep, state),
  );
  let pins = [];
  function render(focus) {
    list.replaceChildren(
      ...pins.map((one, index) => {
        const swap = (by) => {
          [pins[index], pins[index + by]] = [pins[index + by], pins[index]];
          render(`[data-slug="${CSS.escape(one.slug)}"] .${by < 0 ? "up" : "down"}`);
          state.textContent = "Not saved yet.";
        };
        return h(
          "li",
          { "data-slug": one.slug },
          one.title,
          " ",
          h("button", { type: "button", class: "up", "aria-label": `Move ${one.title} up`, disabled: index === 0, onclick: () => swap(-1) }, "↑"),
          h("button", { type: "button", class: "down", "aria-label": `Move ${one.title} down`, disabled: index === pins.length - 1, onclick: () => swap(1) }, "↓"),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Unpin ${one.title}`,
              onclick: () => {
                pins = pins.filter((other) => other !== one);
                render();
                words.focus();
                state.textContent = "Not saved yet.";
              },
            },
            "Unpin",
          ),
        );
      }),
    );
    if (!pins.length) list.append(h("li", { class: "empty" }, "Nothing pinned: the related list is chosen by likeness alone."));
    if (focus) list.querySelector(`${focus}:not(:disabled)`)?.focus();
  }
  const latest = latestOnly();
  words.addEventListener("input", async () => {
    const q = words.value.trim();
    const page = await latest(q.length < 2 ? { data: [] } : get("/articles", { q, limit: 8, fields: "slug,title" }).catch(() => ({ data: [] })));
    if (!page) return;
    found.replaceChildren(
      ...page.data
        .filter((one) => one.slug !== story.article.slug && !pins.some((pin) => pin.slug === one.slug))
        .map((one) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                "data-pin": one.slug,
                onclick: () => {
                  pins.push({ slug: one.slug, title: one.title });
                  found.replaceChildren();
                  words.value = "";
                  render();
                  words.focus();
                  state.textContent = "Not saved yet.";
                },
              },
              `Pin ${one.title}`,
            ),
          ),
        ),
    );
  });
  keep.addEventListener("click", async () => {
    try {
      await call("PUT", path("/related/pins"), { json: { slugs: pins.map((one) => one.slug) } });
      showProblem(alert, null, element);
      state.textContent = "Saved.";
    } catch (problem) {
      showProblem(alert, problem, element);
    }
  });
  // The pins as set, whatever the story's status (a draft's too); a pinned story readers cannot see
  // yet waits in the list, named with its status.
  get(path("/related/pins"))
    .then((answer) => {
      pins = answer.data.map((one) => ({ slug: one.slug, title: one.status === "published" ? one.title : `${one.title} (${one.status})` }));
      render();
    })
    .catch((problem) => showProblem(alert, problem, element));
  render();
  return { element };
}

// What search engines and link previews take from the story (the API's `seo`), shown as text and
// following the headline, dek and excerpt as they are typed; the canonical address is set here.
function seoPanel(story, path, act) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const canonical = h("input", { type: "url", name: "canonical-url", "data-pointer": "#/canonical_url" });
  const keep = h("button", { type: "button", name: "save-canonical", class: "secondary" }, "Save address");
  const result = h("div", { class: "search-result", "aria-label": "As a search result", role: "group" });
  const card = h("div", { class: "social-card", "aria-label": "As a shared link", role: "group" });
  const element = h(
    "section",
    { class: "seo-panel", "aria-labelledby": "seo-title" },
    h("h2", { id: "seo-title" }, "Search and sharing"),
    h("p", { class: "hint" }, "From the headline, the dek (or else the excerpt) and the featured picture."),
    h("h3", {}, "Search result"),
    result,
    h("h3", {}, "Shared link"),
    card,
    alert,
    field("Canonical address", canonical, "Only when the story first appeared elsewhere; empty means this site."),
    h("div", { class: "actions" }, keep),
  );
  keep.addEventListener("click", () =>
    act(alert, element, () => call("PATCH", path(), { json: { canonical_url: canonical.value.trim() || null }, ifMatch: story.etag })),
  );
  // A write answers without `seo`: the address and picture it named are kept from the last read.
  let known = story.article.seo || {};
  function refresh() {
    const article = story.article;
    if (article.seo) known = article.seo;
    canonical.value = article.canonical_url || "";
    preview();
  }
  // As the API derives them (app/articles/seo.py), from the words as typed.
  function preview() {
    const article = story.article;
    const typed = story.typed();
    const title = typed.title || article.title;
    const description = typed.subtitle || typed.excerpt || article.excerpt || title;
    result.replaceChildren(
      h("p", { class: "result-url" }, known.canonical_url || ""),
      h("p", { class: "result-title" }, title),
      h("p", { class: "result-description" }, description),
    );
    const image = known.open_graph?.["og:image"] || article.featured_image?.url;
    card.replaceChildren(
      image ? h("img", { src: Array.isArray(image) ? image[0] : image, alt: "" }) : h("p", { class: "hint" }, "No picture: add a featured picture for one."),
      h("p", { class: "card-title" }, title),
      h("p", { class: "card-description" }, description),
    );
  }
  refresh();
  return { element, refresh, preview };
}
