"""The directories' routes: authors (the author box, editing, and "More »", the author's articles),
sections and tags (with article counts for navigation and tag clouds), and their editing."""

from fastapi import Request, Response

from app.articles import service as articles
from app.articles.dependencies import SummaryFields
from app.articles.schemas import ArticleFilters, ArticleSummary
from app.authors.errors import AuthorNotFound
from app.caching import keys, stored_answers
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.slugs import Slug
from app.directories import section_page
from app.directories.kinds import AUTHORS, SECTIONS, TAGS
from app.directories.router import directory_router
from app.web.fieldsets import sparse_list
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep

# An author's first page of articles may be stored (app.caching.stored_answers).
STORED_PATHS = stored_answers.stored_paths("/api/v1/authors/{slug}/articles")

authors = directory_router(
    AUTHORS,
    summaries={
        "list": "List authors by name",
        "get": "Get an author's profile",
        "create": "Add an author",
        "update": "Change an author's profile",
        "delete": "Remove an author, handing their bylines to another",
    },
    list_description="With `q`, authors a word of whose name starts with it: `q=ver` finds Alok Verma. An author\n"
    "whose bylines are all on unpublished articles is listed only for `content:preview` keys.",
    searchable=True,
    reassign_to="Author who takes over the bylines.",
)


@authors.get(
    "/{slug}/articles",
    operation_id="authors-articles",
    summary="List an author's published articles, newest first",
    response_model=Page[ArticleSummary],
    responses=problems(AuthorNotFound, InvalidParameter),
)
def list_author_articles(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    fields: SummaryFields,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict | Response:
    now = clock()
    author = AUTHORS.get(session, slug, now=now)
    page = articles.list_summaries(
        session,
        ArticleFilters(author=[author.slug]),
        now=now,
        limit=limit,
        cursor=cursor,
        cache=cache,
    )
    shown = page_response(
        request, response, page.summaries, total=page.total, next_cursor=page.next_cursor, kind=keys.ARTICLES
    )
    stored_answers.storable_as_asked(request, "limit")
    return sparse_list(request, response, shown, fields)


sections = directory_router(
    SECTIONS,
    summaries={
        "list": "List sections by name",
        "get": "Get a section",
        "create": "Add a section",
        "update": "Change a section",
        "delete": "Remove a section, moving its articles to another",
    },
    list_description="A section whose articles are all unpublished is listed only for `content:preview` keys.",
    reassign_to="Section that takes the articles.",
    more_problems={"update": (InvalidField,), "delete": (InvalidField,)},
    page=(section_page.get_section, section_page.SectionPage),
)
tags = directory_router(
    TAGS,
    summaries={
        "list": "List tags of published articles by name",
        "get": "Get a tag",
        "create": "Add a tag",
        "update": "Rename a tag",
        "delete": "Remove a tag from every article and delete it",
    },
    list_description="Only tags that at least one published article carries: a tag made for a draft or an\n"
    "embargoed story would give the story away. With `q`, tags a word of whose name starts with it.",
    searchable=True,
    more_problems={"update": (InvalidField,)},
)
