"""Corrections: the dated notices on an article, added, edited and removed like any other article write."""

from datetime import datetime

from sqlmodel import Session

from app.articles.editing import write_article
from app.articles.errors import CorrectionNotFound
from app.articles.models import Article, Correction
from app.articles.schemas import CorrectionCreate, CorrectionUpdate


def _correction(article: Article, correction_id: int) -> Correction:
    found = next((c for c in article.corrections if c.id == correction_id), None)
    if found is None:
        raise CorrectionNotFound(
            f"Article '{article.slug}' has no correction {correction_id}.", correction_id=correction_id
        )
    return found


def add_correction(
    session: Session,
    article: Article,
    data: CorrectionCreate,
    *,
    now: datetime,
    actor: str,
    if_match: str | None = None,
) -> Article:
    correction = Correction(text=data.text, published_at=data.published_at or now)
    return write_article(
        session, article, lambda: article.corrections.append(correction), now=now, actor=actor, if_match=if_match
    )


def edit_correction(
    session: Session,
    article: Article,
    correction_id: int,
    data: CorrectionUpdate,
    *,
    now: datetime,
    actor: str,
    if_match: str | None = None,
) -> Article:
    correction = _correction(article, correction_id)
    return write_article(
        session, article, lambda: correction.sqlmodel_update(data.changes()), now=now, actor=actor, if_match=if_match
    )


def remove_correction(
    session: Session,
    article: Article,
    correction_id: int,
    *,
    now: datetime,
    actor: str,
    if_match: str | None = None,
) -> Article:
    correction = _correction(article, correction_id)
    return write_article(
        session, article, lambda: article.corrections.remove(correction), now=now, actor=actor, if_match=if_match
    )
