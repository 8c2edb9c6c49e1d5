/** @byline/client: a typed client for the Byline news API. */

export { Byline, etagOf } from "./client.js";
export { PreconditionFailed, ProblemError, problemOf } from "./problems.js";
