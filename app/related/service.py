"""Related articles: pinned ones first, then the best of text similarity, shared tags, section,
author and recency, each with the reasons it was chosen.

Text similarity is a "more like this" query over the term vectors: the article's most
distinctive terms (weight × inverse document frequency) find the articles that share them.
It needs no tags or sections, so imported archives get neighbours too.

With the `semantic` extra, articles that have a sentence embedding also bring their nearest
neighbours in meaning, and closeness in meaning joins the blend: stories about the same match or
election often share no rare word. An article not yet embedded is ranked as without the extra.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Float,
    Integer,
    Select,
    Subquery,
    bindparam,
    exists,
    func,
    literal,
    text,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select

from app.articles.models import Article, ArticleAuthor, ArticleTag
from app.articles.service import get_article, summary_joined_loading
from app.articles.visibility import Reader, visible
from app.caching import content_version, keys
from app.caching.counts import ContentCache
from app.core.errors import InvalidField
from app.related.models import ArticleTerm, RelatedPin, TermDocumentCount
from app.related.schemas import RelatedArticle

if TYPE_CHECKING:
    from app.related.semantic.neighbours import Neighbours

QUERY_TERMS = 40
CANDIDATES = 50
# Each query term contributes only the articles it weighs most in, read straight off the
# (term, weight) index: a lookup costs the same in a newsroom of any size.
POSTINGS_PER_TERM = 250
# A term in more than this share of articles (and more than a handful) says too little to look
# candidates up by.
MAX_DOCUMENT_SHARE = 0.1
MIN_DOCUMENT_CEILING = 50
# Cosine of the unit term vectors above which two articles are the same story twice.
NEAR_DUPLICATE = 0.9
# Candidates beyond those wanted whose vectors are read at once.
SHORTLIST_MARGIN = 10
# Cosine of two articles' sentence embeddings from which they are said to share a topic.
SIMILAR_TOPIC = 0.4


@dataclass(frozen=True)
class Weights:
    text: float
    meaning: float
    tags: float
    section: float
    author: float
    recency: float


# Tuned with bench/related_quality.py on real news (sections and tags withheld); each set sums to 1,
# the score of a pinned article. BLENDED was chosen on articles held out from the measured samples.
LEXICAL = Weights(text=0.51, meaning=0.0, tags=0.17, section=0.08, author=0.22, recency=0.02)
BLENDED = Weights(text=0.098, meaning=0.44, tags=0.156, section=0.078, author=0.196, recency=0.032)


@dataclass
class Related:
    article: Article
    score: float
    reasons: list[str] = field(default_factory=list)
    pinned: bool = False


@dataclass
class _Candidate:
    """What scoring needs of an article; full summaries are loaded only for the chosen few."""

    id: int
    title: str
    section_id: int | None
    published_at: datetime | None
    text: float
    shared_tags: int
    shared_author: bool
    meaning: float = 0.0
    score: float = 0.0


@dataclass
class _Query:
    """The article's whole term vector, and its most distinctive terms with the coefficient to score by."""

    vector: dict[str, float]
    coefficients: dict[str, float]


# Ids are not reused, so the highest approximates the number of articles at the cost of one index probe.
_TERM_VECTOR = (
    select(
        ArticleTerm.term,
        ArticleTerm.weight,
        TermDocumentCount.documents,
        select(func.max(Article.id)).scalar_subquery(),
    )
    .join(TermDocumentCount, col(TermDocumentCount.term) == ArticleTerm.term)
    .where(ArticleTerm.article_id == bindparam("article_id"))
)


def _query(connection: Connection, article_id: int) -> _Query:
    rows = connection.execute(_TERM_VECTOR, {"article_id": article_id}).all()
    documents = rows[0][3] if rows else 0
    ceiling = max(MIN_DOCUMENT_CEILING, documents * MAX_DOCUMENT_SHARE)
    scored = {
        term: weight * (1 + math.log((documents + 1) / (df + 1))) ** 2
        for term, weight, df, _ in rows
        if 1 < df <= ceiling
    }
    return _Query(
        {term: weight for term, weight, _, _ in rows},
        dict(sorted(scored.items(), key=lambda item: -item[1])[:QUERY_TERMS]),
    )


