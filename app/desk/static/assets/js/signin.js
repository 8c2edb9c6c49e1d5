// Signing in: email and password, or a single sign-on provider when the server has one; then the
// second factor when the account has one.
import { call, get } from "./api.js";
import { field, h, showProblem } from "./dom.js";

// Only addresses inside the desk: `next` comes from the address bar.
function nextAddress(params) {
  const next = params.get("next") || "/desk";
  return /^\/desk([/?]|$)/.test(next) && !next.startsWith("/desk/sign-in") ? next : "/desk";
}

export async function signInScreen(main, desk, params) {
  const next = nextAddress(params);
  if (desk.user) {
    desk.navigate(next, { replace: true });
    return;
  }
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, "data-pointer": "#/email" });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
    "data-pointer": "#/password",
  });
  const form = h(
    "form",
    { class: "sign-in", novalidate: true },
    alert,
    field("Email", email),
    field("Password", password),
    h("button", { type: "submit" }, "Sign in"),
  );
  const providers = h("div", { class: "providers" });
  const forgot = h("p", {}, h("a", { href: "/desk/forgot" }, "Forgot your password?"));
  main.append(h("h1", {}, "Sign in to the desk"), form, forgot, providers);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { data } = await call("POST", "/session", { json: { email: email.value, password: password.value }, quiet401: true });
      finishSignIn(main, desk, data, next);
    } catch (problem) {
      showProblem(alert, problem, form);
      if (problem.status === 401) email.setAttribute("aria-invalid", "true");
    }
  });

  const offered = await get("/session/providers").catch(() => []);
  for (const provider of offered) {
    const start = new URL(provider.start_url, location.origin);
    start.searchParams.set("next", next);
    providers.append(h("a", { class: "button", href: start.href }, `Sign in with ${provider.name}`));
  }
  email.focus();
}

// What a sign-in answered (the password's, an invitation's, a reset's): a session, or the code of
// the account's authenticator still to give before there is one.
export function finishSignIn(main, desk, answer, next = "/desk") {
  if (!answer.second_factor_required) {
    desk.signedIn(answer);
    desk.navigate(next, { replace: true });
    return;
  }
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const code = h("input", {
    type: "text",
    name: "code",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    required: true,
    "data-pointer": "#/code",
  });
  const form = h(
    "form",
    { class: "sign-in", novalidate: true },
    alert,
    field("Code", code, "The 6 digits your authenticator app shows now, or one of your recovery codes."),
    h("button", { type: "submit" }, "Continue"),
  );
  main.replaceChildren(h("h1", {}, "Second step"), form, h("p", {}, h("a", { href: "/desk/sign-in" }, "Start again")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const json = { pending_token: answer.pending_token, code: code.value.trim() };
      const { data } = await call("POST", "/session/totp", { json, quiet401: true });
      desk.signedIn(data);
      desk.navigate(next, { replace: true });
    } catch (problem) {
      showProblem(alert, problem, form);
    }
  });
  code.focus();
}
