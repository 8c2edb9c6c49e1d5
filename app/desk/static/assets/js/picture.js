// A picture's own fields, shared by the body's picture blocks and the story's lead picture: its
// thumbnail, the library's credit, the focal point and crop panel, the text alternative and caption.
import { h, uniqueId } from "./dom.js";
import { focalPanel } from "./focal.js";

// Edits `picture` (a block or the lead picture) in place and calls `changed`; `name` labels the
// fields, `pointer` is where the API reports problems with them.
export function pictureFields(picture, name, pointer, changed) {
  const alt = h("input", { "data-pointer": `${pointer}/alt`, id: uniqueId("picture") });
  alt.value = picture.alt || "";
  alt.addEventListener("input", () => {
    picture.alt = alt.value;
    changed();
  });
  const caption = h("input", { "data-pointer": `${pointer}/caption`, id: uniqueId("picture") });
  caption.value = picture.caption || "";
  caption.addEventListener("input", () => {
    picture.caption = caption.value || null;
    changed();
  });
  const focal = picture.media_id
    ? h("button", { type: "button", class: "secondary", name: "focal", onclick: (event) => focalPanel(event.currentTarget, picture, pointer, changed) }, "Focal point and crops")
    : null;
  return h(
    "div",
    { class: "picture" },
    picture.url ? h("img", { class: "thumb", src: picture.url, alt: "" }) : null,
    // The library's credit, kept with the picture there.
    picture.credit ? h("p", { class: "credit" }, `Credit: ${picture.credit}`) : null,
    focal,
    h("label", { for: alt.id }, `${name}: text alternative`),
    alt,
    h("label", { for: caption.id }, `${name}: caption`),
    caption,
  );
}
