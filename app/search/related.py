"""Related articles: pinned ones first, then the best of text similarity, shared tags, section,
author and recency, each with the reasons it was chosen.

Text similarity is a "more like this" query over the term vectors: the article's most
distinctive terms (weight × inverse document frequency) find the articles that share them.
It needs no tags or sections, so imported archives get neighbours too.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Float, Integer, exists, func, text
from sqlmodel import Session, delete, select

from app.articles.models import Article, ArticleAuthor, ArticleTag
from app.articles.editing import EDITOR
from app.articles.service import get_article, summary_loading
from app.articles.visibility import visible
from app.content_cache import ContentCache
from app.errors import InvalidField
from app.search.models import ArticleTerm, RelatedPin, TermDocumentCount
from app.search.schemas import RelatedArticle

QUERY_TERMS = 40
CANDIDATES = 100
# Each query term contributes only the articles it weighs most in, read straight off the
# (term, weight) index: a lookup costs the same in a newsroom of any size.
POSTINGS_PER_TERM = 500
# A term in more than this share of articles (and more than a handful) says too little to look
# candidates up by.
MAX_DOCUMENT_SHARE = 0.1
MIN_DOCUMENT_CEILING = 50
# Cosine of the unit term vectors above which two articles are the same story twice.
NEAR_DUPLICATE = 0.9
# Candidates beyond those wanted that are checked for copies at once.
SHORTLIST_MARGIN = 10
# Weights tuned with bench/related_quality.py on real news (sections and tags withheld); they sum to 1,
# the score of a pinned article.
TEXT, TAGS, SECTION, AUTHOR, RECENCY = 0.51, 0.17, 0.08, 0.22, 0.02


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
    shared_tags: int
    shared_author: bool
    score: float = 0.0


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


def _text_matches(session: Session, article: Article, coefficients: dict[str, float], now: datetime) -> dict[int, float]:
    if not coefficients:
        return {}
    # Plain SQL with placeholders only: built anew per lookup, a union of one subquery per term costs
    # more to assemble in the expression language than to run.
    postings = " UNION ALL ".join(
        f"SELECT article_id, weight * :coefficient_{n} AS score FROM (SELECT article_id, weight FROM article_term"
        f" WHERE term = :term_{n} ORDER BY weight DESC, article_id DESC LIMIT :postings) AS postings_{n}"
        for n in range(len(coefficients))
    )
    parameters = {"article_id": article.id, "postings": POSTINGS_PER_TERM, "shortlist": 3 * CANDIDATES}
    for n, (term, coefficient) in enumerate(coefficients.items()):
        parameters |= {f"term_{n}": term, f"coefficient_{n}": coefficient}
    # Summed before visibility is checked, so only the best few are looked up in the article table.
    best = (
        text(
            f"SELECT article_id, SUM(score) AS score FROM ({postings}) AS postings WHERE article_id <> :article_id"
            " GROUP BY article_id ORDER BY score DESC, article_id LIMIT :shortlist"
        )
        .bindparams(**parameters)
        .columns(article_id=Integer, score=Float)
        .subquery("best")
    )
    rows = session.exec(
        select(best.c.article_id, best.c.score)
        .join(Article, Article.id == best.c.article_id)
        .where(visible(now))
        .order_by(best.c.score.desc(), best.c.article_id)
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


def _recency(a: datetime | None, b: datetime | None) -> float:
    if not (a and b):
        return 0.0
    return math.exp(-abs((a - b).total_seconds()) / (30 * 86400))


def _ranked(session: Session, article: Article, candidate_ids: list[int], text_scores: dict[int, float]) -> list[_Candidate]:
    own_tags = [t.id for t in article.tags]
    shared_tags = (
        select(func.count())
        .where(ArticleTag.article_id == Article.id, ArticleTag.tag_id.in_(own_tags))
        .scalar_subquery()
    )
    shared_author = exists().where(
        ArticleAuthor.article_id == Article.id, ArticleAuthor.author_id.in_([a.id for a in article.authors])
    )
    candidates = [
        _Candidate(*row)
        for row in session.exec(
            select(Article.id, Article.title, Article.section_id, Article.published_at, shared_tags, shared_author)
            .where(Article.id.in_(candidate_ids))
        ).all()
    ]
    best_text = max(text_scores.values(), default=0) or 1.0
    for candidate in candidates:
        candidate.score = round(
            TEXT * text_scores.get(candidate.id, 0.0) / best_text
            + TAGS * min(candidate.shared_tags, 3) / 3
            + SECTION * (article.section_id is not None and candidate.section_id == article.section_id)
            + AUTHOR * candidate.shared_author
            + RECENCY * _recency(article.published_at, candidate.published_at),
            4,
        )
    return sorted(candidates, key=lambda c: (-c.score, c.id))


def _pick(session: Session, article: Article, ranked: list[_Candidate], wanted: int) -> list[_Candidate]:
    """The best candidates that are neither a copy of the article nor a headline already taken."""
    titles = {article.title.casefold()}
    distinct = []
    for candidate in ranked:
        if candidate.title.casefold() not in titles:
            titles.add(candidate.title.casefold())
            distinct.append(candidate)
    picked: list[_Candidate] = []
    # Copies are looked for a shortlist at a time: the best candidates nearly always suffice.
    while distinct and len(picked) < wanted:
        size = wanted - len(picked) + SHORTLIST_MARGIN
        shortlist, distinct = distinct[:size], distinct[size:]
        copies = _near_identical(session, article.id, [c.id for c in shortlist])
        picked += [c for c in shortlist if c.id not in copies][: wanted - len(picked)]
    return picked


def _reasons(article: Article, candidate: Article, shared_terms: list[str]) -> list[str]:
    reasons = []
    own_tags, own_authors = {t.id for t in article.tags}, {a.id for a in article.authors}
    if shared_tags := [t.name for t in candidate.tags if t.id in own_tags]:
        reasons.append("shared tags: " + ", ".join(shared_tags))
    if article.section_id is not None and candidate.section_id == article.section_id:
        reasons.append(f"same section: {article.section.name}")
    if shared_authors := [a.name for a in candidate.authors if a.id in own_authors]:
        reasons.append("same author: " + ", ".join(shared_authors))
    if shared_terms:
        reasons.append("shared terms: " + ", ".join(shared_terms))
    return reasons


def compute_related(session: Session, article: Article, *, limit: int, now: datetime) -> list[Related]:
    chosen = [Related(pin, 1.0, ["picked by an editor"], pinned=True) for pin in _pinned(session, article, now)][:limit]
    taken = {article.id} | {r.article.id for r in chosen}
    if len(chosen) >= limit:
        return chosen
    # Ids are not reused, so the highest approximates the number of articles at the cost of one index probe.
    documents = session.exec(select(func.max(Article.id))).one() or 0
    coefficients = _query_terms(session, article.id, documents)
    text_scores = _text_matches(session, article, coefficients, now)
    candidate_ids = [i for i in {*text_scores, *_tag_neighbours(session, article, now)} if i not in taken]
    picked = _pick(session, article, _ranked(session, article, candidate_ids, text_scores), limit - len(chosen))
    ids = [c.id for c in picked]
    articles = {a.id: a for a in session.exec(select(Article).where(Article.id.in_(ids)).options(*summary_loading())).all()}
    terms = _shared_terms(session, ids, coefficients)
    return chosen + [Related(articles[c.id], c.score, _reasons(article, articles[c.id], terms.get(c.id, []))) for c in picked]


def related_articles(session: Session, slug: str, *, limit: int, now: datetime, cache: ContentCache) -> list[RelatedArticle]:
    """Cached until content changes or an article goes live: a new article can join older articles'
    lists, and an unpublished one leaves them, at once."""

    def compute() -> list[RelatedArticle]:
        article = get_article(session, slug, now=now, loading=summary_loading())
        return [
            RelatedArticle.from_article(r.article, now=now, score=r.score, reasons=r.reasons, pinned=r.pinned)
            for r in compute_related(session, article, limit=limit, now=now)
        ]

    # Keyed by slug: a slug that stops resolving (unpublished, renamed) changes the content version too.
    return cache.get(session, ("related", slug, limit), compute, now=now)


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
