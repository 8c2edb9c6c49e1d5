"""Related-article pins of imported articles, set once the whole import has landed: a record may pin
an article that comes later in the same import."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.articles.models import Article
from app.articles.visibility import Reader, visible
from app.caching import content_version, keys
from app.core.errors import InvalidField
from app.related.models import RelatedPin


@dataclass
class PendingPins:
    position: int | str
    article_id: int
    slugs: list[str]


def set_pins(
    session: Session, pending: list[PendingPins], *, now: datetime, reader: Reader
) -> dict[int | str, InvalidField | None]:
    """Give each article the pins its record lists, in order, in a few statements for the whole list.
    Answers, for each record whose pins changed or could not be set, None or why. Articles the
    reader may not see are unknown slugs."""
    wanted_slugs = {slug for p in pending for slug in p.slugs}
    ids = {p.article_id for p in pending}
    pinnable = select(Article.slug, Article.id).where(col(Article.slug).in_(wanted_slugs), visible(now, reader))
    by_slug = dict(session.exec(pinnable).all())
    slug_of = dict(session.exec(select(Article.id, Article.slug).where(col(Article.id).in_(ids))).all())
    current: dict[int, list[int]] = {}
    for article_id, related_id in session.exec(
        select(RelatedPin.article_id, RelatedPin.related_id)
        .where(col(RelatedPin.article_id).in_(ids))
        .order_by(col(RelatedPin.article_id), col(RelatedPin.position))
    ):
        current.setdefault(article_id, []).append(related_id)
    answers: dict[int | str, InvalidField | None] = {}
    replaced: dict[int, list[int]] = {}
    for p in pending:
        slugs = list(dict.fromkeys(p.slugs))
        unknown = next((n for n, slug in enumerate(p.slugs) if slug not in by_slug), None)
        if unknown is not None:
            answers[p.position] = InvalidField(
                f"#/related/{unknown}",
                f"No article has the slug '{p.slugs[unknown]}'; the article was stored without its related pins.",
            )
        elif slug_of.get(p.article_id) in slugs:
            answers[p.position] = InvalidField(
                "#/related", "An article cannot be related to itself; it was stored without its related pins."
            )
        elif [by_slug[slug] for slug in slugs] != current.get(p.article_id, []):
            replaced[p.article_id] = [by_slug[slug] for slug in slugs]
            answers[p.position] = None
    if replaced:
        session.execute(delete(RelatedPin).where(col(RelatedPin.article_id).in_(replaced)))
        rows = [
            {"article_id": id, "related_id": related, "position": n}
            for id, related_ids in replaced.items()
            for n, related in enumerate(related_ids)
        ]
        if rows:
            session.execute(insert(RelatedPin), rows)
        content_version.bump(session, *(keys.article(slug_of[id]) for id in replaced))
    return answers
