// The body as a list of blocks, each edited as plain text (inline markup stays as typed), moved up
// and down by buttons that keep the keyboard focus on the moved block, or dragged with the mouse. Paragraphs have bold, italic
// and link buttons (Ctrl+B, Ctrl+I, Ctrl+K) that write the inline HTML the API keeps and sanitises.
import { h, uniqueId } from "./dom.js";
import { pickPicture } from "./media.js";
import { pictureFields } from "./picture.js";
import { reorderByPointer, rowActions } from "./reorder.js";

const KINDS = {
  paragraph: "Paragraph",
  heading: "Heading",
  quote: "Quote",
  list: "List",
};

export function blockEditor(blocks, changed) {
  const list = h("ol", { class: "blocks", "aria-label": "Body" });
  const items = blocks.map((block) => ({ ...block }));

  // The focus stays with the block just moved (on its other button at either end) or added.
  function render(focusIndex, focusOn, otherwise = ".down, .up") {
    list.replaceChildren(...items.map((block, index) => blockItem(block, index)));
    const item = list.children[focusIndex];
    (item?.querySelector(`:is(${focusOn}):not(:disabled)`) || item?.querySelector(`:is(${otherwise}):not(:disabled)`))?.focus();
  }

  function move(index, by, button) {
    const target = index + by;
    if (target < 0 || target >= items.length) return;
    [items[index], items[target]] = [items[target], items[index]];
    render(target, button);
    changed();
  }

  // Where a block dragged by the pointer lands.
  function moveTo(from, to) {
    if (to === from) return;
    items.splice(to, 0, ...items.splice(from, 1));
    render(to, ".up, .down");
    changed();
  }

  function blockItem(block, index) {
    const name = `${KINDS[block.type] || (block.type === "image" ? "Picture" : "Embed")} ${index + 1}`;
    const pointer = `#/body/${index}`;
    const controls = [];
    if (block.type === "list") {
      const text = h("textarea", { rows: 3, "data-pointer": `${pointer}/items`, id: uniqueId("block") });
      text.value = block.items.join("\n");
      text.addEventListener("input", () => {
        block.items = text.value.split("\n").filter((line) => line.trim());
        changed();
      });
      const ordered = h("input", { type: "checkbox", checked: block.style === "ordered", id: uniqueId("block") });
      ordered.addEventListener("change", () => {
        block.style = ordered.checked ? "ordered" : "unordered";
        changed();
      });
      controls.push(
        h("label", { for: text.id }, `${name}: one item a line`),
        text,
        h("label", { class: "inline" }, ordered, " Numbered"),
      );
    } else if (KINDS[block.type]) {
      const text = h(block.type === "heading" ? "input" : "textarea", { "data-pointer": `${pointer}/text`, id: uniqueId("block") });
      if (block.type !== "heading") text.rows = block.type === "paragraph" ? 4 : 2;
      text.value = block.text || "";
      text.addEventListener("input", () => {
        block.text = text.value;
        changed();
      });
      controls.push(h("label", { for: text.id }, name), block.type === "paragraph" ? formatting(text, name) : null, text);
      if (block.type === "quote") {
        const cite = h("input", { "data-pointer": `${pointer}/cite`, id: uniqueId("block") });
        cite.value = block.cite || "";
        cite.addEventListener("input", () => {
          block.cite = cite.value || null;
          changed();
        });
        controls.push(h("label", { for: cite.id }, `${name}: who said it`), cite);
      }
    } else if (block.type === "image") {
      controls.push(pictureFields(block, name, pointer, changed));
    } else if (block.type === "embed") {
      // A link to third-party media the frontend may upgrade: its address and words, never its HTML.
      for (const [field, label, type] of [
        ["url", "address (https)", "url"],
        ["title", "title", "text"],
        ["caption", "caption", "text"],
      ]) {
        const input = h("input", { type, "data-pointer": `${pointer}/${field}`, id: uniqueId("block"), name: `embed-${field}` });
        input.value = block[field] || "";
        input.addEventListener("input", () => {
          block[field] = input.value || null;
          changed();
        });
        controls.push(h("label", { for: input.id }, `${name}: ${label}`), input);
      }
    }
    const item = h(
      "li",
      { class: `block block-${block.type}` },
      controls,
      rowActions(name, index, items.length, {
        up: () => move(index, -1, ".up"),
        down: () => move(index, 1, ".down"),
        remove: () => {
          items.splice(index, 1);
          render(Math.min(index, items.length - 1), "textarea, input");
          changed();
        },
      }),
    );
    reorderByPointer(item, list, index, moveTo);
    return item;
  }

  const addImage = h("button", { type: "button", "data-add": "image" }, "Add picture");
  addImage.addEventListener("click", () =>
    pickPicture(adders, "Add a picture", (picture) => {
      items.push({ type: "image", ...picture });
      render(items.length - 1, "input");
      changed();
    }),
  );
  const addEmbed = h("button", { type: "button", "data-add": "embed" }, "Add embed");
  addEmbed.addEventListener("click", () => {
    items.push({ type: "embed", url: "" });
    render(items.length - 1, "input");
    changed();
  });
  const adders = h(
    "div",
    { class: "add-blocks" },
    Object.entries(KINDS).map(([type, label]) =>
      h(
        "button",
        {
          type: "button",
          "data-add": type,
          onclick: () => {
            items.push(type === "list" ? { type, style: "unordered", items: [] } : type === "heading" ? { type, level: 2, text: "" } : { type, text: "" });
            render(items.length - 1, "textarea, input");
            changed();
          },
        },
        `Add ${label.toLowerCase()}`,
      ),
    ),
    addImage,
    addEmbed,
  );
  render();
  return {
    element: h("fieldset", { class: "body" }, h("legend", {}, "Body"), list, adders),
    // Empty blocks are left out: the API refuses them, and a half-typed one is not yet content.
    value: () =>
      items.filter((block) =>
        block.type === "list" ? block.items.length : KINDS[block.type] ? block.text?.trim() : block.type === "embed" ? block.url?.trim() : true,
      ),
  };
}

