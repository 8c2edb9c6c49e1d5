// The front page: the newest articles, the first as the lead, and "More" for older ones.
import { pagedList } from "./cards.js";
import { h } from "./dom.js";
import { setDescription, setTitle, shell, show, showFailure } from "./layout.js";

const main = shell();
setTitle();
setDescription("The latest news, analysis and reporting.");
const latest = pagedList({ path: "/articles", params: { limit: 10 }, label: "Latest articles", leadFirst: true });
try {
  await latest.first;
  show(main, h("h1", { class: "visually-hidden" }, "Latest news"), latest.element);
} catch (error) {
  showFailure(main, error);
}
