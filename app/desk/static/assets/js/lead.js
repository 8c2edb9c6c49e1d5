// The story's lead picture (`featured_image`): chosen from the media library or uploaded, with its
// text alternative, caption, crop and focal point edited as a body picture's are, or removed.
import { h } from "./dom.js";
import { pickPicture } from "./media.js";
import { pictureFields } from "./picture.js";

const POINTER = "#/featured_image";

// `picture` is the story's (or null); `changed` is called after each edit. `value()` is what to save.
export function leadPicture(picture, changed) {
  let lead = picture ? { ...picture } : null;
  const slot = h("div", { class: "lead-slot" });
  const choose = h("button", { type: "button", name: "choose-lead" });
  choose.addEventListener("click", () =>
    pickPicture(actions, "Choose the lead picture", (chosen) => {
      lead = chosen;
      render();
      slot.querySelector("input")?.focus();
      changed();
    }),
  );
  const remove = h("button", { type: "button", class: "secondary", name: "remove-lead" }, "Remove the lead picture");
  remove.addEventListener("click", () => {
    lead = null;
    render();
    choose.focus();
    changed();
  });
  const actions = h("div", { class: "actions" }, choose, remove);

  function render() {
    choose.textContent = lead ? "Change the lead picture" : "Choose a lead picture";
    remove.hidden = !lead;
    slot.replaceChildren(lead ? pictureFields(lead, "Lead picture", POINTER, changed) : h("p", { class: "hint" }, "No lead picture."));
  }
  render();
  return {
    element: h("fieldset", { class: "lead-picture", "data-pointer": POINTER }, h("legend", {}, "Lead picture"), slot, actions),
    value: () => lead,
  };
}
