// The desk's one page: who is signed in, and which screen the address names (app/desk/pages.py
// serves the page at each of them). Links inside the desk
// change the screen without loading the page again.
import { acceptScreen, forgotScreen, resetScreen } from "./account.js";
import { auditScreen } from "./audit.js";
import { call, Problem, useSession, whenSignedOut } from "./api.js";
import { collectionScreen, collectionsScreen } from "./collections.js";
import { busy } from "./dom.js";
import { editorScreen } from "./editor.js";
import { keysScreen } from "./keys.js";
import { moderationScreen } from "./moderation.js";
import { peopleScreen } from "./people.js";
import { sessionsScreen } from "./sessions.js";
import { signInScreen } from "./signin.js";
import { storiesScreen } from "./stories.js";
import { webhooksScreen } from "./webhooks.js";

const SCREENS = {
  "": storiesScreen,
  new: editorScreen,
  edit: editorScreen,
  sessions: sessionsScreen,
  "sign-in": signInScreen,
  accept: acceptScreen,
  reset: resetScreen,
  forgot: forgotScreen,
  moderation: moderationScreen,
  people: peopleScreen,
  keys: keysScreen,
  webhooks: webhooksScreen,
  audit: auditScreen,
  collections: collectionsScreen,
  collection: collectionScreen,
};
// What someone not signed in may open.
const OPEN = new Set(["sign-in", "accept", "reset", "forgot"]);
const main = document.getElementById("main");
// `secondFactor`: whether signing in asks this person for a code; `enrolmentDue`: their role must
// have one and they have none yet, so the API lets them do nothing else.
const desk = { user: null, secondFactor: false, enrolmentDue: false, navigate, signedIn, signOut };

function screenName() {
  return location.pathname.replace(/^\/desk\/?/, "");
}

function here() {
  return location.pathname + location.search;
}

export function navigate(address, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", address);
  else history.pushState(null, "", address);
  show();
}

async function show() {
  const name = screenName();
  const screen = SCREENS[name];
  if (!desk.user && !OPEN.has(name)) {
    navigate(`/desk/sign-in?next=${encodeURIComponent(here())}`, { replace: true });
    return;
  }
  if (desk.user && desk.enrolmentDue && name !== "sessions") {
    navigate("/desk/sessions", { replace: true });
    return;
  }
  document.getElementById("nav").hidden = !desk.user;
  busy(main, true);
  main.replaceChildren();
  if (!screen) {
    main.append(Object.assign(document.createElement("h1"), { textContent: "No such screen" }));
  } else {
    await screen(main, desk, new URLSearchParams(location.search));
  }
  busy(main, false);
  // When the screen is ready to use, for measuring.
  performance.mark("desk-ready");
  for (const link of document.querySelectorAll("#nav a")) {
    // A link standing for several screens (Admin) is current on each of them.
    const current = link.pathname === location.pathname || link.dataset.screens?.split(" ").includes(name);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function signedIn(session) {
  desk.user = session.user;
  useSession(session.csrf_token);
  desk.secondFactor = session.second_factor_enabled;
  desk.enrolmentDue = session.second_factor_enrolment_due;
  document.getElementById("who").textContent = `${session.user.name} (${session.user.role})`;
  // Links to the screens of other roles are left out; the API refuses them anyway.
  for (const link of document.querySelectorAll("#nav [data-roles]")) {
    link.hidden = !link.dataset.roles.split(" ").includes(session.user.role);
  }
}

async function signOut() {
  await call("DELETE", "/session").catch(() => {});
  desk.user = null;
  navigate("/desk/sign-in");
}

// A session that ended elsewhere (expired, revoked): sign in again and come back here.
whenSignedOut(() => {
  if (!desk.user) return;
  desk.user = null;
  navigate(`/desk/sign-in?next=${encodeURIComponent(here())}`, { replace: true });
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='/desk']");
  if (!link || link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", show);
document.getElementById("sign-out").addEventListener("click", signOut);

try {
  signedIn((await call("GET", "/session", { quiet401: true })).data);
} catch (error) {
  if (!(error instanceof Problem) || error.status !== 401) throw error;
}
show();
