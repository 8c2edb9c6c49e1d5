// Against a live server: BYLINE_URL is its root, BYLINE_EDITOR_KEY a key with content:write and
// content:preview, and the demo newsroom is loaded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Byline, PreconditionFailed, ProblemError } from "../src/index.js";

const baseUrl = process.env.BYLINE_URL ?? assert.fail("BYLINE_URL names the server to test against");
const reader = new Byline({ baseUrl });
const editor = new Byline({ baseUrl, key: process.env.BYLINE_EDITOR_KEY });
// The other clients' suites write to the same server.
const unique = `typescript ${process.pid} ${Date.now()}`;

test("each() walks every published article across pages, in order and once each", async () => {
  const { data: first } = await reader.api.GET("/api/v1/articles", { params: { query: { limit: 3 } } });
  const slugs = [];
  for await (const article of reader.each("/api/v1/articles", { params: { query: { limit: 3 } } })) {
    slugs.push(article.slug);
  }
  assert.ok(first && first.meta.total > 3, "the demo fills more than one page");
  assert.equal(slugs.length, first.meta.total);
  assert.equal(new Set(slugs).size, slugs.length);
  assert.deepEqual(slugs.slice(0, 3), first.data.map((article) => article.slug));
});

test("one article by slug comes typed, ready to render", async () => {
  const [summary] = (await reader.api.GET("/api/v1/articles", { params: { query: { limit: 1 } } })).data?.data ?? [];
  const { data: article, response } = await reader.api.GET("/api/v1/articles/{slug}", {
    params: { path: { slug: summary.slug } },
  });
  assert.equal(response.status, 200);
  assert.equal(article?.slug, summary.slug);
  assert.equal(article?.status, "published");
  assert.ok(article?.authors.length && typeof article.authors[0].name === "string");
  assert.ok(article?.body_html.length);
});

test("an unknown article is a ProblemError of status 404 and its type", async () => {
  const error = await captured(reader.api.GET("/api/v1/articles/{slug}", { params: { path: { slug: "no-such-story" } } }));
  assert.ok(error instanceof ProblemError);
  assert.equal(error.status, 404);
  assert.match(error.type, /\/problems\/article-not-found$/);
});

test("a bad parameter and a bad field are 422 problems naming them", async () => {
  const limit = await captured(reader.api.GET("/api/v1/articles", { params: { query: { limit: 500 } } }));
  assert.equal(limit.status, 422);
  assert.equal(limit.errors[0].parameter, "limit");
  const title = await captured(
    editor.api.POST("/api/v1/articles", { body: { title: "", authors: ["alok-verma"] } }),
  );
  assert.equal(title.status, 422);
  assert.deepEqual(title.errors.map((error) => error.pointer), ["#/title"]);
});

test("an edit sent with a stale ETag is refused with PreconditionFailed and writes nothing", async () => {
  const { data: draft } = await editor.api.POST("/api/v1/articles", {
    body: { title: `Draft from ${unique}`, authors: ["alok-verma"] },
  });
  const path = { params: { path: { slug: draft?.slug ?? "" } } };
  const first = await editor.read("/api/v1/articles/{slug}", path);
  const edited = await editor.update("/api/v1/articles/{slug}", { ...path, body: { title: "Edited once" } }, first.etag);
  assert.equal(edited.data.title, "Edited once");
  assert.notEqual(edited.etag, first.etag);

  const stale = await captured(
    editor.update("/api/v1/articles/{slug}", { ...path, body: { title: "Overwrites the edit" } }, first.etag),
  );
  assert.ok(stale instanceof PreconditionFailed);
  assert.equal(stale.status, 412);
  assert.equal((await editor.read("/api/v1/articles/{slug}", path)).data.title, "Edited once");

  const again = await editor.edit("/api/v1/articles/{slug}", path, (current) => ({ title: `${current.title}, twice` }));
  assert.equal(again.data.title, "Edited once, twice");
});

test("a preview link reads a draft without a key, which readers cannot see", async () => {
  const { data: draft } = await editor.api.POST("/api/v1/articles", {
    body: { title: `Preview from ${unique}`, authors: ["alok-verma"] },
  });
  const slug = draft?.slug ?? "";
  const link = await editor.previewLink(slug);
  const previewed = await editor.readPreview(link);
  assert.equal(previewed.slug, slug);
  assert.equal(previewed.status, "draft");
  const hidden = await captured(reader.api.GET("/api/v1/articles/{slug}", { params: { path: { slug } } }));
  assert.equal(hidden.status, 404);
});

/**
 * The ProblemError a request failed with.
 * @param {Promise<unknown>} request
 * @returns {Promise<ProblemError>}
 */
async function captured(request) {
  try {
    await request;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  return assert.fail("the request succeeded");
}
