/** Problem documents (RFC 9457) as errors a caller can catch by type. */

/** @typedef {import("./schema.js").components["schemas"]["Problem"]} Problem */
/** @typedef {import("./schema.js").components["schemas"]["FieldError"]} FieldError */

/** A request Byline refused or failed: the problem document it answered, with its fields at hand. */
export class ProblemError extends Error {
  /**
   * @param {Problem} problem
   * @param {Response} response
   */
  constructor(problem, response) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.name = new.target.name;
    /** The whole document, members some problem types add (`slug`, `retry_after`) included. */
    this.problem = problem;
    this.response = response;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail ?? null;
    this.instance = problem.instance ?? null;
    /** @type {FieldError[]} each field or parameter a 422 names */
    this.errors = problem.errors ?? [];
  }
}

/** A write sent with an ETag that is no longer current (412): someone changed the resource since. */
export class PreconditionFailed extends ProblemError {}

/**
 * The error for an answer of 400 or more; its body is a problem document, or a bare status when a
 * proxy in front answered.
 * @param {Response} response
 * @returns {Promise<ProblemError>}
 */
export async function problemOf(response) {
  /** @type {Problem} */
  let problem = { type: "about:blank", title: response.statusText, status: response.status };
  if ((response.headers.get("Content-Type") ?? "").includes("json")) {
    problem = { ...problem, ...(await response.clone().json()) };
  }
  return response.status === 412 ? new PreconditionFailed(problem, response) : new ProblemError(problem, response);
}
