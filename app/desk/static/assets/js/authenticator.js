// The person's own authenticator app (TOTP): setting one up with the password asked again, its
// secret and otpauth URI shown as text, the first code that turns it on, the recovery codes shown
// once; and turning it off.
import { call } from "./api.js";
import { field, h, showProblem, shownOnce } from "./dom.js";

const password = () =>
  h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, "data-pointer": "#/password" });
const codeInput = () =>
  h("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, "data-pointer": "#/code" });

export function authenticatorPanel(desk) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const done = h("p", { class: "done", role: "status" });
  const body = h("div");
  const section = h(
    "section",
    { class: "authenticator", "aria-labelledby": "authenticator-heading" },
    h("h2", { id: "authenticator-heading" }, "Authenticator app"),
    alert,
    done,
    body,
  );

  // A form whose submit sends `json()` and hands the answer on; a refusal is shown, the field marked.
  function form(fields, submit, path, json, then) {
    const element = h("form", { class: "sign-in", novalidate: true }, fields, h("button", { type: "submit" }, submit));
    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const { data } = await call("POST", path, { json: json() });
        showProblem(alert, null, element);
        then(data);
      } catch (problem) {
        showProblem(alert, problem, element);
      }
    });
    return element;
  }

  function show(focus = true) {
    body.replaceChildren();
    if (desk.secondFactor) {
      const pass = password();
      body.append(
        h("p", { class: "state" }, "On: signing in asks for a code from your authenticator app."),
        form(
          field("Password", pass, "Your password, to turn it off."),
          "Turn the authenticator off",
          "/users/me/totp/disable",
          () => ({ password: pass.value }),
          () => {
            desk.secondFactor = false;
            done.textContent = "The authenticator is off; its recovery codes no longer work.";
            show();
          },
        ),
      );
      return;
    }
    const pass = password();
    body.append(
      h("p", { class: "state" }, desk.enrolmentDue ? "People of your role sign in with a code too: set up an authenticator app before anything else." : "Off: signing in asks only for your password."),
      form(field("Password", pass, "Asked again before setting one up."), "Set up an authenticator", "/users/me/totp", () => ({ password: pass.value }), enrol),
    );
    if (focus) pass.focus();
  }

  function enrol(enrolment) {
    const code = codeInput();
    body.replaceChildren(
      h("p", {}, "Add this account to your authenticator app with the setup link, or type the secret in it; then give the code it shows."),
      shownOnce("Setup link", enrolment.otpauth_uri, "An otpauth:// link; many apps read it when pasted."),
      shownOnce("Secret", enrolment.secret, "The same key, for apps that ask for it typed."),
      form(field("Code", code, "The 6 digits the app shows now."), "Turn it on", "/users/me/totp/confirm", () => ({ code: code.value.trim() }), recovery),
    );
    done.textContent = "Not on yet: it is on once a code confirms it.";
    code.focus();
  }

  function recovery(answer) {
    desk.secondFactor = true;
    desk.enrolmentDue = false;
    done.textContent = "The authenticator is on.";
    const codes = answer.recovery_codes.join("\n");
    const list = h("ol", { class: "recovery-codes", tabindex: "-1" }, answer.recovery_codes.map((one) => h("li", {}, h("code", {}, one))));
    const finish = h("button", { type: "button", name: "done" }, "I have stored them");
    finish.addEventListener("click", () => show());
    body.replaceChildren(
      h("p", {}, "Recovery codes, shown this once: each signs you in once if the app is lost. Store them somewhere safe."),
      list,
      shownOnce("All the codes", codes, "To paste into a password manager."),
      finish,
    );
    list.focus();
  }

  show(false);
  return section;
}
