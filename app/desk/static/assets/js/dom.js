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
    // Body fields by their JSON pointer, query parameters (filters) by their name.
    const control = error.pointer
      ? scope.querySelector(`[data-pointer="${CSS.escape(error.pointer)}"]`)
      : scope.querySelector(`[data-parameter="${CSS.escape(error.parameter || "")}"]`);
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

// A screen the person's role may not use: the API's 403 says why, in place of the screen.
export function notAllowed(main, problem) {
  main.replaceChildren(
    h("h1", {}, "Not allowed"),
    h("p", { class: "refusal", role: "alert" }, problem.message),
    h("p", {}, "Your role does not include this screen; an administrator can change your role."),
  );
}

// A button for an act that cannot be undone: it asks once more, in place, before acting.
export function confirming(label, question, act, attributes = {}) {
  const button = h("button", { type: "button", ...attributes }, label);
  button.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger" }, `Yes, ${label.toLowerCase()}`);
    const no = h("button", { type: "button", class: "secondary" }, "Cancel");
    const ask = h("span", { class: "confirm", role: "group", "aria-label": question }, h("span", {}, question), yes, no);
    no.addEventListener("click", () => {
      ask.replaceWith(button);
      button.focus();
    });
    yes.addEventListener("click", () => act());
    button.replaceWith(ask);
    yes.focus();
  });
  return button;
}

// A secret shown this once, selectable, with a button that copies it.
export function shownOnce(label, secret, hint) {
  const value = h("input", { type: "text", readonly: true, value: secret, class: "secret", spellcheck: "false" });
  const done = h("span", { role: "status", class: "copied" });
  const copy = h("button", { type: "button", class: "secondary copy" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      done.textContent = "Copied.";
    } catch {
      value.select();
      done.textContent = "Select it and copy it yourself: this browser refused.";
    }
  });
  return h("div", { class: "shown-once" }, field(label, value, hint), h("div", { class: "actions" }, copy, done));
}