def _text_match(term_count: int) -> Subquery:
    """(article_id, score) of the articles sharing the most distinctive terms, best first."""
    # Plain SQL: a union of one limited subquery per term, which the expression language assembles slowly.
    # Only placeholder names are interpolated; every value is a bound parameter.
    postings = " UNION ALL ".join(
        f"SELECT article_id, weight * :coefficient_{n} AS score FROM (SELECT article_id, weight FROM article_term"  # noqa: S608
        f" WHERE term = :term_{n} ORDER BY weight DESC, article_id DESC LIMIT :postings) AS postings_{n}"
        for n in range(term_count)
    )
    return (
        text(
            f"SELECT article_id, SUM(score) AS score FROM ({postings}) AS postings WHERE article_id <> :article_id"  # noqa: S608
            " GROUP BY article_id ORDER BY score DESC, article_id LIMIT :candidates"
        )
        .columns(article_id=Integer, score=Float)
        .subquery("text_match")
    )


@cache
def _candidate_statement(
    term_count: int, by_tags: bool, by_meaning: bool
) -> Select[int, str, int | None, datetime | None, Any, int, bool]:
    """One statement per shape, built once: compiled statements are cached by their shape, and
    building a large one anew costs more than running it."""
    tag_ids: BindParameter[int] = bindparam("tag_ids", expanding=True)
    author_ids: BindParameter[int] = bindparam("author_ids", expanding=True)
    sources = []
    if term_count:
        text_match = _text_match(term_count)
        sources.append(select(text_match.c.article_id, text_match.c.score))
    if by_tags:
        tag_match = (
            select(ArticleTag.article_id)
            .where(col(ArticleTag.tag_id).in_(tag_ids), ArticleTag.article_id != bindparam("article_id"))
            .group_by(col(ArticleTag.article_id))
            .order_by(func.count().desc(), col(ArticleTag.article_id).desc())
            .limit(bindparam("candidates"))
            .subquery("tag_match")
        )
        sources.append(select(tag_match.c.article_id, literal(0.0).label("score")))
    if by_meaning:
        sources.append(
            select(col(Article.id).label("article_id"), literal(0.0).label("score")).where(
                col(Article.id).in_(bindparam("meaning_ids", expanding=True))
            )
        )
    found = union_all(*sources).subquery("found")
    candidate = (
        select(found.c.article_id, func.max(found.c.score).label("text"))
        .group_by(found.c.article_id)
        .subquery("candidate")
    )
    shared_tags = (
        select(func.count())
        .where(ArticleTag.article_id == Article.id, col(ArticleTag.tag_id).in_(tag_ids))
        .scalar_subquery()
    )
    shared_author = exists().where(
        col(ArticleAuthor.article_id) == Article.id, col(ArticleAuthor.author_id).in_(author_ids)
    )
    # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
    return (
        sa_select(
            col(Article.id),
            col(Article.title),
            col(Article.section_id),
            col(Article.published_at),
            candidate.c.text,
            shared_tags,
            shared_author,
        )
        .join(candidate, candidate.c.article_id == Article.id)
        .where(visible(bindparam("now")))
    )


def _candidates(
    connection: Connection, article: Article, coefficients: dict[str, float], near: list[int], now: datetime
) -> list[_Candidate]:
    """Published articles close in text or meaning or sharing the most tags, with what scoring needs, in one query."""
    tag_ids = [tag.id for tag in article.tags]
    if not (coefficients or tag_ids or near):
        return []
    parameters = {
        "article_id": article.id,
        "postings": POSTINGS_PER_TERM,
        "candidates": CANDIDATES,
        "tag_ids": tag_ids,
        "author_ids": [author.id for author in article.authors],
        "now": now,
    }
    if near:
        parameters["meaning_ids"] = near
    for n, (term, coefficient) in enumerate(coefficients.items()):
        parameters |= {f"term_{n}": term, f"coefficient_{n}": coefficient}
    rows = connection.execute(_candidate_statement(len(coefficients), bool(tag_ids), bool(near)), parameters).all()
    return [_Candidate(*row) for row in rows]


