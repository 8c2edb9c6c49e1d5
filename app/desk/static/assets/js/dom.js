// Building screens. Everything from the API or the user becomes a text node or an attribute value:
// the desk never inserts HTML.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

let ids = 0;
export const uniqueId = (prefix) => `${prefix}-${++ids}`;

// A labelled control: the label names it, and a problem about it is shown under it.
export function field(label, control, hint) {
  control.id ||= uniqueId("field");
  const help = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (help) control.setAttribute("aria-describedby", help.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, help);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "");

// The problem's message in the screen's alert, and each field it names marked and explained.
export function showProblem(alert, problem, scope = document) {
  for (const marked of scope.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  for (const old of scope.querySelectorAll(".field-error")) old.remove();
  alert.replaceChildren();
  if (!problem) return;
  alert.append(h("p", {}, problem.message));
  let first = null;
  for (const error of problem.errors || []) {
    const control = scope.querySelector(`[data-pointer="${CSS.escape(error.pointer || "")}"]`);
    if (!control) {
      alert.append(h("p", {}, error.detail));
      continue;
    }
    const message = h("p", { class: "field-error", id: uniqueId("error") }, error.detail);
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", message.id);
    control.after(message);
    first ||= control;
  }
  (first || alert).focus();
}

export function busy(main, isBusy) {
  if (isBusy) main.setAttribute("aria-busy", "true");
  else main.removeAttribute("aria-busy");
}
