"""The async client: the same requests awaited, each test on an event loop of its own."""

import asyncio
import os

import pytest

from byline_client import AsyncByline, PreconditionFailed, ProblemError
from byline_client.models import ArticleCreate, ArticlePage, ArticlePublic, ArticleUpdate, PageArticleSummary


def test_articles_walks_every_page_and_reads_them_at_once(base_url: str) -> None:
    async def walk() -> tuple[int, list[str], list[ArticlePage]]:
        async with AsyncByline(base_url) as reader:
            first = await reader.get("/api/v1/articles", PageArticleSummary, params={"limit": 3})
            slugs = [article.slug async for article in reader.articles(limit=3)]
            pages = await asyncio.gather(*(reader.article(slug) for slug in slugs))
            return first.meta.total, slugs, pages

    total, slugs, pages = asyncio.run(walk())
    assert len(slugs) == len(set(slugs)) == total > 3
    assert [page.slug for page in pages] == slugs


def test_an_unknown_article_is_a_problem(base_url: str) -> None:
    async def read() -> None:
        async with AsyncByline(base_url) as reader:
            await reader.article("no-such-story")

    with pytest.raises(ProblemError) as raised:
        asyncio.run(read())
    assert raised.value.status == 404


def test_an_edit_with_a_stale_etag_is_refused(base_url: str, draft_title: str) -> None:
    async def edit_twice_from_one_read() -> tuple[PreconditionFailed, str]:
        async with AsyncByline(base_url, key=os.environ["BYLINE_EDITOR_KEY"]) as editor:
            draft = await editor.post(
                "/api/v1/articles", ArticleCreate(title=draft_title, authors=["alok-verma"]), ArticlePublic
            )
            path = f"/api/v1/articles/{draft.slug}"
            first = await editor.read(path, ArticlePage)
            await editor.update(path, ArticleUpdate(title="Edited once"), first.etag, ArticlePublic)
            with pytest.raises(PreconditionFailed) as stale:
                await editor.update(path, ArticleUpdate(title="Overwrites the edit"), first.etag, ArticlePublic)
            return stale.value, (await editor.read(path, ArticlePage)).data.title

    stale, title = asyncio.run(edit_twice_from_one_read())
    assert stale.status == 412 and title == "Edited once"
