// One story: its fields, bylines and body, saved as the editor types while it is a draft, and the
// publishing actions. Every write names the version it was based on (If-Match).
import { call, get, latestOnly, Problem } from "./api.js";
import { blockEditor } from "./blocks.js";
import { conflictView } from "./conflict.js";
import { field, h, showProblem, when } from "./dom.js";
import { leadPicture } from "./lead.js";
import { storyTools } from "./storytools.js";

const AUTOSAVE_MS = 1000;
const PUBLISHING_ROLES = ["editor", "admin"];

// The editable fields as the API takes them back.
function fieldsOf(article) {
  return {
    title: article.title,
    subtitle: article.subtitle || null,
    excerpt: article.excerpt || null,
    section: article.section?.slug || null,
    tags: article.tags.map((tag) => tag.name),
    authors: article.authors.map((author) => author.slug),
    featured_image: article.featured_image || null,
    body: article.body,
  };
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// What the media library writes into a story's copy of its pictures: a new focal point rewrites it.
const FROM_LIBRARY = ["url", "width", "height", "srcset", "sources", "crops", "focal_point", "placeholder"];
const ownOf = (picture) => (picture?.media_id ? Object.fromEntries(Object.entries(picture).filter(([name]) => !FROM_LIBRARY.includes(name))) : picture);
const withoutLibrary = (fields) => ({ ...fields, featured_image: ownOf(fields.featured_image), body: fields.body.map(ownOf) });

export async function editorScreen(main, desk, params) {
  const slug = params.get("slug");
  let article = null;
  let etag = null;
  if (slug) {
    try {
      ({ data: article, etag } = await call("GET", `/articles/${encodeURIComponent(slug)}`));
    } catch (problem) {
      main.append(h("h1", {}, "Story not found"), h("p", { role: "alert" }, problem.message));
      return;
    }
  }
  const sections = await get("/sections", { limit: 100 }).then((page) => page.data).catch(() => []);
  const names = new Map((article?.authors || []).map((author) => [author.slug, author.name]));
  let saved = article ? fieldsOf(article) : null;
  let status = article?.status || "draft";

  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const state = h("p", { class: "save-state", role: "status" }, article ? `Saved ${when(article.updated_at)}` : "Not saved yet");
  const title = h("input", { name: "title", required: true, "data-pointer": "#/title", value: article?.title || "" });
  const subtitle = h("textarea", { name: "subtitle", rows: 2, "data-pointer": "#/subtitle" });
  subtitle.value = article?.subtitle || "";
  const excerpt = h("textarea", { name: "excerpt", rows: 2, "data-pointer": "#/excerpt" });
  excerpt.value = article?.excerpt || "";
  const section = h("select", { name: "section", "data-pointer": "#/section" }, h("option", { value: "" }, "No section"));
  for (const one of sections) section.append(h("option", { value: one.slug, selected: one.slug === article?.section?.slug }, one.name));
  const tags = h("input", { name: "tags", "data-pointer": "#/tags", value: article ? article.tags.map((tag) => tag.name).join(", ") : "" });

  // Bylines: the chosen authors in order, and a search to add more.
  let authors = article ? article.authors.map((author) => author.slug) : [];
  const chosen = h("ul", { class: "chosen", "aria-label": "Bylines", "data-pointer": "#/authors", tabindex: "-1" });
  const search = h("input", { type: "search", name: "author-search", autocomplete: "off" });
  const found = h("ul", { class: "found", "aria-label": "Authors found" });
  function renderAuthors() {
    chosen.replaceChildren(
      ...authors.map((one) =>
        h(
          "li",
          { "data-author": one },
          names.get(one) || one,
          " ",
          h(
            "button",
            {
              type: "button",
              "aria-label": `Remove ${names.get(one) || one}`,
              onclick: () => {
                authors = authors.filter((other) => other !== one);
                renderAuthors();
                search.focus();
                changed();
              },
            },
            "Remove",
          ),
        ),
      ),
    );
  }
  const latest = latestOnly();
  search.addEventListener("input", async () => {
    const words = search.value.trim();
    const page = await latest(words.length < 2 ? { data: [] } : get("/authors", { q: words, limit: 8 }).catch(() => ({ data: [] })));
    if (!page) return;
    found.replaceChildren(
      ...page.data
        .filter((one) => !authors.includes(one.slug))
        .map((one) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                "data-add-author": one.slug,
                onclick: () => {
                  names.set(one.slug, one.name);
                  authors.push(one.slug);
                  found.replaceChildren();
                  search.value = "";
                  renderAuthors();
                  search.focus();
                  changed();
                },
              },
              `Add ${one.name}`,
            ),
          ),
        ),
    );
  });
  renderAuthors();

  let lead = leadPicture(article?.featured_image, () => changed());
  const leadSlot = h("div", {}, lead.element);
  let body = blockEditor(article?.body || [{ type: "paragraph", text: "" }], () => changed());
  const bodySlot = h("div", {}, body.element);

  function mine() {
    return {
      title: title.value.trim(),
      subtitle: subtitle.value.trim() || null,
      excerpt: excerpt.value.trim() || null,
      section: section.value || null,
      tags: tags.value.split(",").map((tag) => tag.trim()).filter(Boolean),
      authors: [...authors],
      featured_image: lead.value(),
      body: body.value(),
    };
  }

  function show(written, newTag) {
    article = written;
    etag = newTag;
    saved = fieldsOf(written);
    status = written.status;
    statusLine.textContent = statusText();
    updateActions();
    tools?.refresh();
  }

  // Saving: a new story is created once it has a headline and a byline; afterwards only the fields
  // that differ from the last saved version are sent, with that version's ETag.
  let timer = null;
  let saving = null;
  let inConflict = false;

  function changed() {
    state.textContent = "Unsaved changes";
    clearTimeout(timer);
    if (status === "draft" && !inConflict) timer = setTimeout(save, AUTOSAVE_MS);
  }

  async function save() {
    clearTimeout(timer);
    if (saving) await saving;
    saving = write(mine()).finally(() => (saving = null));
    return saving;
  }

  async function write(fields, version = etag) {
    if (inConflict) return false;
    try {
      if (!article) {
        if (!fields.title || !fields.authors.length) {
          state.textContent = "Add a headline and a byline to save";
          return false;
        }
        const answer = await call("POST", "/articles", { json: { ...fields, status: "draft" } });
        show(answer.data, answer.etag);
        history.replaceState(null, "", `/desk/edit?slug=${encodeURIComponent(article.slug)}`);
      } else {
        const changes = Object.fromEntries(Object.entries(fields).filter(([name, value]) => !same(value, saved[name])));
        if (!Object.keys(changes).length) {
          state.textContent = `Saved ${when(article.updated_at)}`;
          return true;
        }
        const answer = await call("PATCH", `/articles/${encodeURIComponent(article.slug)}`, { json: changes, ifMatch: version });
        show(answer.data, answer.etag);
      }
      showProblem(alert, null, form);
      state.textContent = `Saved ${when(article.updated_at)}`;
      return true;
    } catch (problem) {
      if (problem instanceof Problem && problem.status === 412) return resolveConflict(fields);
      state.textContent = "Not saved";
      showProblem(alert, problem, form);
      return false;
    }
  }

  async function resolveConflict(fields) {
    inConflict = true;
    state.textContent = "Not saved: someone else changed this story";
    const { data: theirs, etag: theirTag } = await call("GET", `/articles/${encodeURIComponent(article.slug)}`);
    if (same(withoutLibrary(fieldsOf(theirs)), withoutLibrary(saved))) {
      // Only a picture changed in the library (its focal point, say): nothing to merge.
      inConflict = false;
      show(theirs, theirTag);
      return write(fields, theirTag);
    }
    const merged = await conflictView(saved, fields, fieldsOf(theirs));
    inConflict = false;
    if (merged === null) {
      desk.navigate(`/desk/edit?slug=${encodeURIComponent(theirs.slug)}`, { replace: true });
      return false;
    }
    show(theirs, theirTag);
    fill(merged);
    return write(merged, theirTag);
  }

  // The form shows `fields` (after a merge), so what is on screen is what is saved.
  function fill(fields) {
    title.value = fields.title;
    subtitle.value = fields.subtitle || "";
    excerpt.value = fields.excerpt || "";
    section.value = fields.section || "";
    tags.value = fields.tags.join(", ");
    authors = [...fields.authors];
    renderAuthors();
    lead = leadPicture(fields.featured_image, () => changed());
    leadSlot.replaceChildren(lead.element);
    body = blockEditor(fields.body, () => changed());
    bodySlot.replaceChildren(body.element);
  }

  const form = h(
    "form",
    { class: "editor", novalidate: true },
    field("Headline", title),
    field("Dek", subtitle),
    leadSlot,
    field("Excerpt", excerpt, "Left empty, the first paragraph is used."),
    field("Section", section),
    field("Tags", tags, "Separated by commas"),
    h("fieldset", { class: "bylines" }, h("legend", {}, "Bylines"), chosen, field("Search authors", search), found),
    bodySlot,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")),
  );
  form.addEventListener("input", (event) => {
    if (event.target !== search && !event.target.closest(".blocks, .lead-picture")) changed();
    tools?.typed();
  });
  form.addEventListener("change", (event) => {
    if (event.target === section) changed();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });

  // Publishing: each action saves pending changes first, then names the version it acts on.
  const statusLine = h("p", { class: "status-line" });
  const statusText = () =>
    `Status: ${status}${article?.published_at ? `, ${status === "scheduled" ? "goes live" : "published"} ${when(article.published_at)}` : ""}`;
  statusLine.textContent = statusText();
  const canPublish = PUBLISHING_ROLES.includes(desk.user.role);
  const preview = h("p", { class: "preview" });
  const scheduleAt = h("input", { type: "datetime-local", name: "publish-at", "data-pointer": "#/published_at" });

  async function act(run) {
    if (!(await save())) return;
    try {
      const answer = await run();
      show(answer.data, answer.etag);
      showProblem(alert, null, form);
      state.textContent = `Saved ${when(article.updated_at)}`;
    } catch (problem) {
      showProblem(alert, problem, publishing);
    }
  }
  const path = (tail = "") => `/articles/${encodeURIComponent(article.slug)}${tail}`;
  const buttons = {
    preview: h("button", { type: "button", name: "preview" }, "Preview"),
    publish: h("button", { type: "button", name: "publish" }, "Publish now"),
    schedule: h("button", { type: "button", name: "schedule" }, "Schedule"),
    unpublish: h("button", { type: "button", name: "unpublish" }, "Unpublish"),
    archive: h("button", { type: "button", name: "archive" }, "Archive"),
  };
  buttons.preview.addEventListener("click", async () => {
    if (!(await save())) return;
    try {
      const { data } = await call("POST", path("/preview-token"));
      // The example site's article page, which reads the article with the token.
      const page = `/article.html?${new URLSearchParams({ slug: article.slug, preview_token: data.token })}`;
      preview.replaceChildren(h("a", { href: page, target: "_blank", rel: "noopener" }, "Open the preview"), ` (until ${when(data.expires_at)})`);
      preview.querySelector("a").focus();
    } catch (problem) {
      showProblem(alert, problem, publishing);
    }
  });
  buttons.publish.addEventListener("click", () => act(() => call("POST", path("/publish"), { json: {}, ifMatch: etag })));
  buttons.schedule.addEventListener("click", () =>
    act(() => {
      const at = scheduleAt.value ? new Date(scheduleAt.value).toISOString() : null;
      return call("POST", path("/publish"), { json: { published_at: at }, ifMatch: etag });
    }),
  );
  buttons.unpublish.addEventListener("click", () => act(() => call("POST", path("/unpublish"), { ifMatch: etag })));
  buttons.archive.addEventListener("click", () => act(() => call("PATCH", path(), { json: { status: "archived" }, ifMatch: etag })));

  function updateActions() {
    const live = ["published", "scheduled"].includes(status);
    buttons.preview.disabled = !article;
    buttons.publish.disabled = !canPublish || !article || status === "published";
    buttons.schedule.disabled = !canPublish || !article || status === "published";
    buttons.unpublish.disabled = !canPublish || !article || !live;
    buttons.archive.disabled = !canPublish || !article || status === "archived";
  }
  updateActions();
  const publishing = h(
    "section",
    { class: "publishing", "aria-labelledby": "publishing-title" },
    h("h2", { id: "publishing-title" }, "Publishing"),
    statusLine,
    canPublish ? null : h("p", { class: "hint" }, "Contributors file drafts; an editor publishes them."),
    h("div", { class: "actions" }, buttons.preview, buttons.publish, buttons.unpublish, buttons.archive),
    field("Publish at", scheduleAt),
    h("div", { class: "actions" }, buttons.schedule),
    preview,
  );

  // Embargo, corrections and revisions belong to a saved story.
  const story = { get article() { return article; }, get etag() { return etag; }, typed: mine, written: show, save };
  const reload = () => desk.navigate(`/desk/edit?slug=${encodeURIComponent(article.slug)}`, { replace: true });
  const tools = article ? storyTools(story, reload) : null;
  if (tools) publishing.append(tools.embargo);

  main.append(
    h("h1", {}, article ? "Edit story" : "New story"),
    h("div", { class: "editor-alerts" }, alert, state),
    h("div", { class: "editor-layout" }, h("div", { class: "story-column" }, form, tools?.corrections, tools?.revisions, tools?.pins, tools?.seo), publishing),
  );
  title.focus();
}
