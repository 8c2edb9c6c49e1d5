// The screens before anyone is signed in, besides signing in: accepting an invitation and setting a
// new password from the emailed link, and asking for that link.
import { call } from "./api.js";
import { field, h, showProblem } from "./dom.js";
import { finishSignIn } from "./signin.js";

function newPassword() {
  return h("input", {
    type: "password",
    name: "password",
    autocomplete: "new-password",
    required: true,
    minlength: 12,
    "data-pointer": "#/password",
  });
}

// A form that sends the link's token with what the person typed, then signs them in.
function linkForm(main, desk, { heading, intro, path, token, fields, submit }) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const form = h(
    "form",
    { class: "sign-in", novalidate: true },
    alert,
    fields.map(([label, control, hint]) => field(label, control, hint)),
    h("button", { type: "submit" }, submit),
  );
  main.append(h("h1", {}, heading), h("p", {}, intro), form);
  if (!token) {
    showProblem(alert, { message: "This address has no token: open the link from the email again.", errors: [] });
    return;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const json = { token };
    for (const [, control] of fields) if (control.value.trim()) json[control.name] = control.value;
    try {
      const { data } = await call("POST", path, { json, quiet401: true });
      finishSignIn(main, desk, data);
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  });
  fields[0][1].focus();
}

const PASSWORD_HINT = "At least 12 characters; a phrase of several words is easy to remember and hard to guess.";

export function acceptScreen(main, desk, params) {
  const name = h("input", { type: "text", name: "name", autocomplete: "name", "data-pointer": "#/name" });
  linkForm(main, desk, {
    heading: "Join the desk",
    intro: "Choose the password you will sign in with.",
    path: "/users/invites/accept",
    token: params.get("token"),
    fields: [
      ["Password", newPassword(), PASSWORD_HINT],
      ["Your name", name, "Only if the invitation spelt it wrong."],
    ],
    submit: "Join",
  });
}

export function resetScreen(main, desk, params) {
  linkForm(main, desk, {
    heading: "Choose a new password",
    intro: "Every other session of your account ends when it is set.",
    path: "/session/password-reset/confirm",
    token: params.get("token"),
    fields: [["New password", newPassword(), PASSWORD_HINT]],
    submit: "Set the password",
  });
}

export function forgotScreen(main) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const sent = h("p", { role: "status" });
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, "data-pointer": "#/email" });
  const form = h(
    "form",
    { class: "sign-in", novalidate: true },
    alert,
    field("Email", email),
    h("button", { type: "submit" }, "Email me a link"),
  );
  main.append(h("h1", {}, "Forgot your password?"), form, sent, h("p", {}, h("a", { href: "/desk/sign-in" }, "Back to sign-in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { data } = await call("POST", "/session/password-reset", { json: { email: email.value }, quiet401: true });
      showProblem(alert, null, form);
      sent.textContent = data.note;
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  });
  email.focus();
}
