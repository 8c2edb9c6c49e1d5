"""The "Related Articles" block: lookups for readers, pins for editors."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.articles.dependencies import ArticleForEditors, ArticleToPreview, EditorReader, PreviewReader
from app.articles.errors import ArticleMoved, ArticleNotFound
from app.articles.schemas import ArticleSummary
from app.auth.errors import MissingScope, NotAuthenticated
from app.caching import keys, stored_answers
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.slugs import Slug
from app.related import service as related
from app.related.dependencies import NeighboursDep
from app.related.schemas import PinnedArticles, RelatedArticle, RelatedList, RelatedPins
from app.web.conditional import private_if
from app.web.fieldsets import Fieldset, fields_of, sparse_list
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep, SessionDep

router = APIRouter(prefix="/api/v1/articles/{slug}/related", tags=["articles"])
STORED_PATHS = stored_answers.stored_paths("/api/v1/articles/{slug}/related")

RelatedFields = Annotated[Fieldset | None, Depends(fields_of(RelatedArticle))]


@router.get(
    "",
    operation_id="articles-related",
    summary="Get related articles, with the reasons each was chosen",
    response_model=RelatedList,
    responses=problems(ArticleNotFound, ArticleMoved, InvalidParameter),
)
def get_related(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    semantic: NeighboursDep,
    fields: RelatedFields,
    limit: Annotated[int, Query(ge=1, le=20, description="How many to return.")] = 5,
) -> dict | Response:
    """Pinned articles first, in the editors' order; then published articles close in text
    (distinctive shared terms), tags, section, author and time. Never the article itself, an
    unpublished article, or a near-identical copy."""
    shown = related.related_articles(session, slug, limit=limit, now=clock(), cache=cache, semantic=semantic)
    # Pins and the article's own changes purge its key; anything published may join the list.
    keys.label_list(response, keys.ARTICLES, shown, keys.article(slug), keys.MATCHES)
    stored_answers.storable_as_asked(request, "limit")
    return sparse_list(request, response, {"data": shown}, fields)


@router.get(
    "/pins",
    operation_id="articles-related-pins",
    summary="Get the articles editors pinned, whatever the article's status",
    response_model=PinnedArticles,
    responses=problems(NotAuthenticated, MissingScope, ArticleNotFound, ArticleMoved, InvalidParameter),
)
def get_pins(
    response: Response, article: ArticleToPreview, session: ReadSessionDep, clock: ClockDep, reader: PreviewReader
) -> PinnedArticles:
    """For keys with `content:preview`: the pins of a draft, scheduled or embargoed article too,
    which has no related list for readers yet. Pins the key cannot see are left out."""
    now = clock()
    private_if(response, True)
    pinned = related.pinned_articles(session, article, now=now, reader=reader)
    return PinnedArticles(data=[ArticleSummary.from_article(one, now=now) for one in pinned])


@router.put(
    "/pins",
    operation_id="articles-pin-related",
    summary="Set the articles editors pin to the top of the related list",
    response_model=RelatedPins,
    responses=problems(NotAuthenticated, MissingScope, ArticleNotFound, ArticleMoved, InvalidField, InvalidParameter),
)
def pin_related(
    article: ArticleForEditors, body: RelatedPins, session: SessionDep, clock: ClockDep, reader: EditorReader
) -> RelatedPins:
    """An article the key cannot see (embargoed, without `content:embargo`) is refused as an unknown slug is."""
    pinned = related.pin_related(session, article, body.slugs, now=clock(), reader=reader)
    return RelatedPins(slugs=[article.slug for article in pinned])
