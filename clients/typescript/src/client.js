/** The Byline client: every operation typed from the OpenAPI document, and what the document cannot say. */

import createFetchClient from "openapi-fetch";
import { problemOf } from "./problems.js";

/** @typedef {import("./schema.js").paths} paths */
/** @typedef {import("./schema.js").components["schemas"]} schemas */
/** @typedef {import("openapi-fetch").Client<paths>} Api */
/** @typedef {import("openapi-fetch").ClientPathsWithMethod<Api, "get">} GetPath */
/** @typedef {import("openapi-fetch").ClientPathsWithMethod<Api, "patch">} PatchPath */
/**
 * What a GET of `P` answers when it succeeds.
 * @template {GetPath} P
 * @typedef {import("openapi-fetch").MethodResponse<Api, "get", P>} Got
 */
/**
 * What a PATCH of `P` answers when it succeeds.
 * @template {PatchPath} P
 * @typedef {import("openapi-fetch").MethodResponse<Api, "patch", P>} Patched
 */
/**
 * The options of a request to `P` with `method`: `params`, `body`, `headers`...
 * @template {keyof paths} P
 * @template {"get" | "patch"} M
 * @typedef {import("openapi-fetch").MaybeOptionalInit<paths[P], M>} Init
 */
/**
 * The paths whose GET answers one page of a list: `data`, and `links.next` to the page after.
 * @typedef {{ [P in GetPath]: Got<P> extends { data: unknown[]; links: { next?: string | null } } ? P : never }[GetPath]} ListPath
 */
/**
 * One item of the list `P` answers.
 * @template {ListPath} P
 * @typedef {Got<P> extends { data: (infer Item)[] } ? Item : never} ItemOf
 */
/**
 * The paths an editor reads and changes: GET for the ETag, PATCH with `If-Match`.
 * @typedef {GetPath & PatchPath} EditablePath
 */
/**
 * A resource as read or written, and the ETag that names that version of it.
 * @template T
 * @typedef {{ data: T; etag: string }} Versioned
 */

/**
 * The ETag of an answer: what to send back as `If-Match`.
 * @param {Response} response
 * @returns {string}
 */
export function etagOf(response) {
  const etag = response.headers.get("ETag");
  if (etag === null) throw new Error(`${response.url} answered without an ETag`);
  return etag;
}

/**
 * The body of a successful answer: the client throws on any other, so it is there whatever the
 * answer types of the operation say.
 * @template T
 * @param {{ data?: T }} result
 * @returns {T}
 */
function answered({ data }) {
  return /** @type {T} */ (data);
}

export class Byline {
  /** @type {Record<string, string>} */
  #headers;
  /** @type {typeof globalThis.fetch} */
  #fetch;

  /**
   * @param {{ baseUrl: string; key?: string; fetch?: typeof globalThis.fetch }} options `baseUrl` is the
   *   server's root (`https://news.example.com`); `key` an API key, sent as `Authorization: Bearer`.
   */
  constructor({ baseUrl, key, fetch = globalThis.fetch }) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#headers = key ? { Authorization: `Bearer ${key}` } : {};
    this.#fetch = (input, init) => fetch(input, init);
    /**
     * Every operation of the document, typed: `api.GET("/api/v1/articles/{slug}", { params: { path: { slug } } })`.
     * An answer of 400 or more throws a ProblemError rather than returning `error`.
     */
    /** @type {Api} */
    this.api = createFetchClient({ baseUrl: this.baseUrl, headers: this.#headers, fetch: this.#fetch });
    this.api.use({
      async onResponse({ response }) {
        if (response.status >= 400) throw await problemOf(response);
      },
    });
  }

  /**
   * Every item of a list, page after page: it follows `links.next` (which carries the filters and
   * the cursor) until the last page, asking for a page only when the one before is used up.
   * @template {ListPath} P
   * @param {P} path
   * @param {Init<P, "get">} [init]
   * @returns {AsyncGenerator<ItemOf<P>, void, undefined>}
   */
  async *each(path, init) {
    /** @type {{ data: ItemOf<P>[]; links: { next?: string | null } }} */
    let page = (await /** @type {any} */ (this.api).GET(path, init)).data;
    for (;;) {
      yield* page.data;
      if (!page.links.next) return;
      const response = await this.#fetch(page.links.next, { headers: this.#headers });
      if (!response.ok) throw await problemOf(response);
      page = await response.json();
    }
  }

  /**
   * A resource with its ETag, to send back when changing it.
   * @template {EditablePath} P
   * @param {P} path
   * @param {Init<P, "get">} init
   * @returns {Promise<Versioned<Got<P>>>}
   */
  async read(path, init) {
    const { data, response } = await /** @type {any} */ (this.api).GET(path, init);
    return { data, etag: etagOf(response) };
  }

  /**
   * A change sent with `If-Match: etag`: if the resource changed since that version was read, the
   * server writes nothing and this throws PreconditionFailed (412).
   * @template {EditablePath} P
   * @param {P} path
   * @param {Init<P, "patch">} init
   * @param {string} etag
   * @returns {Promise<Versioned<Patched<P>>>}
   */
  async update(path, init, etag) {
    const headers = { ...init?.headers, "If-Match": etag };
    const { data, response } = await /** @type {any} */ (this.api).PATCH(path, { ...init, headers });
    return { data, etag: etagOf(response) };
  }

  /**
   * Read, change, write without overwriting anyone: `change` gets the current version and returns
   * the fields to change, sent with that version's ETag. PreconditionFailed means another editor
   * saved in between: nothing was written, and calling `edit` again applies `change` to theirs.
   * @template {EditablePath} P
   * @param {P} path
   * @param {Init<P, "get">} init the path's parameters
   * @param {(current: Got<P>) => NonNullable<Init<P, "patch">>["body"]} change
   * @returns {Promise<Versioned<Patched<P>>>}
   */
  async edit(path, init, change) {
    const { data, etag } = await this.read(path, init);
    return this.update(path, /** @type {any} */ ({ ...init, body: change(data) }), etag);
  }

  /**
   * A signed link that lets anyone holding it read this one unpublished article until it expires
   * (the key needs `content:preview`). Hand `token` to a frontend, which reads with `readPreview`.
   * @param {string} slug
   * @returns {Promise<schemas["PreviewToken"]>}
   */
  async previewLink(slug) {
    return answered(await this.api.POST("/api/v1/articles/{slug}/preview-token", { params: { path: { slug } } }));
  }

  /**
   * The article a preview link opens, read as its holder would: with the token and without the key.
   * @param {string | { url: string }} link the link's URL, or what `previewLink` answered
   * @returns {Promise<schemas["ArticlePage"]>}
   */
  async readPreview(link) {
    const url = new URL(typeof link === "string" ? link : link.url);
    const slug = decodeURIComponent(url.pathname.split("/").at(-1) ?? "");
    const token = url.searchParams.get("preview_token") ?? "";
    return answered(
      await this.api.GET("/api/v1/articles/{slug}", {
        params: { path: { slug }, query: { preview_token: token } },
        headers: { Authorization: null },
      }),
    );
  }
}
