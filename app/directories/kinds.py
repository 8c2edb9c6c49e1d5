"""The newsroom's three directories, and how articles link to each: authors by their bylines,
sections by each article's one section, tags by the article's tags."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.articles.models import Article, ArticleAuthor, ArticleTag
from app.authors.errors import AuthorHasArticles, AuthorNotFound, AuthorSlugTaken
from app.authors.models import Author
from app.authors.schemas import AuthorCreate, AuthorPublic, AuthorUpdate
from app.collections import service as collections
from app.core.errors import InvalidField
from app.directories.service import Directory
from app.taxonomy.errors import SectionHasArticles, SectionNotFound, TagNotFound, TaxonomySlugTaken
from app.taxonomy.models import Section, Tag
from app.taxonomy.schemas import SectionCreate, SectionPublic, SectionUpdate, TagCreate, TagPublic, TagUpdate


def _hand_over_bylines(session: Session, leaving: int, heir: int) -> None:
    shared = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == heir)
    # Where both are on the byline, the heir keeps their place; elsewhere they take this author's.
    bylines = col(ArticleAuthor.author_id) == leaving
    session.execute(delete(ArticleAuthor).where(bylines, col(ArticleAuthor.article_id).in_(shared)))
    session.execute(update(ArticleAuthor).where(bylines).values(author_id=heir))


AUTHORS = Directory(
    Author,
    public=AuthorPublic,
    create_body=AuthorCreate,
    update_body=AuthorUpdate,
    not_found=AuthorNotFound,
    slug_taken=AuthorSlugTaken,
    article_id=col(ArticleAuthor.article_id),
    entry_id=col(ArticleAuthor.author_id),
    still_used=AuthorHasArticles,
    hand_over=_hand_over_bylines,
)


def _move_articles(session: Session, leaving: int, heir: int) -> None:
    session.execute(update(Article).where(col(Article.section_id) == leaving).values(section_id=heir))


def _picks_exist(session: Session, fields: Mapping[str, Any]) -> None:
    picks = fields.get("editors_picks")
    if picks and collections.find(session, picks) is None:
        raise InvalidField(
            "#/editors_picks", f"No collection has the slug '{picks}'; create it with PUT /api/v1/collections/{picks}."
        )


SECTIONS = Directory(
    Section,
    public=SectionPublic,
    create_body=SectionCreate,
    update_body=SectionUpdate,
    not_found=SectionNotFound,
    slug_taken=TaxonomySlugTaken,
    article_id=col(Article.id),
    entry_id=col(Article.section_id),
    still_used=SectionHasArticles,
    hand_over=_move_articles,
    check_fields=_picks_exist,
)
# Removing a tag takes it off its articles.
TAGS = Directory(
    Tag,
    public=TagPublic,
    create_body=TagCreate,
    update_body=TagUpdate,
    not_found=TagNotFound,
    slug_taken=TaxonomySlugTaken,
    article_id=col(ArticleTag.article_id),
    entry_id=col(ArticleTag.tag_id),
    # A tag made for a draft or an embargoed story would give the story away.
    lists_unused=False,
    # Tags are found by name when articles name them, so a new one's spacing is tidied.
    fields_of=lambda data: {"name": " ".join(data.name.split())},
)
