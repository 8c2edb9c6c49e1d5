// A list read a page at a time: "Next page" (or `label`) follows `meta.next_cursor`, and keyboard
// users carry on from the first item of the new page.
import { h, showProblem } from "./dom.js";

export function pagedList({ list, load, row, empty, alert, label = "Next page" }) {
  const more = h("button", { type: "button", class: "more", hidden: true }, label);
  let cursor = null;
  const pager = {
    more,
    total: null,
    // The next page; a refused request throws its Problem, for the screen to show.
    async next() {
      const page = await load(cursor);
      list.append(...page.data.map(row));
      cursor = page.meta.next_cursor;
      pager.total = page.meta.total;
      more.hidden = !cursor;
      if (!list.children.length) list.append(h("li", { class: "empty" }, empty));
      return page;
    },
    async reload() {
      cursor = null;
      list.replaceChildren();
      return pager.next();
    },
  };
  more.addEventListener("click", async () => {
    const before = list.children.length;
    try {
      await pager.next();
    } catch (problem) {
      showProblem(alert, problem);
      return;
    }
    const first = list.children[before];
    (first?.querySelector("a, button, input") || first)?.focus();
  });
  return pager;
}
