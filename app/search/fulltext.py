"""The full-text index behind a small Protocol: SQLite FTS5 or PostgreSQL tsvector.

The index holds each article's title, dek and body text; every write path updates it in the
article's own transaction, so search is never behind the articles it finds.
"""

import html
from dataclasses import asdict, dataclass
from typing import Protocol

from sqlalchemy import BindParameter, Float, Integer, bindparam, column, text
from sqlalchemy.sql import Subquery
from sqlmodel import Session

from app.search.query import Term, fold

# Markers no article text contains, swapped for <mark> once the snippet is escaped.
_START, _STOP = "\x02", "\x03"
SNIPPET_WORDS = 24
MAX_INDEXED_BODY = 200_000


def _highlighted(snippet: str) -> str:
    return html.escape(snippet, quote=False).replace(_START, "<mark>").replace(_STOP, "</mark>")


@dataclass(frozen=True)
class SearchEntry:
    article_id: int
    title: str
    subtitle: str
    body: str


class FullTextIndex(Protocol):
    def store(self, session: Session, entries: list[SearchEntry]) -> None:
        """Add or replace these articles' entries."""

    def remove(self, session: Session, article_id: int) -> None: ...
    def clear(self, session: Session) -> None: ...
    def matches(
        self, session: Session, terms: list[Term], *, ranked: bool = False, best: int | None = None
    ) -> Subquery:
        """The article_id of matching articles, and with `ranked` their rank (lower is a better
        match; ranking reads every match's positions, so only relevance order asks for it); with
        `best`, only that many of the best ranked. May set planner options for the session's
        current transaction: run the statements that use it there."""

    def snippets(self, session: Session, terms: list[Term], article_ids: list[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class _MatchStatements:
    """One database's statements for matching articles, with their rank or without it."""

    matched: str
    ranked: str
    ids: str

    def subquery(self, query: BindParameter[str], *, ranked: bool, best: int | None) -> Subquery:
        statement, parameters, columns = self.matched, [query], [column("article_id", Integer)]
        if ranked:
            statement = self.ranked
            columns.append(column("rank", Float))
            if best is not None:
                # Ties broken by id, as listings break them, so the best few begin the whole ordering.
                statement += f" ORDER BY rank, {self.ids} LIMIT :best"
                parameters.append(bindparam("best", best))
        return text(statement).bindparams(*parameters).columns(*columns).subquery("matches")


def _quoted(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


_SQLITE_MATCHES = _MatchStatements(
    matched="SELECT rowid AS article_id FROM article_search WHERE article_search MATCH :fts_query",
    ranked="SELECT rowid AS article_id, bm25(article_search, 10.0, 4.0, 1.0) AS rank "
    "FROM article_search WHERE article_search MATCH :fts_query",
    ids="rowid",
)


class SqliteIndex:
    """FTS5 with the Porter stemmer; unicode61 folds case and diacritics."""

    @staticmethod
    def expression(terms: list[Term]) -> str:
        # Words are letters and digits only (see query.parse), so quoting them is safe.
        positive = " AND ".join(_quoted(t) for t in terms if not t.negated)
        negative = "".join(f" NOT {_quoted(t)}" for t in terms if t.negated)
        return f"({positive}){negative}"

    def store(self, session: Session, entries: list[SearchEntry]) -> None:
        session.execute(
            text("DELETE FROM article_search WHERE rowid = :article_id"),
            [{"article_id": e.article_id} for e in entries],
        )
        session.execute(
            text(
                "INSERT INTO article_search (rowid, title, subtitle, body)"
                " VALUES (:article_id, :title, :subtitle, :body)"
            ),
            [asdict(e) for e in entries],
        )

    def remove(self, session: Session, article_id: int) -> None:
        session.execute(text("DELETE FROM article_search WHERE rowid = :id"), {"id": article_id})

    def clear(self, session: Session) -> None:
        session.execute(text("DELETE FROM article_search"))

    def matches(
        self, session: Session, terms: list[Term], *, ranked: bool = False, best: int | None = None
    ) -> Subquery:
        return _SQLITE_MATCHES.subquery(bindparam("fts_query", self.expression(terms)), ranked=ranked, best=best)

    def snippets(self, session: Session, terms: list[Term], article_ids: list[int]) -> dict[int, str]:
        rows = session.execute(
            text(
                "SELECT rowid, snippet(article_search, -1, :start, :stop, '…', :words) FROM article_search "
                "WHERE article_search MATCH :fts_query AND rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {
                "start": _START,
                "stop": _STOP,
                "words": SNIPPET_WORDS,
                "fts_query": self.expression(terms),
                "ids": article_ids,
            },
        ).all()
        return {article_id: _highlighted(snippet) for article_id, snippet in rows}


_POSTGRES_MATCHES = _MatchStatements(
    matched="SELECT article_id FROM article_search WHERE document @@ to_tsquery('english', :ts_query)",
    # ts_rank is a float4; as float8 it compares exactly with the rank a cursor carries back.
    ranked="SELECT article_id, -ts_rank(document, to_tsquery('english', :ts_query))::float8 AS rank "
    "FROM article_search WHERE document @@ to_tsquery('english', :ts_query)",
    ids="article_id",
)


class PostgresIndex:
    """A weighted tsvector (title A, dek B, body C) with a GIN index, English stemming."""

    @staticmethod
    def expression(terms: list[Term]) -> str:
        def lexemes(term: Term) -> str:
            words = " <-> ".join(f"'{word}'" for word in term.words)
            return f"{words}:*" if term.prefix else f"({words})"

        return " & ".join(("!" if t.negated else "") + lexemes(t) for t in terms)

    def store(self, session: Session, entries: list[SearchEntry]) -> None:
        session.execute(
            text(
                "INSERT INTO article_search (article_id, title, subtitle, body, document)"
                " VALUES (:article_id, :title, :subtitle, :body, "
                "setweight(to_tsvector('english', :ftitle), 'A') || setweight(to_tsvector('english', :fsubtitle), 'B') "
                "|| setweight(to_tsvector('english', :fbody), 'C')) "
                "ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, subtitle = excluded.subtitle, "
                "body = excluded.body, document = excluded.document"
            ),
            [
                asdict(e)
                | {
                    "ftitle": fold(e.title),
                    "fsubtitle": fold(e.subtitle),
                    # A tsvector holds at most 1 MB; the opening of a very long body is what search needs.
                    "fbody": fold(e.body[:MAX_INDEXED_BODY]),
                }
                for e in entries
            ],
        )

    def remove(self, session: Session, article_id: int) -> None:
        session.execute(text("DELETE FROM article_search WHERE article_id = :id"), {"id": article_id})

    def clear(self, session: Session) -> None:
        session.execute(text("DELETE FROM article_search"))

    def matches(
        self, session: Session, terms: list[Term], *, ranked: bool = False, best: int | None = None
    ) -> Subquery:
        # The planner prices matching a tsvector far below its cost and would rather scan every
        # document than the GIN index: several times slower for words in about 1% of articles.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        return _POSTGRES_MATCHES.subquery(bindparam("ts_query", self.expression(terms)), ranked=ranked, best=best)

    def snippets(self, session: Session, terms: list[Term], article_ids: list[int]) -> dict[int, str]:
        rows = session.execute(
            text(
                "SELECT article_id, ts_headline('english', coalesce(nullif(body, ''), title),"
                " to_tsquery('english', :ts_query), "
                ":options) FROM article_search WHERE article_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {
                "ts_query": self.expression(terms),
                "options": f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=10, MaxFragments=1",
                "ids": article_ids,
            },
        ).all()
        return {article_id: _highlighted(snippet) for article_id, snippet in rows}


def index_for(session: Session) -> FullTextIndex:
    return PostgresIndex() if session.get_bind().dialect.name == "postgresql" else SqliteIndex()