const MARKS = { b: ["strong", "Bold"], i: ["em", "Italic"] };
const attribute = (value) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

// The selection wrapped in a tag (or unwrapped when the tag is right around it), as the text's markup.
function wrap(text, open, close) {
  const { selectionStart: start, selectionEnd: end, value } = text;
  if (value.slice(start - open.length, start) === open && value.slice(end, end + close.length) === close) {
    text.setRangeText(value.slice(start, end), start - open.length, end + close.length, "select");
  } else {
    text.setRangeText(`${open}${value.slice(start, end)}${close}`, start, end, "end");
    text.setSelectionRange(start + open.length, end + open.length);
  }
  text.dispatchEvent(new Event("input", { bubbles: true }));
  text.focus();
}

function formatting(text, name) {
  const address = h("input", { type: "url", name: "link-address", placeholder: "https://", id: uniqueId("link") });
  const linking = h(
    "div",
    { class: "link-form", hidden: true },
    h("label", { for: address.id }, `Link address for the selected words of ${name}`),
    address,
  );
  let selection = [0, 0];
  function askLink() {
    selection = [text.selectionStart, text.selectionEnd];
    linking.hidden = false;
    address.focus();
  }
  function link() {
    const url = address.value.trim();
    linking.hidden = true;
    text.focus();
    text.setSelectionRange(...selection);
    if (url) wrap(text, `<a href="${attribute(url)}">`, "</a>");
    address.value = "";
  }
  address.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      link();
    } else if (event.key === "Escape") {
      address.value = "";
      link();
    }
  });
  text.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const key = event.key.toLowerCase();
    if (MARKS[key]) wrap(text, `<${MARKS[key][0]}>`, `</${MARKS[key][0]}>`);
    else if (key === "k") askLink();
    else return;
    event.preventDefault();
  });
  const button = (label, shortcut, act) =>
    h("button", { type: "button", class: "format", "aria-keyshortcuts": shortcut, onmousedown: (event) => event.preventDefault(), onclick: act }, label);
  return [
    h(
      "div",
      { class: "format-bar", role: "group", "aria-label": `Formatting of ${name}` },
      Object.entries(MARKS).map(([key, [tag, label]]) => button(label, `Control+${key.toUpperCase()}`, () => wrap(text, `<${tag}>`, `</${tag}>`))),
      button("Link", "Control+K", askLink),
    ),
    linking,
  ];
}
