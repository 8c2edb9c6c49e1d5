"""What a caller of the sync client depends on."""

import pytest

from byline_client import Byline, PreconditionFailed, ProblemError
from byline_client.models import (
    ArticleCreate,
    ArticlePage,
    ArticlePublic,
    ArticleStatus,
    ArticleUpdate,
    PageArticleSummary,
)


def test_articles_walks_every_page_in_order_once_each(reader: Byline) -> None:
    first = reader.get("/api/v1/articles", PageArticleSummary, params={"limit": 3})
    slugs = [article.slug for article in reader.articles(limit=3)]
    assert first.meta.total > 3, "the demo fills more than one page"
    assert len(slugs) == len(set(slugs)) == first.meta.total
    assert slugs[:3] == [article.slug for article in first.data]


def test_one_article_by_slug_comes_as_its_model(reader: Byline) -> None:
    summary = next(reader.articles(limit=1))
    article = reader.article(summary.slug)
    assert isinstance(article, ArticlePage)
    assert article.slug == summary.slug
    assert article.status is ArticleStatus.published
    assert article.authors[0].name and article.body_html


def test_an_unknown_article_is_a_problem_of_its_type(reader: Byline) -> None:
    with pytest.raises(ProblemError) as raised:
        reader.article("no-such-story")
    assert raised.value.status == 404
    assert raised.value.type.endswith("/problems/article-not-found")


def test_a_bad_parameter_and_a_bad_field_are_422_problems_naming_them(reader: Byline, editor: Byline) -> None:
    with pytest.raises(ProblemError) as limit:
        next(reader.articles(limit=500))
    assert limit.value.status == 422 and limit.value.errors[0].parameter == "limit"
    with pytest.raises(ProblemError) as title:
        editor.post("/api/v1/articles", {"title": "", "authors": ["alok-verma"]}, ArticlePublic)
    assert title.value.status == 422
    assert [error.pointer for error in title.value.errors] == ["#/title"]


def test_an_edit_with_a_stale_etag_is_refused_and_writes_nothing(editor: Byline, draft_title: str) -> None:
    draft = editor.post("/api/v1/articles", ArticleCreate(title=draft_title, authors=["alok-verma"]), ArticlePublic)
    path = f"/api/v1/articles/{draft.slug}"
    first = editor.read(path, ArticlePage)
    edited = editor.update(path, ArticleUpdate(title="Edited once"), first.etag, ArticlePublic)
    assert edited.data.title == "Edited once" and edited.etag != first.etag

    with pytest.raises(PreconditionFailed) as stale:
        editor.update(path, ArticleUpdate(title="Overwrites the edit"), first.etag, ArticlePublic)
    assert stale.value.status == 412
    assert editor.read(path, ArticlePage).data.title == "Edited once"

    again = editor.edit(
        path, lambda current: ArticleUpdate(title=f"{current.title}, twice"), read=ArticlePage, returns=ArticlePublic
    )
    assert again.data.title == "Edited once, twice"


def test_a_preview_link_reads_a_draft_readers_cannot_see(reader: Byline, editor: Byline, draft_title: str) -> None:
    draft = editor.post("/api/v1/articles", ArticleCreate(title=draft_title, authors=["alok-verma"]), ArticlePublic)
    previewed = editor.read_preview(editor.preview_link(draft.slug))
    assert previewed.slug == draft.slug and previewed.status is ArticleStatus.draft
    with pytest.raises(ProblemError) as hidden:
        reader.article(draft.slug)
    assert hidden.value.status == 404
