// The Byline public API: GET and POST JSON, and RFC 9457 problem documents as errors.
import { API_BASE } from "./config.js";

export class Problem extends Error {
  constructor(status, body, headers) {
    super(body.detail || body.title || `The newsroom answered ${status}.`);
    this.status = status;
    this.type = body.type;
    // Field by field: [{detail, pointer: "#/author_email"}] for body fields, {parameter} for query ones.
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.retryAfter = Number(body.retry_after ?? headers?.get("Retry-After")) || null;
  }
}

export function apiUrl(path, params = {}) {
  const url = new URL(`${API_BASE}/api/v1${path}`, location.href);
  for (const [name, value] of Object.entries(params)) {
    for (const one of [].concat(value)) {
      if (one !== undefined && one !== null && one !== "") url.searchParams.append(name, one);
    }
  }
  return url;
}

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Problem(response.status, body, response.headers);
  return body;
}

export function getJson(path, params) {
  return fetch(apiUrl(path, params), { headers: { Accept: "application/json" } }).then(answer);
}

export function postJson(path, data) {
  return fetch(apiUrl(path), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(data),
  }).then(answer);
}

// One page of a list; `next_cursor` (not the absolute `links.next`) keeps requests on API_BASE.
export function getPage(path, params, cursor) {
  return getJson(path, { ...params, cursor });
}
