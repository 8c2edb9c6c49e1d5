// The signed-in person's own account: their authenticator app, and their sessions, each of which
// they may end.
import { call, get } from "./api.js";
import { authenticatorPanel } from "./authenticator.js";
import { h, showProblem, when } from "./dom.js";

export async function sessionsScreen(main, desk) {
  const alert = h("div", { class: "alert", role: "alert", tabindex: "-1" });
  const list = h("ul", { class: "sessions" });
  main.append(h("h1", {}, "Your account"), authenticatorPanel(desk));
  // Until a required second factor is on, the API answers nothing else.
  if (desk.enrolmentDue) return;
  main.append(h("h2", {}, "Your sessions"), alert, list);

  async function load() {
    const sessions = await get("/session/all");
    list.replaceChildren(
      ...sessions.map((one) =>
        h(
          "li",
          { "data-session": one.id },
          h("p", { class: "agent" }, one.user_agent || "Unknown browser", one.current ? h("strong", {}, " (this browser)") : null),
          h("p", {}, `Signed in ${when(one.created_at)}, ends ${when(one.expires_at)}`),
          h(
            "button",
            {
              type: "button",
              "aria-label": one.current ? "Sign out of this browser" : `End the session of ${when(one.created_at)}`,
              onclick: async () => {
                if (one.current) return desk.signOut();
                try {
                  await call("DELETE", `/session/${one.id}`);
                  await load();
                  alert.replaceChildren(h("p", {}, "The session was ended."));
                } catch (problem) {
                  showProblem(alert, problem);
                }
              },
            },
            one.current ? "Sign out" : "End session",
          ),
        ),
      ),
    );
  }
  await load();
}
