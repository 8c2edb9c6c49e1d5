// A library picture's focal point, which its crops keep in view: set by clicking the picture or by
// the arrow keys on it, saved to the picture itself (so every story using it follows); and the crop
// the story shows, chosen among those the API lists (or the whole picture), saved with the block.
import { call, get } from "./api.js";
import { h, showProblem, uniqueId } from "./dom.js";

const STEP = 0.05;
const percent = (value) => `${Math.round(value * 100)}%`;

// A panel in the picture fields of `anchor` for `block` (a picture) at `pointer`, whose crop choice calls `changed`;
// closing it gives the focus back to `anchor`.
export async function focalPanel(anchor, block, pointer, changed) {
  const mediaId = block.media_id;
  const open = anchor.closest(".picture").querySelector(".focal-panel");
  if (open) return open.focus();
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  let media;
  try {
    media = await get(`/media/${mediaId}`);
  } catch (problem) {
    anchor.after(alert);
    showProblem(alert, problem);
    return;
  }
  let point = { ...media.focal_point };
  const headingId = uniqueId("focal");
  const hint = h("p", { class: "hint", id: uniqueId("focal-hint") }, "Click where the picture must stay in view, or move the point with the arrow keys; then save.");
  const marker = h("span", { class: "focal-marker" });
  const picture = h(
    "button",
    { type: "button", class: "focal", name: "focal-point", "aria-describedby": hint.id, "data-pointer": "#/focal_point" },
    h("img", { src: media.url, alt: media.alt || "" }),
    marker,
  );
  const state = h("p", { class: "save-state", role: "status" });
  const ratios = Object.keys(media.crops || {});
  // "" is the whole picture.
  let ratio = block.crop || "";
  const crop = h("img", { class: "crop-preview", alt: "", sizes: "(max-width: 40rem) 100vw, 24rem" });
  const choices = h(
    "fieldset",
    { class: "crop-ratios", "data-pointer": `${pointer}/crop` },
    h("legend", {}, "Crop in the story"),
    ["", ...ratios].map((one) => {
      const input = h("input", { type: "radio", name: `${headingId}-crop`, value: one, checked: one === ratio });
      input.addEventListener("change", () => {
        ratio = one;
        block.crop = one || null;
        show();
        changed();
      });
      return h("label", { class: "inline" }, input, ` ${one || "Whole picture"}`);
    }),
  );
  const panel = h(
    "section",
    { class: "picker focal-panel", "aria-labelledby": headingId, tabindex: "-1" },
    h("h2", { id: headingId }, "Focal point and crops"),
    alert,
    hint,
    picture,
    h("div", { class: "actions" }, h("button", { type: "button", name: "save-focal", onclick: save }, "Save focal point"), h("button", { type: "button", class: "secondary", onclick: close }, "Close"), state),
    ratios.length ? [choices, crop] : h("p", {}, "This picture has no crops."),
  );

  function show() {
    marker.style.left = percent(point.x);
    marker.style.top = percent(point.y);
    picture.setAttribute("aria-label", `Focal point ${percent(point.x)} across, ${percent(point.y)} down`);
    // Each crop is listed as a srcset of its widths.
    crop.srcset = ratio ? media.crops[ratio] : media.srcset;
  }
  function moveTo(x, y) {
    point = { x: Math.min(1, Math.max(0, Math.round(x * 100) / 100)), y: Math.min(1, Math.max(0, Math.round(y * 100) / 100)) };
    show();
    state.textContent = "Not saved yet.";
  }
  picture.addEventListener("click", (event) => {
    // A click from the keyboard (Enter, Space) has no position: it leaves the point where it is.
    if (!event.detail) return;
    const box = picture.querySelector("img").getBoundingClientRect();
    moveTo((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  });
  picture.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
    if (!moves[event.key]) return;
    event.preventDefault();
    moveTo(point.x + moves[event.key][0], point.y + moves[event.key][1]);
  });
  async function save() {
    try {
      ({ data: media } = await call("PATCH", `/media/${mediaId}`, { json: { focal_point: point } }));
      point = { ...media.focal_point };
      show();
      showProblem(alert, null, panel);
      state.textContent = "Saved: the crops follow it.";
    } catch (problem) {
      showProblem(alert, problem, panel);
    }
  }
  function close() {
    panel.remove();
    anchor.focus();
  }
  show();
  anchor.closest(".picture").append(panel);
  picture.focus();
}
