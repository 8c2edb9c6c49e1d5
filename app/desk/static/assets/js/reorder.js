// Reordering a list with a pointer: pressed on a row (a mouse anywhere but on its fields and
// buttons; a pen or finger on its grip), moved, a line marks where it will land, and it lands on
// release; Escape calls it off. Pointer events, so real mouse input drives it in every browser. The
// keyboard's way (buttons, Alt+Arrow) stays the accessible one.
import { h } from "./dom.js";

const CONTROLS = "input, textarea, select, button, a, label";
// A press that moves less than this is a click, which leaves the order alone.
const SLOP = 4;

// The grip a row shows: what a finger drags, and a hint of what the mouse may do.
const grip = () => h("span", { class: "grip", "aria-hidden": "true", title: "Drag to move" }, "⠿");

// A row's grip and its keyboard buttons: move `name` up or down, or remove it.
export function rowActions(name, index, count, { up, down, remove }) {
  return h(
    "div",
    { class: "block-actions" },
    grip(),
    h("button", { type: "button", class: "up", "aria-label": `Move ${name} up`, disabled: index === 0, onclick: up }, "↑"),
    h("button", { type: "button", class: "down", "aria-label": `Move ${name} down`, disabled: index === count - 1, onclick: down }, "↓"),
    h("button", { type: "button", class: "remove", "aria-label": `Remove ${name}`, onclick: remove }, "Remove"),
  );
}

// The row a pointer at `y` is over, by index: the first whose bottom is below it, else the last.
function landing(rows, y) {
  const found = rows.findIndex((row) => row.getBoundingClientRect().bottom > y);
  return found === -1 ? rows.length - 1 : found;
}

function mark(rows, from, to) {
  for (const row of rows) row.classList.remove("drop-before", "drop-after");
  if (to !== from) rows[to].classList.add(to < from ? "drop-before" : "drop-after");
}

// Row `index` of `list` moves by pointer; `move(from, to)` reorders and renders the list anew.
export function reorderByPointer(row, list, index, move) {
  row.addEventListener("pointerdown", (down) => {
    if (down.button !== 0 || down.target.closest(CONTROLS)) return;
    if (down.pointerType !== "mouse" && !down.target.closest(".grip")) return;
    const rows = [...list.children];
    let dragging = false;
    let to = index;
    function follow(event) {
      if (!dragging) {
        if (Math.hypot(event.clientX - down.clientX, event.clientY - down.clientY) < SLOP) return;
        dragging = true;
        list.classList.add("reordering");
        row.classList.add("dragged");
        getSelection()?.removeAllRanges();
      }
      event.preventDefault();
      to = landing(rows, event.clientY);
      mark(rows, index, to);
    }
    function stop(event) {
      document.removeEventListener("pointermove", follow);
      document.removeEventListener("pointerup", stop);
      document.removeEventListener("pointercancel", stop);
      document.removeEventListener("keydown", escape, true);
      list.classList.remove("reordering");
      row.classList.remove("dragged");
      mark(rows, index, index);
      if (dragging && event?.type === "pointerup") move(index, landing(rows, event.clientY));
    }
    function escape(event) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      stop(null);
    }
    document.addEventListener("pointermove", follow);
    document.addEventListener("pointerup", stop);
    document.addEventListener("pointercancel", stop);
    document.addEventListener("keydown", escape, true);
  });
}
