// The Byline API with the browser's session: the cookie goes by itself, the CSRF token goes as
// X-CSRF-Token on every request that changes something, and problem documents become Problems.

export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `The server answered ${status}.`);
    this.status = status;
    this.type = body.type || "about:blank";
    // Field by field: [{detail, pointer: "#/title"}] for body fields, {parameter} for query ones.
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

let csrfToken = "";
let onSignedOut = () => {};

export function useSession(token) {
  csrfToken = token;
}

// Called when the session has expired or was revoked: the desk goes back to the sign-in screen.
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export function apiUrl(path, params = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return url;
}

// {data, etag} for a 2xx answer; a Problem otherwise.
// `ifNoneMatch: "*"` makes a PUT create only.
export async function call(method, path, { params, json, form, ifMatch, ifNoneMatch, quiet401 } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (ifMatch) headers["If-Match"] = ifMatch;
  if (ifNoneMatch) headers["If-None-Match"] = ifNoneMatch;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) body = form;
  const response = await fetch(apiUrl(path, params), { method, headers, body, credentials: "same-origin" });
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401 && !quiet401) onSignedOut();
    throw new Problem(response.status, data || {});
  }
  return { data, etag: response.headers.get("ETag") };
}

export const get = (path, params) => call("GET", path, { params }).then((answer) => answer.data);

// Searches run as words are typed, and their answers may come back out of order: the function
// returned resolves each answer, or null once a later search has been asked for.
export function latestOnly() {
  let asked = 0;
  return async (answer) => {
    const mine = ++asked;
    const value = await answer;
    return mine === asked ? value : null;
  };
}
