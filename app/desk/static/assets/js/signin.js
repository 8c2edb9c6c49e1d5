// Signing in: email and password, or a single sign-on provider when the server has one.
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
  main.append(h("h1", {}, "Sign in to the desk"), form, providers);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { data } = await call("POST", "/session", { json: { email: email.value, password: password.value }, quiet401: true });
      // A second factor, when the account has one, is asked for here before the session is used.
      desk.signedIn(data);
      desk.navigate(next, { replace: true });
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
