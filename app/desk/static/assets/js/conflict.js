// What to do when someone else saved the story first (412): their version against this one, field by
// field, and the editor chooses; nothing is written until they do.
import { h } from "./dom.js";

const FIELDS = {
  title: "Headline",
  subtitle: "Dek",
  excerpt: "Excerpt",
  section: "Section",
  tags: "Tags",
  authors: "Bylines",
  featured_image: "Lead picture",
  body: "Body",
};

function shown(name, value) {
  if (name === "featured_image") return value ? value.alt || value.caption || value.url || `Picture ${value.media_id}` : "None";
  if (name === "body") return value.map((block) => block.text || (block.items || []).join(" / ") || block.type).join("\n\n");
  if (Array.isArray(value)) return value.join(", ");
  return value ?? "";
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// Resolves with the fields to send (theirs where chosen, mine elsewhere), or null to take theirs whole.
// A field this editor left as it was (`base`) is offered as theirs; one they changed, as theirs too
// only if they choose it.
export function conflictView(base, mine, theirs) {
  const differing = Object.keys(FIELDS).filter((name) => !same(mine[name], theirs[name]));
  const edited = (name) => !same(mine[name], base[name]);
  return new Promise((resolve) => {
    const rows = differing.map((name) => {
      const group = `choice-${name}`;
      return h(
        "fieldset",
        { class: "conflict-field", "data-field": name },
        h("legend", {}, FIELDS[name]),
        h(
          "div",
          { class: "versions" },
          h("div", { class: "theirs" }, h("h3", {}, "Theirs"), h("p", { class: "value" }, shown(name, theirs[name]))),
          h("div", { class: "mine" }, h("h3", {}, "Yours"), h("p", { class: "value" }, shown(name, mine[name]))),
        ),
        h("label", { class: "inline" }, h("input", { type: "radio", name: group, value: "theirs", checked: !edited(name) }), " Keep theirs"),
        h("label", { class: "inline" }, h("input", { type: "radio", name: group, value: "mine", checked: edited(name) }), " Keep yours"),
      );
    });
    const view = h(
      "section",
      { class: "conflict", "aria-labelledby": "conflict-title", tabindex: "-1" },
      h("h2", { id: "conflict-title" }, "Someone else changed this story"),
      h("p", {}, "Nothing of yours was saved. Choose, field by field, which version to keep."),
      rows,
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "merge",
            onclick: () => {
              const merged = { ...mine };
              for (const name of differing) {
                if (view.querySelector(`input[name="choice-${name}"]:checked`).value === "theirs") merged[name] = theirs[name];
              }
              view.remove();
              resolve(merged);
            },
          },
          "Save with these choices",
        ),
        h(
          "button",
          {
            type: "button",
            class: "take-theirs",
            onclick: () => {
              view.remove();
              resolve(null);
            },
          },
          "Take theirs and drop my changes",
        ),
      ),
    );
    document.querySelector(".editor-alerts").after(view);
    view.focus();
  });
}