def _ranked(article: Article, candidates: list[_Candidate], weights: Weights) -> list[_Candidate]:
    best_text = max((c.text for c in candidates), default=0) or 1.0
    # Cosines of one model sit in a narrow band: stretched over this article's candidates, from the
    # least to the most similar, or they would barely move the blend.
    low = min((c.meaning for c in candidates), default=0.0)
    span = (max((c.meaning for c in candidates), default=0.0) - low) or 1.0
    for candidate in candidates:
        candidate.score = round(
            weights.text * candidate.text / best_text
            + weights.meaning * (candidate.meaning - low) / span
            + weights.tags * min(candidate.shared_tags, 3) / 3
            + weights.section * (article.section_id is not None and candidate.section_id == article.section_id)
            + weights.author * candidate.shared_author
            + weights.recency * _recency(article.published_at, candidate.published_at),
            4,
        )
    return sorted(candidates, key=lambda c: (-c.score, c.id))


def _recency(a: datetime | None, b: datetime | None) -> float:
    if not (a and b):
        return 0.0
    return math.exp(-abs((a - b).total_seconds()) / (30 * 86400))


# Read by article alone: a term condition tempts planners into scanning whole posting lists.
_TERM_VECTORS = select(ArticleTerm.article_id, ArticleTerm.term, ArticleTerm.weight).where(
    col(ArticleTerm.article_id).in_(bindparam("article_ids", expanding=True))
)


def _vectors(connection: Connection, article_ids: list[int], terms: dict[str, float]) -> dict[int, dict[str, float]]:
    """The part of each article's term vector it shares with these terms."""
    rows = connection.execute(_TERM_VECTORS, {"article_ids": article_ids}).all()
    vectors: dict[int, dict[str, float]] = {}
    for article_id, term, weight in rows:
        if term in terms:
            vectors.setdefault(article_id, {})[term] = weight
    return vectors


def _pick(
    connection: Connection, article: Article, query: _Query, ranked: list[_Candidate], wanted: int
) -> list[tuple[_Candidate, list[str]]]:
    """The best candidates that are neither a copy of the article (cosine of the whole term vectors)
    nor a headline already taken, each with the distinctive terms it shares."""
    titles = {article.title.casefold()}
    distinct = []
    for candidate in ranked:
        if candidate.title.casefold() not in titles:
            titles.add(candidate.title.casefold())
            distinct.append(candidate)
    picked: list[tuple[_Candidate, list[str]]] = []
    # Vectors are read a shortlist at a time: the best candidates nearly always suffice.
    while distinct and len(picked) < wanted:
        size = wanted - len(picked) + SHORTLIST_MARGIN
        shortlist, distinct = distinct[:size], distinct[size:]
        vectors = _vectors(connection, [c.id for c in shortlist], query.vector)
        for candidate in shortlist:
            shared = vectors.get(candidate.id, {})
            if len(picked) < wanted and sum(w * query.vector[t] for t, w in shared.items()) < NEAR_DUPLICATE:
                terms = sorted((t for t in shared if t in query.coefficients), key=lambda t: -query.coefficients[t])
                picked.append((candidate, terms[:3]))
    return picked


_PINNED = (
    select(RelatedPin.related_id)
    .join(Article, col(Article.id) == RelatedPin.related_id)
    .where(RelatedPin.article_id == bindparam("article_id"), visible(bindparam("now")))
    .order_by(col(RelatedPin.position))
)
_SUMMARIES = (
    select(Article).where(col(Article.id).in_(bindparam("ids", expanding=True))).options(*summary_joined_loading())
)


def _reasons(article: Article, candidate: Article, shared_terms: list[str], meaning: float) -> list[str]:
    reasons = []
    own_tags, own_authors = {t.id for t in article.tags}, {a.id for a in article.authors}
    if shared_tags := [t.name for t in candidate.tags if t.id in own_tags]:
        reasons.append("shared tags: " + ", ".join(shared_tags))
    if article.section_id is not None and candidate.section_id == article.section_id and article.section is not None:
        reasons.append(f"same section: {article.section.name}")
    if shared_authors := [a.name for a in candidate.authors if a.id in own_authors]:
        reasons.append("same author: " + ", ".join(shared_authors))
    if meaning >= SIMILAR_TOPIC:
        reasons.append("similar topic")
    if shared_terms:
        reasons.append("shared terms: " + ", ".join(shared_terms))
    return reasons


