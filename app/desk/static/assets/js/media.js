// Choosing a picture for the body or the lead: upload one to the media library, or take one of its latest.
import { call, get } from "./api.js";
import { field, h, showProblem, uniqueId } from "./dom.js";

// A panel after `anchor` titled `title`; `chosen` gets the picture the editor picked, and the panel closes.
export async function pickPicture(anchor, title, chosen) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const file = h("input", { type: "file", name: "file", accept: "image/*", "data-pointer": "#/file" });
  const alt = h("input", { name: "alt", "data-pointer": "#/alt" });
  const latest = h("ul", { class: "latest-pictures", "aria-label": "Latest pictures", "aria-busy": "true" });
  const headingId = uniqueId("latest-pictures");
  const panel = h(
    "section",
    { class: "picker", "aria-labelledby": headingId, tabindex: "-1" },
    h("h2", { id: headingId }, title),
    alert,
    field("Upload a picture", file),
    field("Text alternative", alt, "What the picture shows, for people who cannot see it"),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", name: "upload", onclick: upload }, "Upload and add"),
      h("button", { type: "button", name: "close-picker", onclick: close }, "Cancel"),
    ),
    h("h3", {}, "Or choose from the library"),
    latest,
  );

  function close() {
    panel.remove();
    anchor.focus();
  }
  function choose(media) {
    panel.remove();
    chosen({ media_id: media.id, url: media.url, alt: media.alt || "", caption: media.caption || null, credit: media.credit || null });
  }
  async function upload() {
    if (!file.files.length) {
      file.setAttribute("aria-invalid", "true");
      file.focus();
      return;
    }
    const form = new FormData();
    form.append("file", file.files[0]);
    form.append("alt", alt.value);
    try {
      choose((await call("POST", "/media", { form })).data);
    } catch (problem) {
      showProblem(alert, problem, panel);
    }
  }

  anchor.after(panel);
  panel.focus();
  const page = await get("/media", { limit: 12 }).catch(() => ({ data: [] }));
  latest.removeAttribute("aria-busy");
  latest.replaceChildren(
    ...page.data.map((media) =>
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", class: "pick", "data-media": media.id, onclick: () => choose(media) },
          h("img", { src: media.url, alt: "", width: 96, height: Math.round((96 * media.height) / media.width) || 64, loading: "lazy" }),
          h("span", {}, media.alt || media.filename || `Picture ${media.id}`),
        ),
      ),
    ),
  );
}
