"""Related articles: pinned ones first, then the best of text similarity, shared tags, section,
author and recency, each with the reasons it was chosen.

Text similarity is a "more like this" query over the term vectors: the article's most
distinctive terms (weight × inverse document frequency) find the articles that share them.
It needs no tags or sections, so imported archives get neighbours too.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, delete, select

from app.articles.models import Article, ArticleTag
from app.articles.editing import EDITOR
from app.articles.service import get_article, summary_loading
from app.articles.visibility import visible
from app.content_cache import ContentCache
from app.errors import InvalidField
from app.search.models import ArticleTerm, RelatedPin, TermDocumentCount
from app.search.schemas import RelatedArticle

QUERY_TERMS = 40
CANDIDATES = 100
# A term in more than this share of articles (and more than a handful) says too little to look
# candidates up by, and its long posting list would cost more than it brings.
MAX_DOCUMENT_SHARE = 0.1
MIN_DOCUMENT_CEILING = 50
# Cosine of the unit term vectors above which two articles are the same story twice.
NEAR_DUPLICATE = 0.9
# Weights tuned with bench/related_quality.py on real news (sections and tags withheld); they sum to 1,
# the score of a pinned article.
TEXT, TAGS, SECTION, AUTHOR, RECENCY = 0.51, 0.17, 0.08, 0.22, 0.02


@dataclass
class Related:
    article: Article
    score: float
    reasons: list[str] = field(default_factory=list)
    pinned: bool = False


def _query_terms(session: Session, article_id: int, documents: int) -> dict[str, float]:
    """The article's most distinctive terms, with weight × idf² as the coefficient to score candidates by."""
    rows = session.exec(
        select(ArticleTerm.term, ArticleTerm.weight, TermDocumentCount.documents)
        .join(TermDocumentCount, TermDocumentCount.term == ArticleTerm.term)
        .where(ArticleTerm.article_id == article_id)
    ).all()
    ceiling = max(MIN_DOCUMENT_CEILING, documents * MAX_DOCUMENT_SHARE)
    scored = {
        term: weight * (1 + math.log((documents + 1) / (df + 1))) ** 2
        for term, weight, df in rows
        if 1 < df <= ceiling
    }
    return dict(sorted(scored.items(), key=lambda item: -item[1])[:QUERY_TERMS])


def _text_matches(session: Session, article: Article, coefficients: dict[str, float], now: datetime):
    if not coefficients:
        return {}
    score = func.sum(ArticleTerm.weight * case(coefficients, value=ArticleTerm.term))
    rows = session.exec(
        select(ArticleTerm.article_id, score)
        .join(Article, Article.id == ArticleTerm.article_id)
        .where(ArticleTerm.term.in_(list(coefficients)), ArticleTerm.article_id != article.id, visible(now))
        .group_by(ArticleTerm.article_id)
        .order_by(score.desc())
        .limit(CANDIDATES)
    ).all()
    return dict(rows)


def _shared_terms(session: Session, candidate_ids: list[int], coefficients: dict[str, float]) -> dict[int, list[str]]:
    rows = session.exec(
        select(ArticleTerm.article_id, ArticleTerm.term).where(
            ArticleTerm.article_id.in_(candidate_ids), ArticleTerm.term.in_(list(coefficients))
        )
    ).all()
    shared: dict[int, list[str]] = {}
    for article_id, term in rows:
        shared.setdefault(article_id, []).append(term)
    return {k: sorted(v, key=lambda t: -coefficients[t])[:3] for k, v in shared.items()}


def _near_identical(session: Session, article_id: int, candidate_ids: list[int]) -> set[int]:
    """Candidates whose whole term vector is almost this article's: duplicates and re-filed wire copies."""
    own = ArticleTerm.__table__.alias("own")
    cosine = func.sum(ArticleTerm.weight * own.c.weight)
    rows = session.exec(
        select(ArticleTerm.article_id)
        .join(own, (own.c.term == ArticleTerm.term) & (own.c.article_id == article_id))
        .where(ArticleTerm.article_id.in_(candidate_ids))
        .group_by(ArticleTerm.article_id)
        .having(cosine >= NEAR_DUPLICATE)
    ).all()
    return set(rows)


def _tag_neighbours(session: Session, article: Article, now: datetime) -> dict[int, int]:
    """Recent articles sharing tags with this one, and how many tags they share."""
    tag_ids = [tag.id for tag in article.tags]
    if not tag_ids:
        return {}
    shared = func.count(ArticleTag.tag_id)
    rows = session.exec(
        select(ArticleTag.article_id, shared)
        .join(Article, Article.id == ArticleTag.article_id)
        .where(ArticleTag.tag_id.in_(tag_ids), ArticleTag.article_id != article.id, visible(now))
        .group_by(ArticleTag.article_id)
        .order_by(shared.desc(), func.max(Article.published_at).desc())
        .limit(CANDIDATES)
    ).all()
    return dict(rows)