def compute_related(
    session: Session, article: Article, *, limit: int, now: datetime, semantic: "Neighbours | None" = None
) -> list[Related]:
    connection = session.connection()
    pinned = list(connection.execute(_PINNED, {"article_id": article.id, "now": now}).scalars())[:limit]
    picked = []
    if len(pinned) < limit:
        taken = {article.id, *pinned}
        query = _query(connection, article.id)
        # None when the signal is off or the article has no embedding yet.
        meaning = semantic.around(connection, article.id, CANDIDATES) if semantic is not None else None
        near = meaning.near if meaning is not None else []
        candidates = [c for c in _candidates(connection, article, query.coefficients, near, now) if c.id not in taken]
        if meaning is not None:
            similarity = meaning.similarities([c.id for c in candidates])
            for candidate in candidates:
                candidate.meaning = similarity.get(candidate.id, 0.0)
        weights = BLENDED if meaning is not None else LEXICAL
        picked = _pick(connection, article, query, _ranked(article, candidates, weights), limit - len(pinned))
    ids = pinned + [candidate.id for candidate, _ in picked]
    if not ids:
        return []
    # An article deleted since it was chosen is left out.
    articles = {a.id: a for a in session.scalars(_SUMMARIES, {"ids": ids}).unique()}
    return [Related(articles[id], 1.0, ["picked by an editor"], pinned=True) for id in pinned if id in articles] + [
        Related(
            articles[candidate.id], candidate.score, _reasons(article, articles[candidate.id], terms, candidate.meaning)
        )
        for candidate, terms in picked
        if candidate.id in articles
    ]


def related_articles(
    session: Session,
    slug: str,
    *,
    limit: int,
    now: datetime,
    cache: ContentCache,
    semantic: "Neighbours | None" = None,
) -> list[RelatedArticle]:
    """Cached until content changes or an article goes live: a new article can join older articles'
    lists, and an unpublished one leaves them, at once."""

    def compute() -> list[RelatedArticle]:
        article = get_article(session, slug, now=now, loading=summary_joined_loading())
        return [
            RelatedArticle.from_article(r.article, now=now, score=r.score, reasons=r.reasons, pinned=r.pinned)
            for r in compute_related(session, article, limit=limit, now=now, semantic=semantic)
        ]

    # Keyed by slug: a slug that stops resolving (unpublished, renamed) changes the content version too.
    return cache.get(session, ("related", slug, limit), compute, now=now)


def pinned_articles(session: Session, article: Article, *, now: datetime, reader: Reader) -> list[Article]:
    """The article's pins in order, whatever its own status: those the reader may see."""
    query = (
        select(Article)
        .join(RelatedPin, col(RelatedPin.related_id) == Article.id)
        .where(RelatedPin.article_id == article.id, visible(now, reader))
        .order_by(col(RelatedPin.position))
        .options(*summary_joined_loading())
    )
    return list(session.scalars(query).unique())


def pin_related(
    session: Session, article: Article, related_slugs: list[str], *, now: datetime, reader: Reader
) -> list[Article]:
    """Replace the article's pins with these articles, in this order; those the reader may not see are unknown."""
    query = select(Article).where(col(Article.slug).in_(related_slugs), visible(now, reader))
    found = {a.slug: a for a in session.exec(query).all()}
    missing = [slug for slug in related_slugs if slug not in found]
    if missing:
        raise InvalidField("#/slugs", f"Unknown article slug(s): {', '.join(missing)}.")
    if article.slug in found:
        raise InvalidField("#/slugs", "An article cannot be related to itself.")
    session.exec(delete(RelatedPin).where(col(RelatedPin.article_id) == article.id))
    ordered = list(dict.fromkeys(related_slugs))
    session.add_all(
        RelatedPin(article_id=article.id, related_id=found[s].id, position=i) for i, s in enumerate(ordered)
    )
    content_version.bump(session, keys.article(article.slug))
    session.commit()
    return [found[s] for s in ordered]