def _pinned(session: Session, article: Article, now: datetime) -> list[Article]:
    return list(
        session.exec(
            select(Article)
            .join(RelatedPin, RelatedPin.related_id == Article.id)
            .where(RelatedPin.article_id == article.id, visible(now))
            .order_by(RelatedPin.position)
            .options(*summary_loading())
        ).all()
    )


def _recency(a: Article, b: Article) -> float:
    if not (a.published_at and b.published_at):
        return 0.0
    return math.exp(-abs((a.published_at - b.published_at).total_seconds()) / (30 * 86400))


def compute_related(session: Session, article: Article, *, limit: int, now: datetime) -> list[Related]:
    chosen = [Related(pin, 1.0, ["picked by an editor"], pinned=True) for pin in _pinned(session, article, now)][:limit]
    taken = {article.id} | {r.article.id for r in chosen}
    documents = session.exec(select(func.count()).select_from(Article)).one()
    coefficients = _query_terms(session, article.id, documents)
    text_scores = _text_matches(session, article, coefficients, now)
    tag_counts = _tag_neighbours(session, article, now)
    ids = [i for i in {*text_scores, *tag_counts} if i not in taken]
    if not ids or len(chosen) >= limit:
        return chosen
    candidates = session.exec(select(Article).where(Article.id.in_(ids)).options(*summary_loading())).all()
    terms = _shared_terms(session, ids, coefficients)
    copies = _near_identical(session, article.id, ids)
    best_text = max(text_scores.values(), default=0) or 1.0
    own_authors = {a.id: a for a in article.authors}
    own_tags = {t.id: t for t in article.tags}
    ranked: list[Related] = []
    for candidate in candidates:
        reasons = []
        text = text_scores.get(candidate.id, 0.0)
        if candidate.id in copies:
            continue
        shared_tags = [t.name for t in candidate.tags if t.id in own_tags]
        same_section = article.section_id is not None and candidate.section_id == article.section_id
        shared_authors = [a.name for a in candidate.authors if a.id in own_authors]
        if shared_tags:
            reasons.append("shared tags: " + ", ".join(shared_tags))
        if same_section:
            reasons.append(f"same section: {article.section.name}")
        if shared_authors:
            reasons.append("same author: " + ", ".join(shared_authors))
        if terms.get(candidate.id):
            reasons.append("shared terms: " + ", ".join(terms[candidate.id]))
        score = (
            TEXT * text / best_text
            + TAGS * min(len(shared_tags), 3) / 3
            + SECTION * same_section
            + AUTHOR * bool(shared_authors)
            + RECENCY * _recency(article, candidate)
        )
        ranked.append(Related(candidate, round(score, 4), reasons))
    ranked.sort(key=lambda r: (-r.score, r.article.id))
    titles = {article.title.casefold()}
    for related in ranked:
        if len(chosen) >= limit:
            break
        if related.article.title.casefold() in titles:
            continue
        titles.add(related.article.title.casefold())
        chosen.append(related)
    return chosen


def related_articles(session: Session, slug: str, *, limit: int, now: datetime, cache: ContentCache) -> list[RelatedArticle]:
    """Cached until content changes or an article goes live: a new article can join older articles'
    lists, and an unpublished one leaves them, at once."""
    article = get_article(session, slug, now=now)

    def compute() -> list[RelatedArticle]:
        return [
            RelatedArticle.from_article(r.article, now=now, score=r.score, reasons=r.reasons, pinned=r.pinned)
            for r in compute_related(session, article, limit=limit, now=now)
        ]

    return cache.get(session, ("related", article.id, limit), compute, now=now)


def pin_related(session: Session, slug: str, related_slugs: list[str], *, now: datetime) -> list[Article]:
    """Replace the article's pins with these articles, in this order."""
    article = get_article(session, slug, now=now, reader=EDITOR)
    found = {a.slug: a for a in session.exec(select(Article).where(Article.slug.in_(related_slugs))).all()}
    missing = [slug for slug in related_slugs if slug not in found]
    if missing:
        raise InvalidField("#/slugs", f"Unknown article slug(s): {', '.join(missing)}.")
    if article.slug in found:
        raise InvalidField("#/slugs", "An article cannot be related to itself.")
    session.exec(delete(RelatedPin).where(RelatedPin.article_id == article.id))
    ordered = list(dict.fromkeys(related_slugs))
    session.add_all(RelatedPin(article_id=article.id, related_id=found[s].id, position=i) for i, s in enumerate(ordered))
    session.commit()
    return [found[s] for s in ordered]
